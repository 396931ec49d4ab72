#!/usr/bin/env bash
# The live sensor's store limit (--max-db-mb, docs/live.md): past it the store is
# sealed and the records go on in DB.1.db, DB.2.db, ...; each store verifies on its
# own, together they hold every record seen (none dropped, none twice), and each new
# store's first run names, in its signed custody, the previous store's last record.
# Needs root (CI runs as root).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"
live_require
live_setup

S="$SRC/tests/pcap/sip"
write_order "$WORK/order.yaml" LIVE-ROT 'sip: "101@10.33.6.100"' 'sip: "francisco@bestel.com"' \
  'msisdn: "+12675941249"' 'sip: "061963177@italtel.it"' 'sip: "35104723@sip.cybercity.dk"'
# An empty store is 48 KiB: 0.07 MB is passed by the first few records and checkpoints.
live_start "$WORK/sensor" --order "$WORK/order.yaml" --db "$WORK/rot.db" --jsonl "$WORK/live.jsonl" \
  --max-db-mb 0.07 --checkpoint-every 2 --stats-interval 0
# rotations N: waits (up to 10 s) until the log says the store rotated N times.
rotations() {
  for _ in $(seq 100); do
    [ "$(grep -c "reached its limit" "$SENSOR_ERR")" -ge "$1" ] && return 0
    sleep 0.1
  done
  fail "the store rotated $(grep -c "reached its limit" "$SENSOR_ERR") times, expected $1"; return 1
}
# Each capture's records take the store past its limit: the size, looked at once a
# second, rotates it before the next capture is sent.
sent=0 k=0
for c in heplify_udp heplify_tcp heplify_websocket ndpi_fax sngrep_aaa; do
  live_replay "$S/$c/capture.pcap"
  sent=$((sent + $(live_count "$S/$c/capture.pcap")))
  k=$((k + 1))
  live_wait_received "$sent" && rotations $k || break
done
live_stop
[ "$SENSOR_STATUS" = 0 ] && pass || { fail "exit status $SENSOR_STATUS"; sed 's/^/  | /' "$SENSOR_ERR"; }

stores=("$WORK/rot.db")
for k in $(seq 1 50); do [ -f "$WORK/rot.$k.db" ] && stores+=("$WORK/rot.$k.db"); done
[ ${#stores[@]} -ge 6 ] && pass || { fail "${#stores[@]} store(s), expected 6 or more (a rotation a capture)"; sed 's/^/  | /' "$SENSOR_ERR"; }
grep -q "store $WORK/rot.db reached its limit: run 1 sealed there" "$SENSOR_ERR" && pass || fail "no rotation line in the log"

total=0
prev=""
for db in "${stores[@]}"; do
  "$PENTRAP" verify --db "$db" > "$WORK/verify.out" 2>&1 && pass || { fail "verify $db"; tail -3 "$WORK/verify.out"; }
  total=$((total + $(sqlite3 "$db" "SELECT count(*) FROM records")))
  if [ -n "$prev" ]; then
    # {"path":"continues:PREV","sha256":LAST_HASH,"size":0,"last_seq":N} in the first run's captures
    want_hash=$(sqlite3 "$prev" "SELECT hash FROM records ORDER BY seq DESC LIMIT 1")
    want_seq=$(sqlite3 "$prev" "SELECT max(seq) FROM records")
    caps=$(sqlite3 "$db" "SELECT captures FROM runs ORDER BY id LIMIT 1")
    [[ "$caps" == *"\"path\":\"continues:$prev\",\"sha256\":\"$want_hash\",\"size\":0,\"last_seq\":$want_seq}"* ]] &&
      pass || fail "$db does not name $prev's last record (seq $want_seq, $want_hash): $caps"
    # signed with the series' one key
    [ "$(sqlite3 "$db" "SELECT key_id FROM runs LIMIT 1")" = "$(sqlite3 "$prev" "SELECT key_id FROM runs LIMIT 1")" ] &&
      pass || fail "$db is signed with another key than $prev"
  fi
  prev=$db
done
[ ! -e "$WORK/rot.1.db.key" ] && pass || fail "a rotated store made a key of its own"
seen=$(wc -l < "$WORK/live.jsonl")
[ "$total" = "$seen" ] && pass || fail "the stores hold $total records, $seen were seen"
# Every record seen is in exactly one store: the hashes of the JSON lines, in order.
python3 -c 'import json,sys; [print(json.loads(l)["hash"]) for l in open(sys.argv[1])]' "$WORK/live.jsonl" > "$WORK/seen.h"
for db in "${stores[@]}"; do sqlite3 "$db" "SELECT hash FROM records ORDER BY seq"; done > "$WORK/stored.h"
cmp -s "$WORK/seen.h" "$WORK/stored.h" && pass || fail "the stores' records are not the records seen, in order"
finish
