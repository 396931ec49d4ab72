#!/usr/bin/env bash
# The records as evidence (docs/evidence.md): a store pentrap wrote verifies; every kind
# of tampering with it is found by `pentrap verify` with the right message and exit
# status 3: an edited field, a deleted, inserted or reordered record, records cut off
# (the five the issue names), and records appended, a column outside the hash, an
# altered checkpoint, edited custody, a run's end, the genesis, a chain rewritten from
# an edited record; and checkpoints signed again with another key pass only when the
# verifier is not given the sensor's public key.
source "$(dirname "$0")/lib.sh"
SAMPLE=$SRC/samples/sample.pcap
ORDER=$SRC/samples/order.yaml
TOOL=$SRC/tests/scripts/evidence_tool.py
cd "$WORK"

# The sensor's key, and a store of four runs (12 records, a checkpoint every 3).
"$PENTRAP" keygen -o sensor.key > keygen.out && [ -f sensor.key ] && [ -f sensor.pub ] && pass || fail "keygen"
[ "$(stat -c %a sensor.key)" = 600 ] && pass || fail "keygen: private key mode $(stat -c %a sensor.key), want 600"
grep -q "BEGIN PUBLIC KEY" sensor.pub && openssl pkey -in sensor.key -noout 2>/dev/null && pass || fail "keygen: PEM files"
expect_run "keygen refuses to overwrite" 2 "sensor.(key|pub): already exists" -- keygen -o sensor.key
for i in 1 2 3 4; do
  "$PENTRAP" run -q --again --key sensor.key --checkpoint-every 3 --note "tamper test run $i" \
    --order "$ORDER" -r "$SAMPLE" --db base.db || fail "run $i"
done
[ "$(sqlite3 base.db 'SELECT count(*) FROM records')" = 12 ] && pass || fail "base store: not 12 records"
python3 "$TOOL" base.db check > /dev/null && pass || fail "record hashes recomputed from docs/records.md's canonical form differ"
[ "$(sqlite3 base.db 'SELECT prev_hash FROM records WHERE seq = 1')" = "$(sqlite3 base.db "SELECT value FROM meta WHERE key = 'genesis'")" ] \
  && pass || fail "record 1 does not link to the genesis"

"$PENTRAP" verify --db base.db --pubkey sensor.pub > "$WORK/stdout" 2> "$WORK/stderr" && pass || fail "the untouched store does not verify"
grep -q "result: verified: 12 records" "$WORK/stdout" && pass || fail "verify: result line"
grep -q 'note       "tamper test run 3"' "$WORK/stdout" && grep -q "capture .*sample.pcap  sha256 " "$WORK/stdout" \
  && pass || fail "verify prints the custody"

# tamper NAME REGEX TOOL-ARGS...: a copy of the store, tampered with; verify must exit 3
# and print REGEX on standard output (one FAIL line at least).
tamper() {
  local name=$1 pattern=$2; shift 2
  cp base.db t.db
  rm -f t.db-wal t.db-shm
  if ! python3 "$TOOL" t.db "$@"; then fail "$name: could not tamper"; return; fi
  "$PENTRAP" verify --db t.db --pubkey sensor.pub > out 2> err
  local st=$?
  if [ $st != 3 ]; then fail "$name: verify exited $st, want 3"; sed 's/^/  | /' out err; return; fi
  if ! grep -Eq -- "FAIL  $pattern" out; then fail "$name: no line /$pattern/"; sed 's/^/  | /' out; return; fi
  grep -q "verification failed" err && pass || fail "$name: no failure line on stderr"
}

# The five of the issue.
tamper "edit a field"    "record 5: edited: its fields do not hash" edit 5 to_party sip:mallory@example.invalid
tamper "delete"          "record 5: deleted \(seq jumps from 4 to 6\)" delete 5
tamper "insert"          "record 5: inserted: not part of the chain \(record 6 links to record 4\)" insert 5
tamper "reorder"         "records 5\.\.6: reordered" reorder 5
tamper "truncate"        "truncated: the store ends at seq 9, but the checkpoint at seq 12 .* records 10\.\.12 were removed" truncate 9
# And more.
tamper "append"          "record 13: not covered by any signed checkpoint" append
tamper "column outside the hash" "record 7: edited: column ts does not match" edit 7 ts 2001-01-01T00:00:00.000000Z
tamper "rewrite and re-chain" "checkpoint at seq 6: record 6 is not the record it signed" rechain 5 to_party sip:mallory@example.invalid

# Tampering with the tables beside the records.
sqltamper() {
  local name=$1 pattern=$2 sql=$3
  cp base.db t.db
  sqlite3 t.db "$sql" || { fail "$name: sql"; return; }
  "$PENTRAP" verify --db t.db --pubkey sensor.pub > out 2> err
  local st=$?
  if [ $st = 3 ] && grep -Eq -- "FAIL  $pattern" out; then pass; else fail "$name: status $st"; sed 's/^/  | /' out; fi
}
sqltamper "checkpoint altered" "checkpoint at seq 6 .*: bad signature" "UPDATE checkpoints SET time_us = time_us + 1 WHERE seq = 6 AND final = 0"
sqltamper "custody edited"     "run 2: custody edited"           "UPDATE runs SET note = 'nothing to see' WHERE id = 2"
sqltamper "capture hash edited" "run 1: custody edited"          "UPDATE runs SET captures = replace(captures, '\"size\":', '\"size\":1') WHERE id = 1"
sqltamper "run end edited"     "run 3: its end .* is not what its final checkpoint signed" "UPDATE runs SET last_seq = 8 WHERE id = 3"
sqltamper "genesis edited"     "genesis: edited"                 "UPDATE meta SET value = 'another-sensor' WHERE key = 'genesis_sensor'"
sqltamper "final checkpoint removed" "run 4: recorded as ended, but its final checkpoint is missing" "DELETE FROM checkpoints WHERE run_id = 4 AND final = 1"

# Someone who rewrites the records and signs every checkpoint again with a key of their
# own (as anyone can with a key kept beside the records) passes a verifier that trusts
# the keys in the store, and fails one given the sensor's public key.
"$PENTRAP" keygen -o attacker.key > /dev/null
cp base.db t.db
python3 "$TOOL" t.db rechain 5 to_party sip:mallory@example.invalid && python3 "$TOOL" t.db resign attacker.key \
  || fail "resign: could not tamper"
"$PENTRAP" verify --db t.db > out 2> err && grep -q "public key kept in the store itself" out \
  && pass || fail "re-signed store: without --pubkey it should pass (and say what that proves)"
"$PENTRAP" verify --db t.db --pubkey sensor.pub > out 2> err
[ $? = 3 ] && grep -q "FAIL  checkpoint at seq 3 .*bad signature: signed by key .*, but it is not the given public key" out \
  && pass || fail "re-signed store: --pubkey sensor.pub must fail it"

# The store's own key (no --key): made on the first run beside the store, mode 0600.
"$PENTRAP" run -q --order "$ORDER" -r "$SAMPLE" --db own.db && [ "$(stat -c %a own.db.key)" = 600 ] \
  && pass || fail "the store's own key"
"$PENTRAP" verify -q --db own.db --pubkey own.db.key > /dev/null && pass || fail "verify with the store's own key"
expect_run "verify with another key" 3 "verification failed" -- verify --db own.db --pubkey sensor.pub

# Bad input to verify.
expect_run "verify a missing store" 2 "missing.db: cannot open store" -- verify --db missing.db
echo "not a store" > text.db
expect_run "verify a non-store" 2 "text.db: not a pentrap store" -- verify --db text.db
expect_run "verify with a bad key" 2 "sensor.key.bogus: cannot open key" -- verify --db base.db --pubkey sensor.key.bogus
expect_run "verify without --db" 2 "needs --db" -- verify
finish
