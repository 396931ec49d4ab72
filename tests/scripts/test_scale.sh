#!/usr/bin/env bash
# Many sensors, one record (docs/scale.md), end to end on a throwaway RabbitMQ node and
# PostgreSQL cluster: a generated mobile-core capture split into its control plane and
# two user-plane halves (by tunnel endpoint), three sensors publishing to one broker, two
# collectors at once writing PostgreSQL. The central store must hold the same records as
# one sensor on the whole capture, field by field (not sensor, seq, hashes, the event id
# that hashes frame numbers, the capture hash and frame numbers of the evidence, nor the
# counterpart: app messages are paired within one sensor's records, docs/scale.md);
# every chain verifies there; the user-plane sensors name every subscriber the single
# sensor names only through the shared identity bindings. Then bad input: broker URLs
# and passwords, an unreachable broker and database, and messages a collector must refuse.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers_lib.sh"
need_servers pg rmq
BROKER_SEND=${BROKER_SEND:-$(dirname "$PENTRAP")/tests/broker_send}
[ -x "$BROKER_SEND" ] || { echo "FAIL: no $BROKER_SEND (built with the tests)"; exit 1; }
pg_start || { echo "FAIL: cannot start PostgreSQL"; exit 1; }
rmq_start || { echo "FAIL: cannot start RabbitMQ"; exit 1; }

# --- the capture, its three parts, the order ---
"$PENTRAP" gen --seed 5 --subscribers 60 --duration 120 -o "$WORK/g.pcap" --truth "$WORK/g.jsonl" -q
python3 "$SRC/tests/scripts/split_capture.py" "$WORK/g.pcap" "$WORK/cp.pcap" "$WORK/ua.pcap" "$WORK/ub.pcap" > /dev/null ||
  { echo "FAIL: split"; exit 1; }
{
  printf 'order:\n  id: SCALE-1\n  authority: test\n  kind: both\n'
  printf '  valid_from: 2026-01-01T00:00:00Z\n  valid_until: 2027-12-31T00:00:00Z\n  targets:\n'
  grep -o '"subscriber":"+[0-9]*"' "$WORK/g.jsonl" | sort -u | head -30 | sed 's/.*:"\(.*\)"/    - msisdn: "\1"/'
} > "$WORK/order.yaml"
run() { "$PENTRAP" run -q --order "$WORK/order.yaml" --checkpoint-every 40 "$@"; }

# One sensor on the whole capture: the reference.
run -r "$WORK/g.pcap" --db "$WORK/whole.db" --sensor whole --jsonl "$WORK/whole.jsonl" || fail "whole run"

# --- three sensors, one broker: the control plane first, whose bindings the others read first ---
run -r "$WORK/cp.pcap" --db "$WORK/cp.db" --sensor cp --broker "$RMQ_URL" 2> "$WORK/cp.err" || { fail "cp run"; cat "$WORK/cp.err"; }
run -r "$WORK/ua.pcap" --db "$WORK/ua.db" --sensor ua --broker "$RMQ_URL" --jsonl "$WORK/ua.jsonl" || fail "ua run"
run -r "$WORK/ub.pcap" --db "$WORK/ub.db" --sensor ub --broker "$RMQ_URL" --jsonl "$WORK/ub.jsonl" || fail "ub run"
[ "$(sqlite3 "$WORK/cp.db" 'SELECT count(*) FROM bindings')" -gt 20 ] && pass || fail "the control plane spooled no bindings"

# --- two collectors at once ---
# The first stops itself right after committing its first records (the test hook, before
# it acknowledges them) and holds them while the second starts and takes the rest, then
# goes on: alone, one collector can empty a queue this small before the other is up
# (it did, under the sanitizers).
PENTRAP_TEST_HOOK=STOP@record:1 "$PENTRAP" collect --broker "$RMQ_URL" --db "$PG_URL" --batch 2 --idle-exit 3 \
  2> "$WORK/c1.err" &
c1=$!
wait_stopped $c1 && pass
"$PENTRAP" collect --broker "$RMQ_URL" --db "$PG_URL" --batch 2 --idle-exit 3 2> "$WORK/c2.err"
st2=$?
# (it may stop again at another sensor's first record: continued until it ends)
while [ "$(awk '{ print $3 }' "/proc/$c1/stat" 2> /dev/null || echo gone)" != Z ] && [ -e "/proc/$c1" ]; do
  kill -CONT $c1 2> /dev/null
  sleep 0.2
done
wait $c1
st1=$?
[ $st1 = 0 ] && [ $st2 = 0 ] && pass || { fail "collectors: $st1 $st2"; cat "$WORK/c1.err" "$WORK/c2.err"; }
took() { sed -n 's/.*collect: \([0-9]*\) messages.*/\1/p' "$1"; }
[ "$(took "$WORK/c1.err")" -gt 0 ] && [ "$(took "$WORK/c2.err")" -gt 0 ] && pass ||
  { fail "both collectors took messages"; cat "$WORK/c1.err" "$WORK/c2.err"; }

# --- the central store holds what one sensor on the whole capture made ---
pg_sql "SELECT line FROM records" > "$WORK/pg.jsonl"
cat > "$WORK/same.py" << 'EOF'
import collections, json, sys
def key(line):
    r = json.loads(line)
    for k in ('seq', 'prev_hash', 'hash', 'event', 'counterpart'):
        r.pop(k, None)
    ev = r.get('evidence', {})
    for k in ('capture', 'frames', 'counterpart_score'):
        ev.pop(k, None)
    return json.dumps(r, sort_keys=True)
a = collections.Counter(key(l) for l in open(sys.argv[1]))
b = collections.Counter(key(l) for l in open(sys.argv[2]))
for k in list((a - b))[:3]:
    print('  only in %s: %s' % (sys.argv[1], k))
for k in list((b - a))[:3]:
    print('  only in %s: %s' % (sys.argv[2], k))
sys.exit(0 if a == b and sum(a.values()) > 100 else 1)
EOF
python3 "$WORK/same.py" "$WORK/whole.jsonl" "$WORK/pg.jsonl" && pass || fail "PostgreSQL's records are not the whole capture's"
n_spool=$(( $(sqlite3 "$WORK/cp.db" 'SELECT count(*) FROM records') + $(sqlite3 "$WORK/ua.db" 'SELECT count(*) FROM records') +
  $(sqlite3 "$WORK/ub.db" 'SELECT count(*) FROM records') ))
[ "$(pg_sql 'SELECT count(*) FROM records')" = "$n_spool" ] &&
  [ "$(pg_sql 'SELECT count(DISTINCT (chain, seq)) FROM records')" = "$n_spool" ] && pass ||
  fail "records in PostgreSQL $(pg_sql 'SELECT count(*) FROM records'), in the three stores $n_spool"
"$PENTRAP" verify --db "$PG_URL" > "$WORK/verify" && grep -q '^result: verified: 3 chains' "$WORK/verify" && pass ||
  { fail "verify in PostgreSQL"; tail -5 "$WORK/verify"; }
for s in cp ua ub; do
  grep -q "^sensor $s " "$WORK/verify" && pass || fail "verify names sensor $s"
done

# --- identity: the user-plane sensors name subscribers only through the shared bindings ---
named() { # the subscribers (MSISDN) the records' evidence says the map named
  python3 -c '
import json, sys
s = set()
for path in sys.argv[1:]:
    for l in open(path):
        ev = json.loads(l).get("evidence", {})
        for k in ("from_subscriber", "to_subscriber"):
            if k in ev: s.add(ev[k].get("msisdn", ev[k].get("imsi", "")))
print("\n".join(sorted(s)))' "$@"
}
run -r "$WORK/ua.pcap" --db "$WORK/ua0.db" --sensor ua0 --jsonl "$WORK/ua0.jsonl" || fail "ua alone"
run -r "$WORK/ub.pcap" --db "$WORK/ub0.db" --sensor ub0 --jsonl "$WORK/ub0.jsonl" || fail "ub alone"
# the whole capture's named subscribers in user-plane traffic: its records other than the control plane's
grep -v '"protocol":"gtpv2"' "$WORK/whole.jsonl" > "$WORK/whole-up.jsonl"
want=$(named "$WORK/whole-up.jsonl")
got=$(named "$WORK/ua.jsonl" "$WORK/ub.jsonl")
alone=$(named "$WORK/ua0.jsonl" "$WORK/ub0.jsonl")
[ -n "$want" ] && [ "$(echo "$want" | wc -l)" -ge 10 ] && pass || fail "the whole capture names too few subscribers to test"
[ "$got" = "$want" ] && pass || fail "with shared bindings the user plane names $(echo "$got" | grep -c .) of $(echo "$want" | wc -l)"
[ -z "$alone" ] && pass || fail "without shared bindings the user plane named: $alone"

# --- bad input: the sensor's broker URL and login ---
expect_run "run: not a broker URL" 2 "not a broker URL" -- run -q --order "$WORK/order.yaml" -r "$WORK/cp.pcap" \
  --db "$WORK/x1.db" --broker "http://127.0.0.1/"
expect_run "run: wrong password" 1 "login: the broker said 403 ACCESS_REFUSED" -- run -q --order "$WORK/order.yaml" \
  -r "$WORK/cp.pcap" --db "$WORK/x2.db" --broker "amqp://pentrap:wrong@127.0.0.1:$RMQ_PORT/%2f"
expect_run "run: unknown vhost" 1 "530 NOT_ALLOWED - vhost nowhere not found" -- run -q --order "$WORK/order.yaml" \
  -r "$WORK/cp.pcap" --db "$WORK/x3.db" --broker "amqp://pentrap:$RMQ_PASS@127.0.0.1:$RMQ_PORT/nowhere"
[ ! -e "$WORK/x2.db" ] && pass || fail "a refused login still recorded"
expect_run "run: --broker without a store" 2 "--broker needs a store" -- run -q --order "$WORK/order.yaml" \
  -r "$WORK/cp.pcap" --no-db --jsonl /dev/null --broker "$RMQ_URL"
# a broker that is not there: the run records, says so, and leaves the rest to publish
closed=$(free_port)
"$PENTRAP" run -q --order "$WORK/order.yaml" -r "$WORK/g.pcap" --db "$WORK/late.db" --sensor late \
  --broker "amqp://pentrap:$RMQ_PASS@127.0.0.1:$closed/%2f" --broker-wait 1 2> "$WORK/late.err"
st=$?
[ $st = 1 ] && grep -q "cannot connect" "$WORK/late.err" && grep -q "records not yet published" "$WORK/late.err" &&
  [ "$(sqlite3 "$WORK/late.db" 'SELECT count(*) FROM records')" -gt 50 ] && pass ||
  { fail "run with an unreachable broker: status $st"; cat "$WORK/late.err"; }
"$PENTRAP" publish --db "$WORK/late.db" --broker "$RMQ_URL" 2> "$WORK/pub.err" && grep -q ", 0 waiting" "$WORK/pub.err" && pass ||
  { fail "publish what waited"; cat "$WORK/pub.err"; }
"$PENTRAP" publish --db "$WORK/late.db" --broker "$RMQ_URL" 2> "$WORK/pub2.err" && grep -q " 0 records published" "$WORK/pub2.err" &&
  pass || { fail "publish again sent records again"; cat "$WORK/pub2.err"; }

# --- bad input: the collector's ---
expect_run "collect: wrong password" 1 "login: the broker said 403 ACCESS_REFUSED" -- \
  collect --broker "amqp://pentrap:wrong@127.0.0.1:$RMQ_PORT/%2f" --db "$PG_URL" --idle-exit 1
expect_run "collect: unreachable database" 1 "cannot connect: " -- \
  collect --broker "$RMQ_URL" --db "postgresql://pentrap@127.0.0.1:$closed/x" --idle-exit 1
expect_run "collect: not a database URL" 2 "the central store is a postgresql:// URL" -- \
  collect --broker "$RMQ_URL" --db "$WORK/x.db"
expect_run "collect: not a broker URL" 2 "not a broker URL" -- collect --broker "rabbit://x" --db "$PG_URL"

# Messages a collector must refuse, each counted and said once, none stored:
# somebody else's message; a pentrap type with a body that is no record; a record whose
# line was changed after it was hashed; a record hashed right that differs from the one
# stored at its place (its message's batch holds good ones, which are stored); a second
# sensor that calls itself cp.
echo hello > "$WORK/hello"
"$BROKER_SEND" "$RMQ_URL" pentrap.records application.event "$WORK/hello" colour=red || fail "send a foreign message"
g=$(sqlite3 "$WORK/ua.db" "SELECT value FROM meta WHERE key = 'genesis'")
hdr=(pentrap-format:=1 sensor=ua "key=$(sqlite3 "$WORK/ua.db" 'SELECT key_id FROM runs ORDER BY id DESC LIMIT 1')"
  "genesis=$g" "genesis-order=$(sqlite3 "$WORK/ua.db" "SELECT value FROM meta WHERE key = 'genesis_order'")"
  "genesis-order-sha256=$(sqlite3 "$WORK/ua.db" "SELECT value FROM meta WHERE key = 'genesis_order_sha256'")"
  "genesis-sensor=$(sqlite3 "$WORK/ua.db" "SELECT value FROM meta WHERE key = 'genesis_sensor'")"
  "genesis-created:=$(sqlite3 "$WORK/ua.db" "SELECT value FROM meta WHERE key = 'genesis_created_us'")"
  run:=1 first-seq:=1 count:=1)
"$BROKER_SEND" "$RMQ_URL" pentrap.records pentrap.records "$WORK/hello" "${hdr[@]}" || fail "send a body that is no record"
head -1 "$WORK/ua.jsonl" | sed 's/"direction":"out"/"direction":"in"/; s/"direction":"in"/"direction":"out"/2' > "$WORK/edited"
if cmp -s <(head -1 "$WORK/ua.jsonl") "$WORK/edited"; then
  head -1 "$WORK/ua.jsonl" | sed 's/"direction":"in"/"direction":"out"/' > "$WORK/edited"
fi
cmp -s <(head -1 "$WORK/ua.jsonl") "$WORK/edited" && fail "the record could not be edited for the test"
"$BROKER_SEND" "$RMQ_URL" pentrap.records pentrap.records "$WORK/edited" "${hdr[@]}" || fail "send an edited record"
forged=$(sed 's/"hash":"[0-9a-f]*"}$/"hash":""}/' "$WORK/edited" | tr -d '\n' | sha256sum | cut -c1-64)
sed "s/\"hash\":\"[0-9a-f]*\"}\$/\"hash\":\"$forged\"}/" "$WORK/edited" > "$WORK/forged"
"$BROKER_SEND" "$RMQ_URL" pentrap.records pentrap.records "$WORK/forged" "${hdr[@]}" || fail "send a differing record"
run -r "$WORK/cp.pcap" --db "$WORK/impostor.db" --sensor cp --broker "$RMQ_URL" --no-shared-identity || fail "impostor run"
before=$(pg_sql 'SELECT count(*) FROM records')
"$PENTRAP" collect --broker "$RMQ_URL" --db "$PG_URL" --idle-exit 3 2> "$WORK/c3.err"
st=$?
[ $st = 0 ] && pass || fail "collect with bad messages: status $st"
for kind in "not a pentrap message" "malformed: record line 1" "hash mismatch: record seq 1" "sensor id reused: sensor 'cp'" \
  "conflicting record: sensor 'ua'"; do
  [ "$(grep -c "refused a message ($kind" "$WORK/c3.err")" = 1 ] && pass || { fail "said once: $kind"; cat "$WORK/c3.err"; }
done
grep -q "refused: 1 not a pentrap message, 1 malformed, 1 hash mismatch, [1-9][0-9]* sensor id reused, 1 conflicting record" "$WORK/c3.err" &&
  pass || { fail "the refusals counted"; tail -1 "$WORK/c3.err"; }
late=$(sqlite3 "$WORK/late.db" 'SELECT count(*) FROM records')
[ "$(pg_sql 'SELECT count(*) FROM records')" = $((before + late)) ] && pass ||
  fail "stored $(($(pg_sql 'SELECT count(*) FROM records') - before)) records, expected the $late that waited"
[ "$(pg_sql "SELECT count(*) FROM chains WHERE sensor_id = 'cp'")" = 1 ] && pass || fail "the impostor's chain was stored"
[ "$(pg_sql "SELECT hash FROM records WHERE chain = '$g' AND seq = 1")" = "$(sqlite3 "$WORK/ua.db" 'SELECT hash FROM records WHERE seq = 1')" ] &&
  pass || fail "the differing record replaced the stored one"
# a quorum queue dead-letters after the reject, and list_queues counts what its leader
# applied: poll (at most 30 s) until the five refusals are there
for i in $(seq 60); do
  rejected=$(rmq_ctl list_queues name messages | awk '$1 == "pentrap.rejected" { print $2 }')
  [ "${rejected:-0}" -ge 5 ] && break
  sleep 0.5
done
[ "${rejected:-0}" -ge 5 ] && pass || fail "dead-lettered: ${rejected:-none}"
"$PENTRAP" verify -q --db "$PG_URL" > /dev/null && pass || fail "verify after the refusals"
finish
