#!/usr/bin/env bash
# The central store (PostgreSQL, docs/scale.md): a throwaway cluster; two sensors' stores
# imported (pentrap db import, the collector's own ingest); query, report and verify give
# what they give on the SQLite stores; importing again stores nothing twice; edits in the
# database are found and named by sensor and seq; deliver hands the records over chain after
# chain, only as far as each chain has no gap; bad input is one line.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/servers_lib.sh"
need_servers pg
pg_start || { echo "FAIL: cannot start PostgreSQL"; exit 1; }

# Two sensors (one on the first half of a generated capture, then on its second half:
# two runs; one on the whole), one order naming 12 subscribers.
"$PENTRAP" gen --seed 11 --subscribers 40 --duration 90 -o "$WORK/g.pcap" --truth "$WORK/g.jsonl" 2> /dev/null
editcap_ok=1
python3 - "$WORK/g.pcap" "$WORK/a.pcap" "$WORK/b.pcap" << 'EOF' || editcap_ok=0
import struct, sys
src, a, b = sys.argv[1:4]
with open(src, 'rb') as f:
    head = f.read(24)
    recs = []
    while True:
        h = f.read(16)
        if len(h) < 16: break
        n = struct.unpack('<IIII', h)[2]
        recs.append(h + f.read(n))
half = len(recs) // 2
for path, part in ((a, recs[:half]), (b, recs[half:])):
    with open(path, 'wb') as out:
        out.write(head)
        for r in part: out.write(r)
EOF
[ "$editcap_ok" = 1 ] || { echo "FAIL: cannot split the capture"; exit 1; }
{
  printf 'order:\n  id: PG-1\n  authority: test\n  kind: both\n'
  printf '  valid_from: 2026-01-01T00:00:00Z\n  valid_until: 2027-12-31T00:00:00Z\n  targets:\n'
  grep -o '"subscriber":"+[0-9]*"' "$WORK/g.jsonl" | sort -u | head -12 | sed 's/.*:"\(.*\)"/    - msisdn: "\1"/'
} > "$WORK/order.yaml"
"$PENTRAP" run -q --order "$WORK/order.yaml" -r "$WORK/a.pcap" --db "$WORK/a.db" --sensor sensor-a || fail "run a"
"$PENTRAP" run -q --order "$WORK/order.yaml" -r "$WORK/g.pcap" --db "$WORK/b.db" --sensor sensor-b || fail "run b"
# a second run into a: two runs in one chain
"$PENTRAP" run -q --order "$WORK/order.yaml" -r "$WORK/b.pcap" --db "$WORK/a.db" --sensor sensor-a || fail "run a2"

# --- the schema ---
out=$("$PENTRAP" db migrate --db "$PG_URL") && [[ $out == *"schema at version 2"* ]] && pass || fail "migrate: $out"
out=$("$PENTRAP" db migrate --db "$PG_URL") && [[ $out == *"schema at version 2"* ]] && pass || fail "migrate again: $out"
[ "$(pg_sql 'SELECT count(*) FROM pentrap_schema')" = 2 ] && pass || fail "two steps recorded"
# a database left at version 1: read-only use refuses it, saying what to do; migrate brings it on
pg_sql "DELETE FROM pentrap_schema WHERE version = 2; DROP TABLE cursors; CREATE INDEX records_ts ON records (ts_us)" > /dev/null
expect_run "verify: an older schema" 2 "schema version 1, this pentrap reads version 2 \('pentrap db migrate' brings it up to date\)" -- \
  verify --db "$PG_URL"
out=$("$PENTRAP" db migrate --db "$PG_URL") && [[ $out == *"schema at version 2"* ]] &&
  [ "$(pg_sql "SELECT count(*) FROM pg_indexes WHERE indexname = 'records_ts'")" = 0 ] && pass || fail "migrate 1 to 2: $out"

# --- import, twice ---
"$PENTRAP" db import --db "$PG_URL" "$WORK/a.db" "$WORK/b.db" > "$WORK/import1" || fail "import"
"$PENTRAP" db import --db "$PG_URL" "$WORK/a.db" "$WORK/b.db" > "$WORK/import2" || fail "import again"
grep -q ': 0 rows stored' "$WORK/import2" && ! grep -qv ': 0 rows stored' "$WORK/import2" && pass ||
  { fail "a second import stored something"; cat "$WORK/import2"; }
na=$(sqlite3 "$WORK/a.db" 'SELECT count(*) FROM records'); nb=$(sqlite3 "$WORK/b.db" 'SELECT count(*) FROM records')
[ "$(pg_sql 'SELECT count(*) FROM records')" = $((na + nb)) ] && [ "$na" -gt 50 ] && [ "$nb" -gt 50 ] && pass ||
  fail "records in PostgreSQL: $(pg_sql 'SELECT count(*) FROM records'), expected $na + $nb"
[ "$(pg_sql 'SELECT count(*) FROM runs')" = 3 ] && pass || fail "runs: $(pg_sql 'SELECT count(*) FROM runs')"

# --- query: every target gives the two stores' records together, in time order ---
same=0; total=0
for t in $(sed -n 's/.*msisdn: "\(.*\)"/\1/p' "$WORK/order.yaml"); do
  for fmt in jsonl csv; do
    "$PENTRAP" query --db "$WORK/a.db" --target "$t" --format $fmt > "$WORK/qa"
    "$PENTRAP" query --db "$WORK/b.db" --target "$t" --format $fmt > "$WORK/qb"
    "$PENTRAP" query --db "$PG_URL" --target "$t" --format $fmt > "$WORK/qp" || fail "query $t"
    total=$((total + 1))
    # the same rows; header once
    if [ $fmt = csv ]; then
      { head -1 "$WORK/qa" "$WORK/qb" -q | head -1; tail -n +2 "$WORK/qa"; tail -n +2 "$WORK/qb"; } | sort > "$WORK/want"
      sort "$WORK/qp" > "$WORK/got"
    else
      sort "$WORK/qa" "$WORK/qb" > "$WORK/want"; sort "$WORK/qp" > "$WORK/got"
    fi
    cmp -s "$WORK/want" "$WORK/got" && same=$((same + 1))
  done
  # time order across the two sensors
  "$PENTRAP" query --db "$PG_URL" --target "$t" --format jsonl > "$WORK/qp"
  python3 -c '
import json,sys
ts=[json.loads(l)["ts"] for l in open(sys.argv[1])]
sys.exit(0 if ts==sorted(ts) else 1)' "$WORK/qp" || fail "query $t: not in time order"
done
[ $same = $total ] && pass || fail "query: $same of $total answers equal the SQLite stores'"

# --- report ---
"$PENTRAP" report --db "$PG_URL" -o "$WORK/r.html" 2> "$WORK/err" && grep -q 'sensor-a 2' "$WORK/r.html" &&
  grep -q 'sensor-b 1' "$WORK/r.html" && grep -q 'verified' "$WORK/r.html" && pass ||
  { fail "report on PostgreSQL"; cat "$WORK/err"; }

# --- verify ---
"$PENTRAP" verify --db "$PG_URL" > "$WORK/v" && grep -q '^result: verified: 2 chains' "$WORK/v" &&
  grep -q '^sensor sensor-a ' "$WORK/v" && grep -q '^sensor sensor-b ' "$WORK/v" && pass ||
  { fail "verify on PostgreSQL"; cat "$WORK/v"; }

# edits in the database: each found, naming the sensor and the seq
chain_b=$(pg_sql "SELECT genesis FROM chains WHERE sensor_id = 'sensor-b'")
tamper() { # NAME SQL UNDO PATTERN
  pg_sql "$2" > /dev/null
  "$PENTRAP" verify -q --db "$PG_URL" > "$WORK/v" 2> "$WORK/verr"
  local st=$?
  pg_sql "$3" > /dev/null
  if [ $st = 3 ] && grep -Eq -- "$4" "$WORK/v"; then pass; else fail "$1: status $st"; cat "$WORK/v"; fi
}
tamper "line edited" \
  "UPDATE records SET line = replace(line, '\"direction\":\"', '\"direction\":\"x') WHERE chain = '$chain_b' AND seq = 5" \
  "UPDATE records SET line = replace(line, '\"direction\":\"x', '\"direction\":\"') WHERE chain = '$chain_b' AND seq = 5" \
  'FAIL  sensor sensor-b: record 5: '
tamper "indexed column edited" \
  "UPDATE records SET target = 'x' || target WHERE chain = '$chain_b' AND seq = 7" \
  "UPDATE records SET target = substr(target, 2) WHERE chain = '$chain_b' AND seq = 7" \
  'FAIL  sensor sensor-b: record 7: edited: column target'
pg_sql "CREATE TABLE saved AS SELECT * FROM records WHERE chain = '$chain_b' AND seq = 9" > /dev/null
tamper "record deleted" \
  "DELETE FROM records WHERE chain = '$chain_b' AND seq = 9" \
  "INSERT INTO records SELECT * FROM saved" \
  'FAIL  sensor sensor-b: record 9: deleted'
"$PENTRAP" verify -q --db "$PG_URL" > /dev/null && pass || fail "verify after undoing the edits"

# --- deliver from the central store: chain after chain (by sensor id), each as its own store gives it ---
: > "$WORK/want.ber"
for x in a b; do
  "$PENTRAP" deliver --db "$WORK/$x.db" --order "$WORK/order.yaml" --liid LIID-1 --element "sensor-$x" -o - \
    >> "$WORK/want.ber" 2> "$WORK/err" || { fail "deliver -o from $x.db"; cat "$WORK/err"; }
done
"$PENTRAP" deliver --db "$PG_URL" --order PG-1 --liid LIID-1 -o "$WORK/pg.ber" 2> "$WORK/err" &&
  [ "$(stat -c %s "$WORK/want.ber")" -gt 1000 ] && cmp -s "$WORK/want.ber" "$WORK/pg.ber" && pass ||
  { fail "deliver -o from PostgreSQL: not the sensors' stores' IRI chain after chain"; cat "$WORK/err"; }
# to a LEMF, with a record of b's chain not yet stored (as when another collector still
# holds it): b's IRI stop before it; once it is there, the next delivery sends the rest, once
python3 "$SRC/tests/handover/lemf.py" --port-file "$WORK/lemf.port" --out "$WORK/lemf.ber" --stop-after 60 \
  2> "$WORK/lemf.log" &
lemf_pid=$!
for _ in $(seq 100); do [ -s "$WORK/lemf.port" ] && break; sleep 0.05; done
lemf="127.0.0.1:$(cat "$WORK/lemf.port")"
pg_sql "DROP TABLE IF EXISTS saved; CREATE TABLE saved AS SELECT * FROM records WHERE chain = '$chain_b' AND seq = 30;
        DELETE FROM records WHERE chain = '$chain_b' AND seq = 30" > /dev/null
"$PENTRAP" deliver --db "$PG_URL" --order PG-1 --liid LIID-1 --to "$lemf" 2> "$WORK/d1.err" || { fail "deliver to the LEMF"; cat "$WORK/d1.err"; }
held=$(stat -c %s "$WORK/lemf.ber")
[ "$held" -gt 0 ] && [ "$held" -lt "$(stat -c %s "$WORK/want.ber")" ] && cmp -s -n "$held" "$WORK/want.ber" "$WORK/lemf.ber" &&
  pass || { fail "deliver with a record missing: the LEMF holds $held bytes, not what comes before it"; cat "$WORK/d1.err"; }
pg_sql "INSERT INTO records SELECT * FROM saved; DROP TABLE saved" > /dev/null
"$PENTRAP" deliver --db "$PG_URL" --order PG-1 --liid LIID-1 --to "$lemf" 2> "$WORK/d2.err" &&
  cmp -s "$WORK/want.ber" "$WORK/lemf.ber" && grep -q "delivered before" "$WORK/d2.err" && pass ||
  { fail "deliver after the missing record came: the LEMF does not hold every IRI once, in order"; cat "$WORK/d2.err"; }
"$PENTRAP" deliver --db "$PG_URL" --order PG-1 --liid LIID-1 --to "$lemf" 2> "$WORK/d3.err" &&
  grep -q "^pentrap deliver: 0 IRI" "$WORK/d3.err" && cmp -s "$WORK/want.ber" "$WORK/lemf.ber" && pass ||
  { fail "a third delivery sent something"; cat "$WORK/d3.err"; }
[ "$(pg_sql "SELECT count(*) FROM cursors WHERE name LIKE 'deliver PG-1 LIID-1 $lemf chain %'")" = 2 ] && pass ||
  fail "the delivery's positions: not one per chain"
kill "$lemf_pid" 2> /dev/null

# --- a sensor id held by another key: refused, nothing stored ---
"$PENTRAP" run -q --order "$WORK/order.yaml" -r "$WORK/a.pcap" --db "$WORK/c.db" --sensor sensor-a || fail "run c"
before=$(pg_sql 'SELECT count(*) FROM records')
expect_run "import: sensor id reused" 1 "sensor id 'sensor-a' is held by another key" -- \
  db import --db "$PG_URL" "$WORK/c.db"
[ "$(pg_sql 'SELECT count(*) FROM records')" = "$before" ] && pass || fail "a reused sensor id stored records"

# --- bad input ---
closed=$(free_port)
expect_run "query: unreachable PostgreSQL" 1 "^pentrap: postgresql://pentrap@127.0.0.1:$closed/x: cannot connect: " -- \
  query --db "postgresql://pentrap@127.0.0.1:$closed/x" --target +1555
expect_run "verify: unreachable PostgreSQL" 1 "cannot connect" -- verify --db "postgresql://pentrap@127.0.0.1:$closed/x"
expect_run "password hidden" 1 "postgresql://pentrap:\*\*\*@127.0.0.1:$closed/x: cannot connect" -- \
  verify --db "postgresql://pentrap:secret@127.0.0.1:$closed/x"
expect_run "not a URL libpq reads" 2 "not a PostgreSQL URL" -- verify --db "postgresql://[::1"
psql -q -h 127.0.0.1 -p "$PG_PORT" -U pentrap -d postgres -c 'CREATE DATABASE empty' > /dev/null
expect_run "verify: no schema" 2 "not a pentrap store \(no pentrap schema" -- \
  verify --db "postgresql://pentrap@127.0.0.1:$PG_PORT/empty"
expect_run "db: not a URL" 2 "needs --db postgresql://" -- db migrate --db "$WORK/a.db"
expect_run "db import: a URL as a sensor store" 2 "a sensor's store is an SQLite file" -- \
  db import --db "$PG_URL" "$PG_URL"
expect_run "run into PostgreSQL" 2 "a sensor records into its own SQLite store" -- \
  run -q --order "$WORK/order.yaml" -r "$WORK/a.pcap" --db "$PG_URL"
finish
