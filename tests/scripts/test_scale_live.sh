#!/usr/bin/env bash
# A live sensor sharing identity through the broker (docs/scale.md, "The ordering rule"):
# a user-plane sensor captures on a veth pair (tests/scripts/live_lib.sh) while the
# control plane's bindings have not been published yet; its events whose parties are
# addresses nobody is bound to wait (--identity-wait); the control-plane sensor then
# publishes, and the waiting events go on named by its bindings, each looked up at the
# event's own time. The broker runs in the test's network namespace, on its loopback.
# Also: the statistics (SIGUSR1) say the broker's state and what waited; SIGTERM
# publishes what is left before the sensor exits.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers_lib.sh"
source "$(dirname "$0")/live_lib.sh"
live_require
need_servers rmq
command -v capinfos > /dev/null || skip "needs capinfos (tshark's package)"
live_setup
trap 'servers_stop; live_cleanup' EXIT
ip netns exec "$NS" ip link set lo up
SERVERS_NETNS=$NS
rmq_start || { echo "FAIL: cannot start RabbitMQ"; exit 1; }

"$PENTRAP" gen --seed 5 --subscribers 60 --duration 120 -o "$WORK/g.pcap" --truth "$WORK/g.jsonl" -q
python3 "$SRC/tests/scripts/split_capture.py" "$WORK/g.pcap" "$WORK/cp.pcap" "$WORK/ua.pcap" "$WORK/ub.pcap" > /dev/null
targets=()
while read -r m; do targets+=("msisdn: \"$m\""); done < <(grep -o '"subscriber":"+[0-9]*"' "$WORK/g.jsonl" |
  sort -u | head -30 | sed 's/.*:"\(.*\)"/\1/')
write_order "$WORK/order.yaml" LIVE-SCALE-1 "${targets[@]}"
in_ns() { ip netns exec "$NS" "$PENTRAP" "$@"; }

# The reference: the same user plane read from its file after the control plane published.
in_ns run -q --order "$WORK/order.yaml" -r "$WORK/cp.pcap" --db "$WORK/ref-cp.db" --sensor ref-cp --broker "$RMQ_URL" ||
  fail "reference control plane"
in_ns run -q --order "$WORK/order.yaml" -r "$WORK/ua.pcap" --db "$WORK/ref-ua.db" --sensor ref-ua --broker "$RMQ_URL" \
  --jsonl "$WORK/ref-ua.jsonl" || fail "reference user plane"
rmq_ctl delete_queue pentrap.bindings > /dev/null # the live sensor starts with no binding published

# The live user-plane sensor sees its traffic first; the control plane publishes after.
live_start "$WORK/ua" --order "$WORK/order.yaml" --db "$WORK/ua.db" --sensor ua --jsonl "$WORK/ua.jsonl" \
  --broker "$RMQ_URL" --identity-wait 30 --stats-interval 0
live_replay "$WORK/ua.pcap"
live_wait_received "$(live_count "$WORK/ua.pcap")" || fail "the live sensor did not receive the user plane"
kill -USR1 "$SENSOR_PID"
sleep 0.5
grep -q "stats:.*broker connected since .*, identity bindings from other sensors 0" "$SENSOR_ERR" && pass ||
  { fail "the statistics before the bindings"; grep stats: "$SENSOR_ERR" | tail -1; }
grep -Eq "stats:.*events that waited for a shared binding [1-9][0-9]* \(0 then named" "$SENSOR_ERR" && pass ||
  { fail "no event waits before the bindings come"; grep stats: "$SENSOR_ERR" | tail -1; }
in_ns run -q --order "$WORK/order.yaml" -r "$WORK/cp.pcap" --db "$WORK/cp.db" --sensor cp --broker "$RMQ_URL" ||
  fail "control plane"
named_late=0
for _ in $(seq 50); do
  kill -USR1 "$SENSOR_PID"
  sleep 0.2
  named_late=$(grep -o '([0-9]* then named' "$SENSOR_ERR" | tail -1 | tr -dc 0-9)
  [ "${named_late:-0}" -gt 0 ] && break
done
[ "${named_late:-0}" -gt 0 ] && pass || { fail "no waiting event was named by the bindings that came"; tail -3 "$SENSOR_ERR"; }
live_stop
[ "$SENSOR_STATUS" = 0 ] && pass || { fail "live sensor: status $SENSOR_STATUS"; tail -5 "$SENSOR_ERR"; }
grep -q "broker .* 0 waiting" "$SENSOR_ERR" && pass || { fail "everything published at SIGTERM"; tail -5 "$SENSOR_ERR"; }

# What waited was named as reading the file after the bindings names it: the same subscribers.
named() {
  python3 -c '
import json, sys
s = set()
for l in open(sys.argv[1]):
    r = json.loads(l)
    ev = r.get("evidence", {})
    for k in ("from_subscriber", "to_subscriber"):
        if k in ev: s.add((r["type"], ev[k].get("msisdn", "")))
print("\n".join(sorted("%s %s" % x for x in s)))' "$1"
}
named "$WORK/ref-ua.jsonl" > "$WORK/want"
named "$WORK/ua.jsonl" > "$WORK/got"
[ "$(wc -l < "$WORK/want")" -ge 10 ] && pass || fail "the reference names too few"
# live time stamps are the clock's, so a binding the control plane closed before it ended
# covers none of them: the live sensor names a part of the file's, never anyone else
[ -s "$WORK/got" ] && [ -z "$(comm -13 "$WORK/want" "$WORK/got")" ] && pass ||
  { fail "live names not among the file's"; comm -13 "$WORK/want" "$WORK/got" | head; }
grep -q '"type":"ott.session.begin".*"from_subscriber"' "$WORK/ua.jsonl" && pass ||
  fail "no app session (made at its start, before the bindings came) was named"
finish
