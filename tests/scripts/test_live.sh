#!/usr/bin/env bash
# The live sensor against file mode (docs/live.md): pentrap capturing on a veth end in
# a network namespace of the test's own, running as a throwaway user (-Z), while test
# captures are replayed onto the other end. Then SIGTERM: the records equal the
# file-mode records of the same captures (narrowed: frame numbers, times and the
# capture label differ), every record seen is in the store, the store verifies, and
# the store and key are 0600. Needs root (CI runs as root); skipped otherwise.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/live_lib.sh"
live_require
live_setup
live_make_user

S="$SRC/tests/pcap/sip"
caps=("$S/heplify_tcp/capture.pcap" "$S/heplify_udp/capture.pcap" "$S/heplify_websocket/capture.pcap"
      "$S/ndpi_fax/capture.pcap" "$S/sngrep_aaa/capture.pcap")
write_order "$WORK/order.yaml" LIVE-TEST 'sip: "101@10.33.6.100"' 'sip: "francisco@bestel.com"' \
  'msisdn: "+12675941249"' 'sip: "061963177@italtel.it"' 'sip: "35104723@sip.cybercity.dk"'

# The store's directory belongs to the -Z user; the test's own directory must let it in.
chmod 711 "$WORK"
mkdir "$WORK/store" && chown "$LIVE_USER" "$WORK/store"
# LeakSanitizer stops the world with ptrace, which a process that changed its uid may
# not do to itself: leaks are checked by the other runs of the suite.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
  live_start "$WORK/sensor" --order "$WORK/order.yaml" --db "$WORK/store/live.db" --jsonl "$WORK/live.jsonl" \
  -Z "$LIVE_USER" --checkpoint-every 7 --stats-interval 1

# The privilege drop: uid, gid and groups are the user's, no capability is left.
uid=$(id -u "$LIVE_USER"); gid=$(id -g "$LIVE_USER")
st="/proc/$SENSOR_PID/status"
if grep -Eq "^Uid:\s+$uid\s+$uid\s+$uid\s+$uid$" "$st" && grep -Eq "^Gid:\s+$gid\s+$gid\s+$gid\s+$gid$" "$st" &&
   grep -Eq "^Groups:\s*$" "$st" && grep -Eq "^CapEff:\s+0+$" "$st" && grep -Eq "^CapPrm:\s+0+$" "$st" &&
   grep -Eq "^NoNewPrivs:\s+1$" "$st"; then
  pass
else
  fail "after -Z $LIVE_USER the sensor is not that user alone:"; grep -E "^(Uid|Gid|Groups|Cap|NoNewPrivs)" "$st"
fi

live_replay "${caps[@]}"
live_wait_received "$(live_count "${caps[@]}")" && pass || fail "packets lost"
live_stop
[ "$SENSOR_STATUS" = 0 ] && pass || { fail "SIGTERM: exit status $SENSOR_STATUS"; sed 's/^/  | /' "$SENSOR_ERR"; }
grep -q "stopping: flushing and sealing" "$SENSOR_ERR" && grep -q "stopped (exit status 0)" "$SENSOR_ERR" && pass ||
  fail "no clean-stop lines in the log"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z pentrap: stats: ptb received [0-9]+ dropped 0 \(kernel\)' "$SENSOR_ERR" &&
  pass || fail "no timestamped statistics line"

# The same records as file mode.
file_args=(); for c in "${caps[@]}"; do file_args+=(-r "$c"); done
"$PENTRAP" run --order "$WORK/order.yaml" --no-db --jsonl "$WORK/file.jsonl" -q "${file_args[@]}"
narrow "$WORK/file.jsonl" > "$WORK/file.n"
narrow "$WORK/live.jsonl" > "$WORK/live.n"
nfile=$(wc -l < "$WORK/file.n")
if [ "$nfile" -ge 20 ] && diff -u "$WORK/file.n" "$WORK/live.n" > "$WORK/diff"; then pass
else fail "live records differ from file mode ($nfile file records)"; head -40 "$WORK/diff"; fi
grep -Eq '"capture": ?"live:ptb"' "$WORK/live.jsonl" && pass || fail "the evidence does not name live:ptb"

# Every record seen is in the store, the chain and its checkpoints hold.
"$PENTRAP" verify --db "$WORK/store/live.db" > "$WORK/verify.out" 2>&1 && pass ||
  { fail "verify failed"; tail -5 "$WORK/verify.out"; }
nstore=$(sqlite3 "$WORK/store/live.db" "SELECT count(*) FROM records")
njsonl=$(wc -l < "$WORK/live.jsonl")
[ "$nstore" = "$njsonl" ] && [ "$nstore" = "$nfile" ] && pass ||
  fail "store has $nstore records, the JSON lines $njsonl, file mode $nfile"
last_json=$(tail -1 "$WORK/live.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hash"])')
last_store=$(sqlite3 "$WORK/store/live.db" "SELECT hash FROM records ORDER BY seq DESC LIMIT 1")
[ "$last_json" = "$last_store" ] && pass || fail "the last record seen is not the store's last"
grep -q '"live:ptb"' <(sqlite3 "$WORK/store/live.db" "SELECT captures FROM runs") && pass ||
  fail "the run's custody does not name the interface"

# Created 0600, and given to the -Z user.
for f in "$WORK/store/live.db" "$WORK/store/live.db.key"; do
  [ "$(stat -c '%a %U' "$f")" = "600 $LIVE_USER" ] && pass || fail "$f is $(stat -c '%a %U' "$f")"
done

# Usage: -r with -i, live options without -i, a missing interface.
expect_run "-r with -i" 2 "do not go together" -- run --order "$WORK/order.yaml" -r "${caps[0]}" -i lo
expect_run "-Z without -i" 2 "is for live capture" -- run --order "$WORK/order.yaml" -r "${caps[0]}" -Z nobody
expect_run "--resume with -i" 2 "not a live one" -- run --order "$WORK/order.yaml" -i lo --resume
expect_run "no such interface" 2 "nonexistent0" -- run --order "$WORK/order.yaml" --no-db -q -i nonexistent0
finish
