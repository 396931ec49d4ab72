#!/usr/bin/env bash
# Signature definitions from the command line: `sigs check` and `sigs info`, a bad file
# refused with its line (by `sigs check` and by `run --sigs`), the staleness warning at
# start and in the summary, and reloads that lose no flow and no record: between
# captures (--reload-sigs) and on SIGHUP.
source "$(dirname "$0")/lib.sh"
BUILTIN=$SRC/sigs/builtin.yaml
CASE=$SRC/tests/pcap/ott/ndpi_wa_voice

# --- check and info
"$PENTRAP" sigs check "$BUILTIN" > "$WORK/stdout" 2>&1 && pass || fail "check the built-in file"
grep -q "ok: version" "$WORK/stdout" && pass || fail "check prints ok"
"$PENTRAP" sigs info > "$WORK/stdout" 2>&1 && pass || fail "info of the built-in set"
for s in apple-push imessage whatsapp signal telegram facetime; do
  grep -q "^$s " "$WORK/stdout" && pass || fail "info lists $s"
done
cat > "$WORK/bad.yaml" <<'Y'
version: "t"
released: 2026-01-01
signatures:
  - id: apple-push
    service: apple-push
    recognises: session
    addresses: [17.0.0.0/8, 300.1.2.0/24]
Y
expect_run "check a bad file" 2 "bad.yaml:7: addresses: '300.1.2.0/24' is not an address prefix" -- sigs check "$WORK/bad.yaml"
expect_run "run refuses a bad file" 2 "bad.yaml:7: addresses:" -- run --no-db --jsonl - -q --order "$CASE/order.yaml" --sigs "$WORK/bad.yaml" -r "$CASE/capture.pcap"
expect_run "missing file" 2 "nope.yaml: cannot open" -- sigs check "$WORK/nope.yaml"
expect_run "reload file checked before any record" 2 "bad.yaml:7:" -- run --no-db --jsonl "$WORK/none.jsonl" -q --order "$CASE/order.yaml" -r "$CASE/capture.pcap" --reload-sigs "$WORK/bad.yaml" -r "$CASE/capture.pcap"
[ ! -s "$WORK/none.jsonl" ] && pass || fail "no record written before refusing the reload file"
expect_run "reload needs a capture after it" 2 "no -r capture follows" -- run --no-db --order "$CASE/order.yaml" -r "$CASE/capture.pcap" --reload-sigs "$BUILTIN"

# --- staleness: warned at start and in the summary, unless within --sigs-max-age
sed -e 's/^released: .*/released: 2020-01-01/' -e 's/^version: .*/version: "old-1"/' "$BUILTIN" > "$WORK/old.yaml"
"$PENTRAP" run --no-db --order "$CASE/order.yaml" --sigs "$WORK/old.yaml" -r "$CASE/capture.pcap" > /dev/null 2> "$WORK/stale.err"
n=$(grep -c "definitions old-1 (released 2020-01-01) are .* days old, over the 30-day limit" "$WORK/stale.err")
[ "$n" = 2 ] && pass || { fail "stale warning at start and in the summary (got $n)"; cat "$WORK/stale.err"; }
head -1 "$WORK/stale.err" | grep -q "^pentrap: warning: signature definitions old-1" && pass || fail "the warning comes first"
"$PENTRAP" run --no-db --order "$CASE/order.yaml" --sigs "$WORK/old.yaml" --sigs-max-age 100000 -r "$CASE/capture.pcap" > /dev/null 2> "$WORK/fresh.err"
grep -q "days old" "$WORK/fresh.err" && fail "no warning within --sigs-max-age" || pass
grep -q "signatures old-1, released 2020-01-01" "$WORK/fresh.err" && pass || fail "the summary names the definitions"

# --- reload between captures: the capture cut in two, read once without a reload and
# once with one between the halves. Same records; sessions that began before the
# reload keep the definitions that classified them, to their end; those that begin after
# it are classified by the new ones.
python3 - "$CASE/capture.pcap" "$WORK" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
frames, off = [], 24
while off + 16 <= len(data):
    n = struct.unpack_from("<I", data, off + 8)[0]
    frames.append(data[off:off + 16 + n]); off += 16 + n
# cut 15 s in: the push and chat connections span the cut, pps.whatsapp.net (19.5 s) starts after it
t0 = struct.unpack_from("<I", frames[0], 0)[0]
half = next(i for i, f in enumerate(frames) if struct.unpack_from("<I", f, 0)[0] >= t0 + 15)
for name, part in (("a.pcap", frames[:half]), ("b.pcap", frames[half:])):
    open(f"{sys.argv[2]}/{name}", "wb").write(data[:24] + b"".join(part))
PY
sed -e 's/^version: .*/version: "one"/' "$BUILTIN" > "$WORK/one.yaml"
sed -e 's/^version: .*/version: "two"/' "$BUILTIN" > "$WORK/two.yaml"
"$PENTRAP" run --no-db --jsonl "$WORK/plain.jsonl" -q --order "$CASE/order.yaml" --sigs "$WORK/one.yaml" -r "$WORK/a.pcap" -r "$WORK/b.pcap" 2> "$WORK/plain.err" || fail "run without reload"
"$PENTRAP" run --no-db --jsonl "$WORK/reload.jsonl" --order "$CASE/order.yaml" --sigs "$WORK/one.yaml" -r "$WORK/a.pcap" --reload-sigs "$WORK/two.yaml" -r "$WORK/b.pcap" 2> "$WORK/reload.err" || fail "run with reload"
grep -q "definitions reloaded before the next capture: now two" "$WORK/reload.err" && pass || { fail "reload noted"; cat "$WORK/reload.err"; }
python3 - "$WORK/plain.jsonl" "$WORK/reload.jsonl" <<'PY' && pass || fail "records across the reload"
import json, sys
def load(p):
    return [json.loads(l) for l in open(p)]
plain, reload = load(sys.argv[1]), load(sys.argv[2])
key = lambda r: (r["ts"], r["type"], r["from"], r["to"], r.get("service", ""), r["evidence"].get("sport"), r["evidence"].get("dport"))
assert sorted(map(key, plain)) == sorted(map(key, reload)), "the same records, reload or not"
cut = None
labels = {}
for r in reload:
    if r["type"] in ("ott.session.begin", "ott.session.end"):
        labels.setdefault((r["evidence"]["sport"], r["evidence"]["dport"]), set()).add(r["signature"].split("@")[1])
spanning = [k for k, v in labels.items() if len(v) != 1]
assert not spanning, f"a session's begin and end name different definitions: {spanning}"
versions = {next(iter(v)) for v in labels.values()}
assert versions == {"one", "two"}, f"sessions classified by both sets: {versions}"
# a session that began before the reload and ended after it keeps "one" at its end
ends_one = [r for r in reload if r["type"] == "ott.session.end" and r["signature"].endswith("@one")
            and r["evidence"]["dport"] in (5222, 5223)]
assert ends_one, "the long sessions (5222, 5223) ended after the reload under the set that began them"
print("records:", len(reload), "versions:", sorted(versions))
PY

# --- SIGHUP: the whole capture in one run, which stops itself after the first half's
# last frame (PENTRAP_TEST_HOOK); the definitions file changes, SIGHUP, and it goes on.
# The reload lands at the same frame as --reload-sigs between the halves did, so the
# records are those of that run, definitions version and all.
cp "$WORK/a.pcap" "$WORK/whole.pcap"; tail -c +25 "$WORK/b.pcap" >> "$WORK/whole.pcap"
half=$(python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); import struct
n, off = 0, 24
while off + 16 <= len(d): off += 16 + struct.unpack_from("<I", d, off + 8)[0]; n += 1
print(n)' "$WORK/a.pcap")
sed -e 's/^version: .*/version: "one"/' "$BUILTIN" > "$WORK/one.yaml"
PENTRAP_TEST_HOOK="STOP@frame:$half" "$PENTRAP" run --no-db --jsonl "$WORK/hup.jsonl" --order "$CASE/order.yaml" \
  --sigs "$WORK/one.yaml" -r "$WORK/whole.pcap" 2> "$WORK/hup.err" &
pid=$!
if wait_stopped "$pid"; then
  cp "$WORK/two.yaml" "$WORK/one.yaml"   # the file changed on disk: SIGHUP reads it again
  kill -HUP "$pid"
  kill -CONT "$pid"
fi
wait "$pid" && pass || fail "run under SIGHUP"
grep -q "definitions reloaded on SIGHUP: now two" "$WORK/hup.err" && pass || { fail "SIGHUP reload noted"; cat "$WORK/hup.err"; }
python3 - "$WORK/reload.jsonl" "$WORK/hup.jsonl" <<'PY' && pass || fail "records across SIGHUP"
import json, sys
key = lambda r: (r["ts"], r["type"], r["from"], r["to"], r.get("service", ""), r.get("signature", ""))
a = sorted(key(json.loads(l)) for l in open(sys.argv[1]))
b = sorted(key(json.loads(l)) for l in open(sys.argv[2]))
assert a == b, "the records of a reload between the halves, signature versions too"
vs = {json.loads(l)["signature"].split("@")[1] for l in open(sys.argv[2]) if json.loads(l).get("signature")}
assert vs == {"one", "two"}, vs
PY
finish
