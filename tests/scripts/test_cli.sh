#!/usr/bin/env bash
# The command line end to end: run into a store, query it in every format and window,
# a second run continues the sequence, standard input as a capture, --help everywhere.
source "$(dirname "$0")/lib.sh"
SAMPLE=$SRC/samples/sample.pcap
ORDER=$SRC/samples/order.yaml
DB=$WORK/records.db
T=sip:101@10.33.6.100

"$PENTRAP" run --order "$ORDER" -r "$SAMPLE" --db "$DB" --table > "$WORK/table" 2> "$WORK/summary"
[ $? = 0 ] && pass || fail "run"
[ "$(grep -c 'call\.' "$WORK/table")" = 3 ] && pass || fail "run --table printed $(grep -c 'call\.' "$WORK/table") call rows, want 3"
grep -Eq '^  records +3 \(seq 1\.\.3\)' "$WORK/summary" && pass || fail "summary records line"
grep -Eq '^  events +3 \(call.attempt 1, call.answer 1, call.end 1\)' "$WORK/summary" && pass || fail "summary events line"
grep -Eq '^  packets +84 ' "$WORK/summary" && pass || fail "summary packets line"

"$PENTRAP" query --db "$DB" --target "$T" --format jsonl > "$WORK/q.jsonl" && [ "$(wc -l < "$WORK/q.jsonl")" = 3 ] && pass || fail "query jsonl"
python3 - "$WORK/q.jsonl" <<'PY' && pass || fail "query jsonl fields"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["type"] for r in recs] == ["call.attempt", "call.answer", "call.end"], recs
assert [r["seq"] for r in recs] == [1, 2, 3]
end = recs[2]
assert end["outcome"] == "answered" and abs(end["duration_s"] - 2.151516) < 1e-6, end
assert all(r["order"] == "SAMPLE-2011-0001" and r["direction"] == "out" for r in recs)
assert recs[1]["prev_hash"] == recs[0]["hash"] and recs[2]["prev_hash"] == recs[1]["hash"]
assert recs[0]["ts"] == "2011-07-28T12:54:46.562096Z", recs[0]["ts"]
PY
"$PENTRAP" query --db "$DB" --target "$T" --format csv > "$WORK/q.csv" && head -1 "$WORK/q.csv" | grep -q '^seq,ts,type,' && [ "$(wc -l < "$WORK/q.csv")" = 4 ] && pass || fail "query csv"
"$PENTRAP" query --db "$DB" --target "$T" > "$WORK/q.txt" && grep -q 'call.attempt' "$WORK/q.txt" && pass || fail "query table"
"$PENTRAP" query --db "$DB" --target "sip:201@10.33.6.101" --format jsonl | grep -c . | grep -qx 3 && pass || fail "query by the other party"
"$PENTRAP" query --db "$DB" --target "$T" --from 2011-07-28T12:54:50Z --format jsonl | grep -c . | grep -qx 2 && pass || fail "query --from"
"$PENTRAP" query --db "$DB" --target "$T" --to 2011-07-28T12:54:47Z --format jsonl | grep -c . | grep -qx 1 && pass || fail "query --to"
[ "$("$PENTRAP" query --db "$DB" --target "+15550000000" --format jsonl 2>/dev/null | wc -l)" = 0 ] && pass || fail "query of nobody"

# The same capture again is refused (its events would count twice), unless --again.
expect_run "same capture again" 2 "^pentrap: .*records.db: capture .*sample.pcap \(SHA-256 [0-9a-f]{16}\.\.\.\) is already in this store \(run 1 of .*\); --again records it again$" \
  -- run -q --order "$ORDER" -r "$SAMPLE" --db "$DB"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM records')" = 3 ] && pass || fail "a refused run wrote records"
# A second run (--again) continues the store's sequence and chain.
"$PENTRAP" run -q --again --order "$ORDER" -r "$SAMPLE" --db "$DB" && pass || fail "second run"
[ "$(sqlite3 "$DB" 'SELECT group_concat(seq) FROM records')" = "1,2,3,4,5,6" ] && pass || fail "sequence continues"
[ "$(sqlite3 "$DB" 'SELECT prev_hash FROM records WHERE seq=4')" = "$(sqlite3 "$DB" 'SELECT hash FROM records WHERE seq=3')" ] && pass || fail "chain continues"

# Standard input, and JSON lines on standard output.
"$PENTRAP" run -q --no-db --order "$ORDER" -r - --jsonl - < "$SAMPLE" > "$WORK/stdin.jsonl" && [ "$(wc -l < "$WORK/stdin.jsonl")" = 3 ] && pass || fail "capture from standard input"
# Two captures in one run, read in order as one stream of packets.
P=$SRC/tests/pcap/sip
cat > "$WORK/two.yaml" <<'Y'
order:
  id: TWO
  kind: both
  valid_from: 2005-01-01T00:00:00Z
  valid_until: 2005-12-31T00:00:00Z
  targets:
    - sip: "francisco@bestel.com"
    - sip: "35104723@sip.cybercity.dk"
Y
"$PENTRAP" run -q --no-db --order "$WORK/two.yaml" -r "$P/heplify_udp/capture.pcap" -r "$P/sngrep_aaa/capture.pcap" --jsonl "$WORK/two.jsonl" && pass || fail "two captures"
# 10 call and registration records from the two (flow records come on top), numbered 1..N without a gap
calls=$(grep -Ec '"type":"(call\.[a-z]+|registration)"' "$WORK/two.jsonl")
[ "$calls" = 10 ] && pass || fail "two captures: $calls call and registration records, want 10"
python3 -c 'import json,sys; s=[json.loads(l)["seq"] for l in open(sys.argv[1])]; sys.exit(s != list(range(1, len(s) + 1)))' "$WORK/two.jsonl" && pass || fail "two captures: sequence"

for cmd in run query report; do
  "$PENTRAP" $cmd --help > "$WORK/help" && grep -q "usage: pentrap $cmd" "$WORK/help" && pass || fail "$cmd --help"
done
"$PENTRAP" --help | grep -q '^commands:' && pass || fail "pentrap --help"

# order check: an order validated without a capture; a bad one named by file and line (exit 2)
"$PENTRAP" order check "$ORDER" > "$WORK/check.out" 2>&1 && grep -q ': ok: order SAMPLE-2011-0001 (both' "$WORK/check.out" \
  && grep -Eq '^  window +2011-07-01T00:00:00.000000Z \.\. 2011-08-31T23:59:59' "$WORK/check.out" && pass || { fail "order check"; cat "$WORK/check.out"; }
printf 'order:\n  id: X\n  kind: both\n  valid_from: 2026-11-01\n  valid_until: 2026-12-31\n  targets:\n    - ip: 10.0.0.1/8\n' > "$WORK/bad.yaml"
"$PENTRAP" order check "$WORK/bad.yaml" > "$WORK/check.out" 2> "$WORK/check.err"
[ $? = 2 ] && grep -q "^pentrap: $WORK/bad.yaml:7: ip: '10.0.0.1/8' has bits set beyond the prefix" "$WORK/check.err" && [ ! -s "$WORK/check.out" ] \
  && pass || { fail "order check of a bad order"; cat "$WORK/check.err"; }
sed 's/ip: 10.0.0.1\/8/ip: 10.0.0.0\/8/' "$WORK/bad.yaml" > "$WORK/good.yaml"   # a bare valid_until is the end of that day
"$PENTRAP" order check "$WORK/good.yaml" 2>&1 | grep -q '2026-12-31T23:59:59.999999Z' && pass || fail "order check: a bare valid_until"
"$PENTRAP" order check "$WORK/none.yaml" > /dev/null 2>&1; [ $? = 2 ] && pass || fail "order check of a missing file"
finish
