#!/usr/bin/env bash
# The `event` field (docs/records.md, "Events and legs"): every record has a 16-hex id;
# the two legs of an SMS between two targets share one; the ids are the same on every
# run and with worker threads; a store with them verifies.
source "$(dirname "$0")/lib.sh"
S=$SRC/samples/imessage-story
(cd "$S" && "$PENTRAP" run -q --no-db --jsonl "$WORK/j1.jsonl" --order order.yaml -r story.pcap) || fail "run -j 1"
(cd "$S" && "$PENTRAP" run -q --no-db --jsonl "$WORK/j1b.jsonl" --order order.yaml -r story.pcap) || fail "run -j 1 again"
(cd "$S" && "$PENTRAP" run -q --no-db --jsonl "$WORK/j2.jsonl" -j 2 --order order.yaml -r story.pcap) || fail "run -j 2"
cmp -s "$WORK/j1.jsonl" "$WORK/j1b.jsonl" && pass || fail "two runs wrote different records"
python3 - "$WORK/j1.jsonl" "$WORK/j2.jsonl" <<'PY' && pass || fail "event ids"
import json, re, sys, collections
one = [json.loads(l) for l in open(sys.argv[1])]
two = [json.loads(l) for l in open(sys.argv[2])]
for r in one:
    assert re.fullmatch(r"[0-9a-f]{16}", r["event"]), r
# the same event ids with two workers, record for record (by hash of the rest)
key = lambda r: (r["ts"], r["type"], r["target"], r["direction"], r["from"], r["to"], r["event"])
assert sorted(map(key, one)) == sorted(map(key, two)), "-j 2 gave other event ids"
# each SIP MESSAGE between the two targets: two records (one per target), one id
by_obs = collections.defaultdict(list)
for r in one:
    if r["type"] == "sms":
        by_obs[(r["call_id"], r["ts"])].append(r)
assert by_obs, "no SMS records"
for obs, legs in by_obs.items():
    assert sorted(l["target"] for l in legs) == sorted({legs[0]["from"], legs[0]["to"]}), obs
    assert len({l["event"] for l in legs}) == 1, obs
# distinct observations have distinct ids
assert len({legs[0]["event"] for legs in by_obs.values()}) == len(by_obs)
PY
(cd "$S" && "$PENTRAP" run -q --db "$WORK/r.db" --order order.yaml -r story.pcap) || fail "run into a store"
"$PENTRAP" verify --db "$WORK/r.db" > "$WORK/verify.out" 2>&1 && pass || { fail "verify"; cat "$WORK/verify.out"; }
finish
