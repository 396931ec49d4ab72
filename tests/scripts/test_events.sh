#!/usr/bin/env bash
# The `event` field (docs/records.md, "Events and legs"), on the bundled iMessage story:
# every record has a 16-hex id; the two legs of an SMS between two targets share one, and
# its submission and delivery are one event; each iMessage's send and receive are one
# event and name each other's target as counterpart (against the generator's truth);
# the ids are the same on every run and with worker threads; a store with them verifies.
source "$(dirname "$0")/lib.sh"
S=$SRC/samples/imessage-story
(cd "$S" && "$PENTRAP" run -q --no-db --jsonl "$WORK/j1.jsonl" --order order.yaml -r story.pcap) || fail "run -j 1"
(cd "$S" && "$PENTRAP" run -q --no-db --jsonl "$WORK/j1b.jsonl" --order order.yaml -r story.pcap) || fail "run -j 1 again"
(cd "$S" && "$PENTRAP" run -q --no-db --jsonl "$WORK/j2.jsonl" -j 2 --order order.yaml -r story.pcap) || fail "run -j 2"
cmp -s "$WORK/j1.jsonl" "$WORK/j1b.jsonl" && pass || fail "two runs wrote different records"
python3 - "$WORK/j1.jsonl" "$WORK/j2.jsonl" "$S/story.truth.jsonl" <<'PY' && pass || fail "event ids"
import json, re, sys, collections
one = [json.loads(l) for l in open(sys.argv[1])]
two = [json.loads(l) for l in open(sys.argv[2])]
for r in one:
    assert re.fullmatch(r"[0-9a-f]{16}", r["event"]), r
# the same event ids with two workers, record for record (by hash of the rest)
key = lambda r: (r["ts"], r["type"], r["target"], r["direction"], r["from"], r["to"], r["event"])
assert sorted(map(key, one)) == sorted(map(key, two)), "-j 2 gave other event ids"
# each SIP MESSAGE between the two targets: two records (one per target), one id; and
# its submission and delivery are one SMS: four records, one event
by_obs = collections.defaultdict(list)
for r in one:
    if r["type"] == "sms":
        by_obs[(r["call_id"], r["ts"])].append(r)
assert by_obs, "no SMS records"
for obs, legs in by_obs.items():
    assert sorted(l["target"] for l in legs) == sorted({legs[0]["from"], legs[0]["to"]}), obs
    assert len({l["event"] for l in legs}) == 1, obs
sms_events = collections.Counter(r["event"] for r in one if r["type"] == "sms")
assert len(sms_events) == len(by_obs) // 2 and set(sms_events.values()) == {4}, sms_events
# the 16 iMessage legs: 8 events of a send and a receive, each naming the other target
truth = [json.loads(l) for l in open(sys.argv[3]) if '"ott.message"' in l]
msgs = [r for r in one if r["type"] == "ott.message"]
assert len(msgs) == 16, len(msgs)
legs = {}
for t in truth:
    legs[(t["ts"][:19], t["subscriber"])] = t
for r in msgs:
    t = legs[(r["ts"][:19], r["target"])]
    want = t["to"] if t["leg"] == "send" else t["from"]
    assert r["counterpart"] == want, (r, t)
assert len({r["event"] for r in msgs}) == 8
PY
(cd "$S" && "$PENTRAP" run -q --db "$WORK/r.db" --order order.yaml -r story.pcap) || fail "run into a store"
"$PENTRAP" verify --db "$WORK/r.db" > "$WORK/verify.out" 2>&1 && pass || { fail "verify"; cat "$WORK/verify.out"; }
finish
