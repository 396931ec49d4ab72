#!/usr/bin/env bash
# Counterpart pairing (docs/records.md, "Counterparts"; docs/accuracy.md): on the
# generator's `ott` mix with a fifth of the subscribers targeted, the app-message legs
# that name a counterpart name the right one (precision >= 0.95), and the legs between
# two targets are found (recall >= 0.9), against the truth's from/to; a counterpart is
# only ever a target of the order; -j 2 pairs the same.
source "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
A=$SRC/bench/accuracy.py
"$PENTRAP" gen -q --seed 9 --subscribers 200 --duration 1800 --mix ott -o ott.pcap --truth ott.jsonl || fail "gen"
python3 "$A" order ott.jsonl --fraction 0.2 > order.yaml
"$PENTRAP" run -q --no-db --order order.yaml -r ott.pcap --jsonl r1.jsonl || fail "run"
python3 "$A" counterparts ott.jsonl r1.jsonl --order order.yaml --json > c.json
python3 - c.json <<'PY' && pass || fail "counterparts: precision >= 0.95 and recall >= 0.9"
import json, sys
c = json.load(open(sys.argv[1]))
print("test_counterparts: app messages: %d legs between targets, %d named, %d right: precision %.3f, recall %.3f; "
      "app calls: %d between targets, %d named, %d right"
      % (c["should"], c["named"], c["correct"], c["precision"], c["recall"],
         c["calls"]["should"], c["calls"]["named"], c["calls"]["correct"]))
assert c["should"] >= 500, c["should"]            # enough pairs for the numbers to mean something
assert c["precision"] >= 0.95 and c["recall"] >= 0.9
assert c["calls"]["named"] == c["calls"]["correct"]
PY
python3 - order.yaml r1.jsonl <<'PY' && pass || fail "a counterpart that is not a target of the order"
import sys
targets = set()
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("- msisdn:"):
        targets.add(line.split(":", 1)[1].strip().strip('"'))
    elif line.startswith("- imsi:"):
        targets.add("imsi:" + line.split(":", 1)[1].strip().strip('"'))
import json
n = 0
for l in open(sys.argv[2]):
    r = json.loads(l)
    if r.get("counterpart"):
        n += 1
        assert r["counterpart"] in targets and r["counterpart"] != r["target"], r
        assert r["type"].startswith("ott.") and r["confidence"] == "inferred", r
assert n > 0
PY
"$PENTRAP" run -q --no-db -j 2 --order order.yaml -r ott.pcap --jsonl r2.jsonl || fail "run -j 2"
cmp -s <(python3 "$SRC/tests/pcap/unordered.py" < r1.jsonl) <(python3 "$SRC/tests/pcap/unordered.py" < r2.jsonl) \
  && pass || fail "-j 2 paired otherwise"
finish
