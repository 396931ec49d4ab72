#!/usr/bin/env bash
# Many sensors, one record: a part fails and nothing is lost or doubled (docs/scale.md,
# "When a part fails"), on a throwaway RabbitMQ node and PostgreSQL cluster. Each fault
# is made at an exact record with the test hook (PENTRAP_TEST_HOOK), not with sleeps:
#   a collector killed (SIGKILL) after committing a batch it had not yet acknowledged;
#   PostgreSQL stopped and started again while a collector is between two batches;
#   the broker stopped for 30 s while a sensor is publishing, then started again;
#   a sensor killed (SIGKILL) mid-run and resumed (--resume).
# After each: every record of the sensor's store is in PostgreSQL once, counted per
# (chain, seq), and every chain verifies.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers_lib.sh"
need_servers pg rmq
pg_start || { echo "FAIL: cannot start PostgreSQL"; exit 1; }
rmq_start || { echo "FAIL: cannot start RabbitMQ"; exit 1; }

"$PENTRAP" gen --seed 9 --subscribers 150 --duration 300 -o "$WORK/g.pcap" --truth "$WORK/g.jsonl" -q
{
  printf 'order:\n  id: FAULTS-1\n  authority: test\n  kind: both\n'
  printf '  valid_from: 2026-01-01T00:00:00Z\n  valid_until: 2027-12-31T00:00:00Z\n  targets:\n'
  grep -o '"subscriber":"+[0-9]*"' "$WORK/g.jsonl" | sort -u | head -80 | sed 's/.*:"\(.*\)"/    - msisdn: "\1"/'
} > "$WORK/order.yaml"
# (exec: a function put in the background is a subshell; the pid a test stops and continues
# must be pentrap's own)
sensor() { # NAME [ARGS...]: a sensor on the whole capture, publishing, records committed every 25
  local name=$1; shift
  exec "$PENTRAP" run -q --order "$WORK/order.yaml" -r "$WORK/g.pcap" --db "$WORK/$name.db" --sensor "$name" \
    --checkpoint-every 25 --broker "$RMQ_URL" --no-shared-identity "$@"
}
collect() { exec "$PENTRAP" collect --broker "$RMQ_URL" --db "$PG_URL" "$@"; }
# stopped PID: waits (at most 60 s) until the process stopped itself (the hook's SIGSTOP)
stopped() {
  local i
  for i in $(seq 600); do
    [ "$(awk '{ print $3 }' "/proc/$1/stat" 2> /dev/null)" = T ] && return 0
    sleep 0.1
  done
  kill -KILL "$1" # never left stopped behind
  return 1
}
# complete NAME: the store's records are all in PostgreSQL, each once, and every chain verifies
complete() {
  local n g
  n=$(sqlite3 "$WORK/$1.db" 'SELECT count(*) FROM records')
  g=$(sqlite3 "$WORK/$1.db" "SELECT value FROM meta WHERE key = 'genesis'")
  [ "$n" -gt 500 ] || { fail "$1: only $n records in its store"; return; }
  local got distinct
  got=$(pg_sql "SELECT count(*) FROM records WHERE chain = '$g'")
  distinct=$(pg_sql "SELECT count(DISTINCT (chain, run_id, seq)) FROM records WHERE chain = '$g'")
  [ "$got" = "$n" ] && [ "$distinct" = "$n" ] && pass || fail "$1: $got records in PostgreSQL ($distinct distinct), $n in its store"
  # the same records, hash for hash
  sqlite3 "$WORK/$1.db" 'SELECT seq || " " || hash FROM records ORDER BY seq' > "$WORK/$1.want"
  pg_sql "SELECT seq || ' ' || hash FROM records WHERE chain = '$g' ORDER BY seq" > "$WORK/$1.got"
  cmp -s "$WORK/$1.want" "$WORK/$1.got" && pass || fail "$1: the records in PostgreSQL are not the store's"
  "$PENTRAP" verify -q --db "$PG_URL" > "$WORK/verify" && pass || { fail "$1: verify"; cat "$WORK/verify"; }
}

# --- a collector killed after committing a batch it had not acknowledged ---
(sensor a) || fail "sensor a"
(PENTRAP_TEST_HOOK=KILL@record:300 collect --batch 1 2> "$WORK/ca1.err")
st=$?
[ $st = 137 ] && pass || { fail "collector with KILL@record:300: status $st"; cat "$WORK/ca1.err"; }
[ "$(pg_sql 'SELECT count(*) FROM records')" -ge 300 ] && pass || fail "nothing committed before the kill"
(collect --idle-exit 3 2> "$WORK/ca2.err") || fail "the collector after the kill"
grep -Eq 'collect: [0-9]+ messages, [0-9]+ records stored, [1-9][0-9]* already there' "$WORK/ca2.err" && pass ||
  { fail "the unacknowledged batch did not come again"; cat "$WORK/ca2.err"; }
complete a

# --- PostgreSQL stopped and started while a collector is between two batches ---
(sensor b) || fail "sensor b"
PENTRAP_TEST_HOOK=STOP@record:200 collect --batch 1 --idle-exit 3 2> "$WORK/cb.err" &
cb=$!
stopped $cb && pass || fail "the collector did not stop at record 200"
pg_down || fail "stop PostgreSQL"
kill -CONT $cb
sleep 2
pg_up || fail "start PostgreSQL"
wait $cb
st=$?
[ $st = 0 ] && grep -q "database: .*retrying" "$WORK/cb.err" && grep -q "database reached again" "$WORK/cb.err" && pass ||
  { fail "the collector across PostgreSQL's restart: status $st"; cat "$WORK/cb.err"; }
complete b

# --- the broker stopped for 30 s while a sensor publishes ---
collect --idle-exit 8 2> "$WORK/cc.err" &
cc=$!
PENTRAP_TEST_HOOK=STOP@record:400 sensor c 2> "$WORK/sc.err" &
sc=$!
stopped $sc && pass || fail "the sensor did not stop at record 400"
rmq_down
kill -CONT $sc
sleep 30
rmq_up || fail "start RabbitMQ again"
wait $sc
st=$?
# it says the broker is gone (lost, not reachable, or failing the login or channel while it stops) and what waited when it came back
[ $st = 0 ] && grep -Eq "lost|cannot connect|login: |opening a channel: " "$WORK/sc.err" && grep -q "reached: publishing the [0-9]* records that waited" "$WORK/sc.err" &&
  pass || { fail "the sensor across the broker's outage: status $st"; cat "$WORK/sc.err"; }
wait $cc
st=$?
[ $st = 0 ] && grep -q "broker lost" "$WORK/cc.err" && grep -q "reached again" "$WORK/cc.err" && pass ||
  { fail "the collector across the broker's outage: status $st"; cat "$WORK/cc.err"; }
complete c

# --- a sensor killed mid-run and resumed ---
(PENTRAP_TEST_HOOK=KILL@record:520 sensor d 2> /dev/null)
st=$?
[ $st = 137 ] && pass || fail "sensor with KILL@record:520: status $st"
kept=$(sqlite3 "$WORK/d.db" 'SELECT count(*) FROM records')
[ "$kept" -ge 500 ] && [ "$kept" -lt 520 ] && pass || fail "the killed sensor kept $kept records"
(sensor d --resume 2> "$WORK/sd.err") || { fail "resume"; cat "$WORK/sd.err"; }
(collect --idle-exit 3 2> "$WORK/cd.err") || fail "collect after the resume"
complete d
finish
