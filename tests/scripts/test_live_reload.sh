#!/usr/bin/env bash
# The live sensor's SIGHUP (docs/live.md): a new order is in force from the reload on —
# records for its targets only after it, none for the old order's targets — and is
# recorded as a new run in the store; the same file again changes nothing; a broken
# order is refused with a clear line in the log and the old one stays. Then the
# order's valid_until ends a run by itself. Needs root (CI runs as root).
#
# A record is filtered by the order in force when it is made: a call's records as its
# messages come, a flow record when the flow ends (idle, or at the end of the run). So
# the counts here leave out `flow` records, whose moment depends on timeouts.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"
live_require
live_setup

S="$SRC/tests/pcap/sip"
udp="$S/heplify_udp/capture.pcap"; tcp="$S/heplify_tcp/capture.pcap"; ws="$S/heplify_websocket/capture.pcap"
fax="$S/ndpi_fax/capture.pcap"; aaa="$S/sngrep_aaa/capture.pcap"
A_target='sip:francisco@bestel.com'
write_order "$WORK/a.yaml" LIVE-A "sip: \"francisco@bestel.com\""
write_order "$WORK/b.yaml" LIVE-B 'sip: "101@10.33.6.100"' 'msisdn: "+12675941249"' 'sip: "061963177@italtel.it"'
cp "$WORK/a.yaml" "$WORK/order.yaml"
# A's target's calls again, as new calls (Call-IDs changed, lengths kept): sent after a
# reload, they would be recorded if order A were still in force. (The same capture again
# would not show it: its calls are known, so it makes no records under any order.)
again() {
  python3 - "$udp" "$2" "$1" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(re.sub(rb"Call-ID: ?.", lambda m: m.group(0)[:-1] + sys.argv[3].encode(), data))
PY
}
udp2="$WORK/udp2.pcap"; udp3="$WORK/udp3.pcap"
again x "$udp2"; again y "$udp3"

# What file mode records for each order (the expected counts).
count_file() { "$PENTRAP" run --order "$1" --no-db --jsonl - -q "${@:2}" | grep -vc '"type": *"flow"'; }
want_a=$(count_file "$WORK/a.yaml" -r "$udp" -r "$aaa")
want_b1=$(count_file "$WORK/b.yaml" -r "$udp2" -r "$tcp" -r "$ws")
want_b2=$(count_file "$WORK/b.yaml" -r "$fax" -r "$udp3")
a_again=$(count_file "$WORK/a.yaml" -r "$udp" -r "$aaa" -r "$udp2" -r "$fax" -r "$udp3")
[ "$want_a" -ge 3 ] && [ "$want_b1" -ge 3 ] && [ "$want_b2" -ge 3 ] && [ "$a_again" = $((3 * want_a)) ] && pass ||
  fail "file mode: $want_a, $want_b1, $want_b2, $a_again records (the captures changed?)"

# The sensor stops itself after the last frame of each reload's batch
# (PENTRAP_TEST_HOOK, docs/robustness.md): the test changes the order, sends SIGHUP and
# lets it go on, so each reload lands at a known frame, not when a sleep ends.
f1=$(live_count "$udp" "$aaa")
f2=$((f1 + $(live_count "$udp2" "$tcp" "$ws")))
PENTRAP_TEST_HOOK="STOP@frame:1,STOP@frame:$f1,STOP@frame:$f2" \
  live_start "$WORK/sensor" --order "$WORK/order.yaml" --db "$WORK/r.db" --jsonl "$WORK/live.jsonl" \
  --checkpoint-every 3 --stats-interval 0
wait_log() {
  for _ in $(seq 100); do grep -q "$1" "$SENSOR_ERR" && return 0; sleep 0.1; done
  fail "no '$1' in the log"; sed 's/^/  | /' "$SENSOR_ERR"; return 1
}
# hup_and_go: SIGHUP to the stopped sensor, then on (the reload comes before the next frame).
hup_and_go() { kill -HUP "$SENSOR_PID"; kill -CONT "$SENSOR_PID"; }

# Order A for the first batch; at its last frame the sensor stops: SIGHUP with order B.
# Both batches are sent while the sensor is stopped at its first frame, so it reads them
# back to back: the reload must land at frame f1 + 1, not after the frames read with f1.
live_replay "$udp" "$aaa" "$udp2" "$tcp" "$ws"
wait_stopped "$SENSOR_PID" || exit 1
kill -CONT "$SENSOR_PID"
wait_stopped "$SENSOR_PID" || exit 1
cp "$WORK/b.yaml" "$WORK/order.yaml"
hup_and_go
wait_log "order LIVE-B (sha256 [0-9a-f]*) now in force, replacing LIVE-A" && pass

# Order B for the second batch; then the same file again: nothing changes.
wait_stopped "$SENSOR_PID" || exit 1
hup_and_go
wait_log "order LIVE-B unchanged" && pass

# A broken order: refused, one clear line naming the file and the place, B stays.
printf 'order:\n  id: LIVE-C\n  kind: sideways\n' > "$WORK/order.yaml"
kill -HUP "$SENSOR_PID"
wait_log "SIGHUP: order refused, keeping order LIVE-B" && pass
grep -q "order refused, keeping order LIVE-B (sha256 [0-9a-f]*): $WORK/order.yaml:[0-9]*: " "$SENSOR_ERR" && pass ||
  { fail "the refusal does not name the file and line"; grep refused "$SENSOR_ERR"; }
live_replay "$fax" "$udp3"
live_wait_received $((f2 + $(live_count "$fax" "$udp3"))) || exit 1
live_stop
[ "$SENSOR_STATUS" = 0 ] && pass || { fail "exit status $SENSOR_STATUS"; sed 's/^/  | /' "$SENSOR_ERR"; }

# The records (but flow records), in the order they were made: order A's for its target
# only, then order B's, none for A's target; the last batch's after the broken order are
# B's fax target's.
targets_of() { python3 -c '
import json, sys
for l in sys.stdin: print(json.loads(l)["target"])' | sort -u | tr '\n' ' '; }
grep -v '"type": *"flow"' "$WORK/live.jsonl" > "$WORK/made.jsonl"
n=$(grep -c . "$WORK/made.jsonl")
[ "$n" = $((want_a + want_b1 + want_b2)) ] && pass ||
  fail "$n records, expected $want_a under order A, then $want_b1 and $want_b2 under order B"
[ "$(head -n "$want_a" "$WORK/made.jsonl" | targets_of)" = "$A_target " ] && pass ||
  fail "order A: records for '$(head -n "$want_a" "$WORK/made.jsonl" | targets_of)', expected $A_target only"
after=$(tail -n +$((want_a + 1)) "$WORK/made.jsonl" | targets_of)
[[ "$after" != *"$A_target"* ]] && [ -n "$after" ] && pass ||
  fail "after the reload: records for '$after', expected order B's targets only"
orders_of() { grep -o '"order": *"[^"]*"' | sort -u | tr -d ' ' | tr '\n' ' '; }
[ "$(head -n "$want_a" "$WORK/made.jsonl" | orders_of)" = '"order":"LIVE-A" ' ] &&
  [ "$(tail -n +$((want_a + 1)) "$WORK/made.jsonl" | orders_of)" = '"order":"LIVE-B" ' ] && pass ||
  fail "records do not name the order they were made under"
[ "$(tail -n "$want_b2" "$WORK/made.jsonl" | targets_of)" = "sip:061963177@italtel.it " ] && pass ||
  fail "after the broken order: records for '$(tail -n "$want_b2" "$WORK/made.jsonl" | targets_of)', expected order B's fax target"
"$PENTRAP" verify --db "$WORK/r.db" > "$WORK/verify.out" 2>&1 && pass || { fail "verify"; tail -5 "$WORK/verify.out"; }
runs=$(sqlite3 "$WORK/r.db" "SELECT order_id || ':' || status FROM runs ORDER BY id" | tr '\n' ' ')
[ "$runs" = "LIVE-A:ended LIVE-B:ended " ] && pass || fail "runs in the store: '$runs', expected LIVE-A then LIVE-B, both ended"
nstore=$(sqlite3 "$WORK/r.db" "SELECT count(*) FROM records")
nseen=$(wc -l < "$WORK/live.jsonl")
[ "$nstore" = "$nseen" ] && pass || fail "store has $nstore records, $nseen were seen"

# valid_until: the run ends by itself, cleanly, when the order's window is over.
UNTIL=$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%SZ) write_order "$WORK/short.yaml" LIVE-SHORT "sip: \"francisco@bestel.com\""
live_start "$WORK/short" --order "$WORK/short.yaml" --db "$WORK/short.db" --stats-interval 0
for _ in $(seq 100); do kill -0 "$SENSOR_PID" 2> /dev/null || break; sleep 0.1; done
if kill -0 "$SENSOR_PID" 2> /dev/null; then
  fail "the sensor still runs after its order's valid_until"; live_stop
else
  wait "$SENSOR_PID"; st=$?; SENSOR_PID=""
  [ "$st" = 0 ] && grep -q "order LIVE-SHORT is valid until .* and the clock has passed it: stopping" "$SENSOR_ERR" &&
    pass || { fail "valid_until: exit status $st"; sed 's/^/  | /' "$SENSOR_ERR"; }
  "$PENTRAP" verify --db "$WORK/short.db" > /dev/null 2>&1 && pass || fail "verify after valid_until"
fi
finish
