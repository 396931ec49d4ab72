#!/usr/bin/env bash
# Every app nDPI names, checked on every capture of nDPI's own test suite that is in the
# tree (tests/pcap/apps/*: the app captures of ../shared/pcaps/ndpi-apps, and the earlier
# ../shared/pcaps/ndpi captures wherever they are in tests/, ndpi_captures.tsv): with an
# order naming every client, pentrap's records are held against nDPI's expected labels
# (tests/pcap/apps/apps_check.py): every app nDPI names for a client is recorded for that
# client with that service; every call nDPI names is an ott.call; no record names an app
# nDPI does not see there; no call is recorded but of an app nDPI names on UDP for that
# client (streaming and games make none). tests/pcap/apps/known.tsv lists the checks that
# fail for a documented reason. Then media of an app no signature knows
# (apps/unknown_ice_stripped) is a call of service `unknown`.
# With APPS_TABLE=FILE it also writes the table of docs/signatures.md.
source "$(dirname "$0")/lib.sh"
PENTRAP=$(cd "$(dirname "$PENTRAP")" && pwd)/$(basename "$PENTRAP")
APPS=$SRC/tests/pcap/apps
TABLE=${APPS_TABLE:-$WORK/table.md}
: > "$TABLE"

check() { # check NAME CAPTURE LABELS ORDER
  local name=$1 cap=$2 labels=$3 order=$4
  if ! "$PENTRAP" run --no-db --jsonl "$WORK/$name.jsonl" -q --order "$order" -r "$cap" 2> "$WORK/$name.err"; then
    fail "$name: pentrap failed"; cat "$WORK/$name.err"; return
  fi
  if python3 "$APPS/apps_check.py" "$WORK/$name.jsonl" "$labels" "$APPS/known.tsv" "$name" > "$WORK/$name.check"; then
    pass
  else
    fail "$name: records disagree with nDPI's labels"; grep -v '^ok' "$WORK/$name.check"
  fi
  python3 - "$name" "$labels" "$WORK/$name.check" "$WORK/$name.jsonl" >> "$TABLE" <<'PY'
import collections, json, sys
name, labels, check, recs = sys.argv[1:]
apps = collections.Counter()
for line in open(labels):
    if line.startswith("#") or not line.strip():
        continue
    label = line.rstrip("\n").split("\t")[5]
    if not label.startswith("DNS"):
        apps[label.split(".")[-1]] += 1
lines = open(check).read().splitlines()
kinds = collections.Counter(l.split()[1] for l in lines if l.split()[0] in ("ok", "known", "FAIL"))
known = sum(1 for l in lines if l.startswith("known"))
failed = sum(1 for l in lines if l.startswith("FAIL"))
got = collections.Counter()
for l in open(recs):
    r = json.loads(l)
    if r["type"] in ("ott.session.begin", "ott.call.begin", "ott.message"):
        got[(r["type"].split(".")[1], r.get("service"))] += 1
shown = ", ".join(f"{a} {n}" for a, n in sorted(apps.items()))
rec = ", ".join(f"{s} {k}s {n}" if k != "message" else f"{s} messages {n}" for (k, s), n in sorted(got.items()))
res = "pass" if not failed else "FAIL"
if known:
    res += f" ({known} known)"
print(f"| {name} | {shown or '-'} | {rec or '-'} | {kinds['session']} / {kinds['call']} / {kinds['foreign']} / {kinds['calls']} | {res} |")
PY
}

for dir in "$APPS"/*/; do
  [ -f "$dir/labels.tsv" ] || continue
  name=$(basename "$dir")
  cap=$(ls "$dir" | grep -E '^capture\.pcap(ng)?$')
  check "$name" "$dir/$cap" "$dir/labels.tsv" "$dir/order.yaml"
done
while IFS=$'\t' read -r name path labels; do
  case $name in \#*|"") continue ;; esac
  python3 "$APPS/apps_order.py" "$SRC/$labels" "TEST-apps-$name" > "$WORK/$name.order.yaml"
  check "$name" "$SRC/$path" "$SRC/$labels" "$WORK/$name.order.yaml"
done < "$APPS/ndpi_captures.tsv"

# media of an app no signature knows: a call all the same, of service unknown
case_dir=$APPS/unknown_ice_stripped
"$PENTRAP" run --no-db --jsonl "$WORK/unknown.jsonl" -q --order "$case_dir/order.yaml" -r "$case_dir/capture.pcapng" 2>/dev/null
python3 - "$WORK/unknown.jsonl" <<'PY' && pass || fail "unknown_ice_stripped: no ott.call of service unknown with its far party"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
calls = [r for r in recs if r["type"] == "ott.call.begin"]
ends = [r for r in recs if r["type"] == "ott.call.end"]
assert len(calls) == 1 and calls[0]["service"] == "unknown" and calls[0]["from"] == "192.168.12.169", calls
assert calls[0].get("contact", "").startswith("18.195.131.143:"), calls[0]
assert len(ends) == 1 and 12 <= ends[0]["duration_s"] <= 13, ends
assert not any(r.get("service") not in (None, "", "unknown") for r in recs), recs
PY
finish
