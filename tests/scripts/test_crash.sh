#!/usr/bin/env bash
# Crash safety (docs/evidence.md): kill -9 during a run on a large capture leaves a store
# that verifies, holding exactly the records its last checkpoint covers; `--resume`
# continues the interrupted run (checking the records already stored) and the result is
# the same records an uninterrupted run gives; a plain rerun continues the chain.
# The capture: 20000 SIP calls (tests/scripts/gen_sip_calls.py; `pentrap gen` later).
source "$(dirname "$0")/lib.sh"
cd "$WORK"
CALLS=20000
EVERY=100
python3 "$SRC/tests/scripts/gen_sip_calls.py" big.pcap $CALLS || { fail "generate the capture"; finish; exit; }
cat > order.yaml <<'Y'
order:
  id: CRASH-1
  kind: both
  valid_from: 2023-01-01T00:00:00Z
  valid_until: 2024-12-31T00:00:00Z
  targets:
    - msisdn: "+15550000001"
Y
RUN=("$PENTRAP" run -q --checkpoint-every $EVERY --key sensor.key --order order.yaml -r big.pcap)
run() { "${RUN[@]}" "$@"; }
count() { sqlite3 "$1" 'SELECT count(*) FROM records' 2>/dev/null || echo 0; }
# The records without what depends on the store (the chain and the genesis).
content() { sqlite3 "$1" "SELECT seq, ts_us, type, target, direction, from_party, to_party, call_id, outcome, evidence FROM records ORDER BY seq"; }
"$PENTRAP" keygen -o sensor.key > /dev/null

# The reference: one uninterrupted run.
run --db ref.db || fail "reference run"
WANT=$((3 * CALLS))
[ "$(count ref.db)" = $WANT ] && pass || fail "reference run: $(count ref.db) records, want $WANT"

# crash DB SEQ [ARGS]: a run into DB that kills itself (SIGKILL) right after writing the
# record with seq SEQ (PENTRAP_TEST_HOOK, docs/robustness.md: no race with the run);
# fails when it was not killed so.
crash() {
  local db=$1 at=$2; shift 2
  PENTRAP_TEST_HOOK="KILL@record:$at" "${RUN[@]}" --db "$db" "$@" 2> crash.err &
  wait $! # (a job in the background: bash says nothing of how it ended)
  local st=$?
  if [ $st != 137 ]; then fail "crash: the run ended with status $st, not killed at record $at"; return 1; fi
  return 0
}

# verify_crashed DB: verifies, and the records end exactly at the last checkpoint.
verify_crashed() {
  local db=$1 what=$2
  "$PENTRAP" verify --db "$db" --pubkey sensor.pub > v.out 2> v.err
  local st=$?
  if [ $st = 0 ]; then pass; else fail "$what: verify exited $st"; sed 's/^/  | /' v.out | head; fi
  grep -q "interrupted" v.out && pass || fail "$what: verify does not say the run was interrupted"
  local n last_cp
  n=$(count "$db")
  last_cp=$(sqlite3 "$db" 'SELECT max(seq) FROM checkpoints')
  [ "$n" = "${last_cp:-0}" ] && pass || fail "$what: $n records, but the last checkpoint covers ${last_cp:-0}"
  [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] && pass || fail "$what: SQLite integrity check"
}

# 1. Killed mid-run (after record 6050: 6000 are committed, the checkpoint every 100),
#    resumed, killed again, resumed to the end.
if crash crash.db 6050; then
  verify_crashed crash.db "first crash"
  C1=$(count crash.db)
  [ "$C1" = 6000 ] && pass || fail "first crash: $C1 records committed, expected 6000"
  if crash crash.db 15050 --resume; then
    verify_crashed crash.db "second crash (while resuming)"
    C2=$(count crash.db)
    [ "$C2" = 15000 ] && pass || fail "second crash: $C2 records committed, expected 15000"
  fi
  run --db crash.db --resume 2> resume.err && pass || { fail "resume"; cat resume.err; }
  "$PENTRAP" verify -q --db crash.db --pubkey sensor.pub > v.out && pass || { fail "resumed store does not verify"; cat v.out; }
  [ "$(count crash.db)" = $WANT ] && pass || fail "resumed store: $(count crash.db) records, want $WANT"
  [ "$(content crash.db | sha256sum)" = "$(content ref.db | sha256sum)" ] && pass \
    || fail "resumed store: records differ from the uninterrupted run's"
  [ "$(sqlite3 crash.db 'SELECT resumes FROM runs ORDER BY id DESC LIMIT 1')" -ge 1 ] && pass || fail "the last run does not say it resumes one"
fi

# 2. Killed before anything was committed (after the first record, before the first
#    checkpoint): the run is in the store, no record; it verifies; resuming completes it.
if crash early.db 1; then
  [ "$(sqlite3 early.db 'SELECT count(*) FROM runs')" = 1 ] && [ "$(count early.db)" = 0 ] && pass ||
    fail "killed early: $(sqlite3 early.db 'SELECT count(*) FROM runs') runs, $(count early.db) records, expected 1 and 0"
fi
"$PENTRAP" verify -q --db early.db --pubkey sensor.pub > /dev/null && pass || fail "killed early: verify"
run --db early.db --resume && [ "$(count early.db)" = $WANT ] && pass || fail "killed early: resume ($(count early.db) records)"

# 3. A plain rerun after a crash is refused (the capture is in the store: its records
#    would be there twice) and says --resume; with --again it continues the chain after
#    the committed records.
if crash rerun.db 3050; then
  C=$(count rerun.db)
  [ "$C" = 3000 ] && pass || fail "rerun: $C records committed before the crash, expected 3000"
  run --db rerun.db 2> rerun.err && fail "rerun without --again was not refused" || \
    { grep -q "is already in this store (run 1 of .*, interrupted: --resume continues it); --again records it again" rerun.err \
      && pass || { fail "rerun refused otherwise"; cat rerun.err; }; }
  run --db rerun.db --again && pass || fail "rerun after a crash"
  [ "$(count rerun.db)" = $((C + WANT)) ] && pass || fail "rerun: $(count rerun.db) records, want $((C + WANT))"
  "$PENTRAP" verify -q --db rerun.db --pubkey sensor.pub > v.out && pass || { fail "rerun: verify"; cat v.out; }
fi

# 5. The same with worker threads (run -j 2): the records' order does not depend on the
#    threads' timing, so a killed -j 2 run resumes with -j 2 to what an uninterrupted
#    -j 2 run stores (the custody hashed beside the reading, records held until then).
run --db ref2.db -j 2 || fail "reference run with -j 2"
[ "$(count ref2.db)" = $WANT ] && pass || fail "-j 2 reference: $(count ref2.db) records, want $WANT"
[ "$(sqlite3 ref2.db 'SELECT captures FROM runs')" = "$(sqlite3 ref.db 'SELECT captures FROM runs')" ] && pass \
  || fail "-j 2: the custody's captures differ from -j 1's"
if crash crash2.db 6050 -j 2; then
  verify_crashed crash2.db "-j 2 crash"
  [ "$(count crash2.db)" = 6000 ] && pass || fail "-j 2 crash: $(count crash2.db) records committed, expected 6000"
  run --db crash2.db --resume -j 2 2> resume2.err && pass || { fail "-j 2 resume"; cat resume2.err; }
  "$PENTRAP" verify -q --db crash2.db --pubkey sensor.pub > v.out && pass || { fail "-j 2 resumed store does not verify"; cat v.out; }
  [ "$(content crash2.db | sha256sum)" = "$(content ref2.db | sha256sum)" ] && pass \
    || fail "-j 2 resumed store: records differ from the uninterrupted -j 2 run's"
fi

# 4. --resume refuses what is not the interrupted run.
expect_run "resume a store whose last run ended" 2 "no interrupted run to resume" -- \
  run -q --key sensor.key --order order.yaml -r big.pcap --db ref.db --resume
if crash other.db 3050; then
  cp "$SRC/samples/sample.pcap" small.pcap
  expect_run "resume with other captures" 2 "not those of the interrupted run" -- \
    run -q --key sensor.key --order order.yaml -r small.pcap --db other.db --resume
fi
finish
