#!/usr/bin/env bash
# The answer people read (issue 15), on the bundled samples:
#  - the iMessage story: the table has TARGET and CONFIDENCE columns; the report's graph
#    (json) has exactly the two targets as nodes and one edge between them with 4 SMS
#    and 8 app messages (inferred); the summary and query count events, not records;
#  - an order whose window misses the capture, or whose targets are not in it: a
#    warning naming both time ranges; query and report say when nothing matches;
#  - query takes ids as orders write them: every form finds the sample's records.
source "$(dirname "$0")/lib.sh"
S=$SRC/samples/imessage-story
cd "$WORK" || exit 1

"$PENTRAP" run --order "$S/order.yaml" -r "$S/story.pcap" --db story.db --table > table.txt 2> summary.txt || fail "story run"
head -1 table.txt | grep -Eq '^SEQ +TIME \(UTC\) +TYPE +TARGET +DIR +FROM +TO +PROTOCOL +CONFIDENCE ' && pass || { fail "table header"; head -1 table.txt; }
# every row names its target, and its confidence
awk 'NR > 1 && !($4 == "+15559545383" || $4 == "+15559553302") { bad = 1 } END { exit bad }' table.txt && pass || fail "a row without its target"
[ "$(grep -c ' inferred [0-9]' table.txt)" = 16 ] && pass || fail "16 inferred rows: $(grep -c ' inferred [0-9]' table.txt)"
[ "$(grep -Ec ' ott\.message .*\+155595(45383|53302) via (imessage|whatsapp) ' table.txt)" = 16 ] && pass || fail "each app message row names the other target"
grep -Eq '^  events +30 \(sms 4, .*ott\.message 8' summary.txt && pass || { fail "summary counts events"; cat summary.txt; }
grep -Eq '^  by target  \+15559545383: 21 events \(sms 4, ' summary.txt && pass || fail "summary per target"
grep -q 'memory\|flow table\|tables  ' summary.txt && fail "memory plan without -v" || pass
# the sightings lines say they are sightings, not a second count of the events
grep -Eq '^  sms +8 seen in the signalling \(.*a submission and its delivery are two\)$' summary.txt && \
  grep -Eq "^  ott +4 sessions, 16 messages \(inferred\), 0 calls seen on targets' flows" summary.txt && pass || fail "sightings lines"

"$PENTRAP" report --db story.db --format json -o graph.json && pass || fail "report json"
python3 - graph.json <<'PY' && pass || fail "story graph: two targets, one edge of 4 SMS and 8 app messages"
import json, sys
d = json.load(open(sys.argv[1]))
nodes = sorted((n["id"], n["target"]) for n in d["nodes"])
assert nodes == [("+15559545383", True), ("+15559553302", True)], nodes
assert len(d["edges"]) == 1, d["edges"]
e = d["edges"][0]
assert {e["a"], e["b"]} == {"+15559545383", "+15559553302"}, e
assert (e["sms"], e["app_messages"], e["calls"], e["app_calls"]) == (4, 8, 0, 0), e
assert e["inferred"] == {"app_messages": 8}, e
assert d["events"] == 30 and d["records"] == 50, (d["events"], d["records"])
# infrastructure is each target's, never a node
uses = {t["id"]: {(u["kind"], u["name"]) for u in t["uses"]} for t in d["targets"]}
for t in ("+15559545383", "+15559553302"):
    assert ("access point", "internet") in uses[t] and ("app service", "apple-push") in uses[t], uses[t]
PY
"$PENTRAP" report --db story.db --format dot -o graph.dot && grep -q 'style=dashed' graph.dot && pass || fail "dot: the inferred edge dashed"
"$PENTRAP" report --db story.db --format csv -o pairs.csv && [ "$(wc -l < pairs.csv)" = 2 ] && \
  grep -q ',0,4,8,0,0,0,8,0,' pairs.csv && pass || { fail "csv"; cat pairs.csv; }

# Nothing matches: said, with both time ranges.
sed 's/2026-11-01T00:00:00Z/2025-11-01T00:00:00Z/; s/2026-11-03T23:59:59Z/2025-11-03/' "$S/order.yaml" > old.yaml
"$PENTRAP" run -q --no-db --order old.yaml -r "$S/story.pcap" --table > old.out 2> old.err
grep -q "^pentrap: warning: the order's window (2025-11-01T00:00:00.000000Z .. 2025-11-03T23:59:59.999999Z) does not overlap the frames read (2026-11-02T00:00:01.100000Z .. 2026-11-02T00:06:36.087420Z): nothing could be recorded$" old.err \
  && pass || { fail "window warning"; cat old.err; }
sed 's/+15559545383/+15550000000/; s/+15559553302/+15550000001/' "$S/order.yaml" > none.yaml
"$PENTRAP" run -q --no-db --order none.yaml -r "$S/story.pcap" --table > none.out 2> none.err
grep -q "^pentrap: warning: none of the order's 2 targets was seen in the frames read (2026-11-02T00:00:01.100000Z .. 2026-11-02T00:06:36.087420Z, inside the window " none.err \
  && pass || { fail "targets warning"; cat none.err; }
"$PENTRAP" query --db story.db --target +15550000000 > q.out 2> q.err
[ ! -s q.out ] && grep -q '^pentrap query: no records for +15550000000 in story.db$' q.err && pass || fail "query of nobody says so"
"$PENTRAP" report --db story.db --order NO-SUCH-ORDER -o none.html 2> r.err
grep -q '^pentrap report: warning: no records in story.db of order NO-SUCH-ORDER$' r.err && grep -q 'No records match' none.html \
  && pass || fail "report of no order says so"

# query takes ids as orders write them (and counts events).
want() { # WANT DB ID: the query finds WANT records
  local n; n=$("$PENTRAP" query --db "$2" --target "$3" --format jsonl 2> qf.err | grep -c .)
  [ "$n" = "$1" ] && pass || { fail "query '$3': $n records, want $1"; cat qf.err; }
}
for id in "+1 555 954 5383" "tel:+15559545383" "+15559545383" "15559545383"; do want 41 story.db "$id"; done
grep -q '^pentrap query: 41 records, 21 events for 15559545383$' qf.err && pass || fail "query counts events"
IMSI=$(sqlite3 story.db "SELECT substr(evidence, instr(evidence, '\"imsi\":\"imsi:') + 13, 15) FROM records WHERE target = '+15559545383' AND evidence LIKE '%\"imsi\":%' LIMIT 1")
for id in "$IMSI" "imsi:$IMSI"; do want 16 story.db "$id"; done   # the records whose subscriber the map knew by it
want 24 story.db 100.64.0.1                                        # the target's address (identity map, packets)
want 48 story.db 100.64.0.0/24
"$PENTRAP" run -q --order "$SRC/samples/order.yaml" -r "$SRC/samples/sample.pcap" --db sip.db || fail "sample run"
for id in "101@10.33.6.100" "sip:101@10.33.6.100" "<sip:101@10.33.6.100>" "10.33.6.100" "10.33.6.0/24"; do want 3 sip.db "$id"; done
finish
