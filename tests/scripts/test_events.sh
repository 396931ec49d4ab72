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

# MAP delivers an SMS to the recipient's IMSI (mt-ForwardSM) after it was submitted to
# the number (mo-ForwardSM): one SMS, one event, when a GTP session paired the two; and
# the report draws one person, one SMS, where the order names a subscriber by MSISDN and
# by IMSI (generated traffic: its truth names both legs by number).
cd "$WORK" || exit 1
"$PENTRAP" gen -q --seed 3 --subscribers 50 --duration 300 -o g.pcap --truth g.jsonl || fail "gen"
python3 "$SRC/bench/accuracy.py" order g.jsonl --fraction 0.2 > g.yaml
"$PENTRAP" run -q --order g.yaml -r g.pcap --db g.db --jsonl g1.jsonl || fail "run of generated traffic"
"$PENTRAP" run -q --no-db -j 2 --order g.yaml -r g.pcap --jsonl g2.jsonl || fail "run -j 2 of generated traffic"
"$PENTRAP" report --db g.db --format json -o g.json || fail "report of generated traffic"
python3 - g.yaml g.jsonl g1.jsonl g2.jsonl g.json <<'PY' && pass || fail "an SMS delivered by IMSI is the SMS submitted to the number"
import json, re, sys
targets = set(re.findall(r'msisdn: "(\+\d+)"', open(sys.argv[1]).read()))
truth = [json.loads(l) for l in open(sys.argv[2]) if '"type":"sms"' in l]
recs = [json.loads(l) for l in open(sys.argv[3])]
two = [json.loads(l) for l in open(sys.argv[4])]
key = lambda r: (r["ts"], r["type"], r["target"], r["direction"], r["from"], r["to"], r["event"])
assert sorted(map(key, recs)) == sorted(map(key, two)), "-j 2 joined otherwise"
# the truth's messages: a submission and the delivery of the same sender and recipient after it
msgs, open_mo = [], {}
for t in truth:
    k = (t["from"], t["to"])
    if t["leg"] == "mt" and k in open_mo:
        open_mo.pop(k)["legs"].append(t)
        continue
    m = {"from": t["from"], "to": t["to"], "legs": [t]}
    msgs.append(m)
    if t["leg"] == "mo":
        open_mo[k] = m
mine = [m for m in msgs if m["from"] in targets or m["to"] in targets]
ts = lambda x: x["ts"][:23]
by_ts = {}
for r in recs:
    if r["type"] == "sms":
        by_ts.setdefault(ts(r), set()).add(r["event"])
joined = 0
for m in mine:
    ids = set().union(*(by_ts.get(ts(l), set()) for l in m["legs"]))
    assert len(ids) == 1, (m, ids)       # every record of one SMS: one event
    joined += len(m["legs"]) == 2 and any(r["to"].startswith("imsi:") for r in recs if ts(r) == ts(m["legs"][1]))
assert joined >= 2, joined               # deliveries by IMSI were there to join
g = json.load(open(sys.argv[5]))
assert sum(e["sms"] for e in g["edges"]) == len(mine), (sum(e["sms"] for e in g["edges"]), len(mine))
merged = [n for n in g["nodes"] if n["id"].startswith("imsi:") and n["target"]]
assert merged and all(n.get("same_as") in targets and n["interactions"] == 0 for n in merged), merged
assert not any(e["a"] in {n["id"] for n in merged} or e["b"] in {n["id"] for n in merged} for e in g["edges"])
print("test_events: %d SMS of targets in the truth, %d of them delivered by IMSI and joined; the graph counts %d"
      % (len(mine), joined, sum(e["sms"] for e in g["edges"])))
PY
finish
