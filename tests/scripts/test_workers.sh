#!/usr/bin/env bash
# run -j N (run/workers.h): worker threads change neither what is recorded nor
# what is counted, and the records' order (so their numbers and chain) is the same on
# every run. On generated mobile-core traffic with retransmissions, reordering and IP
# fragments (outer and inside GTP-U), an app-heavy mix, the apps mix, and two captures in one run:
#  - -j 2 and -j 3 make the records -j 1 makes, every field, and the same counts;
#  - two -j 2 runs write byte-identical JSON lines (seq and hashes included);
#  - the store of a -j 2 run verifies, its seq numbers run 1..N without a gap.
# (Every golden pcap case checks -j 2 against -j 1 too: tests/pcap/run_case.sh.)
source "$(dirname "$0")/lib.sh"
PENTRAP=$(cd "$(dirname "$PENTRAP")" && pwd)/$(basename "$PENTRAP")
ACC="$SRC/bench/accuracy.py"
UNORDERED="$SRC/tests/pcap/unordered.py"
cd "$WORK" || exit 1

counts() { grep -E '^  (packets|flows|events|sms|map ops|tcap|anomalies|ott|targets) ' "$1" | sed 's/ in [0-9.]* s$//'; }

# same_as_one NAME ARGS...: -j 2 and -j 3 against -j 1 on the same arguments
same_as_one() {
  local name=$1; shift
  "$PENTRAP" run -v --no-db --jsonl "$name.j1.jsonl" "$@" 2> "$name.j1.err" || { fail "$name: -j 1 failed"; cat "$name.j1.err"; return; }
  local n; n=$(wc -l < "$name.j1.jsonl")
  [ "$n" -gt 0 ] && pass || fail "$name: no records at all (the comparison would prove nothing)"
  for j in 2 3; do
    "$PENTRAP" run -v --no-db --jsonl "$name.j$j.jsonl" -j "$j" "$@" 2> "$name.j$j.err" || { fail "$name: -j $j failed"; cat "$name.j$j.err"; continue; }
    if diff <(python3 "$UNORDERED" < "$name.j1.jsonl") <(python3 "$UNORDERED" < "$name.j$j.jsonl") > "$name.j$j.diff"; then
      pass
    else
      fail "$name: -j $j records differ from -j 1 ($n records)"; head -c 2000 "$name.j$j.diff"
    fi
    if diff <(counts "$name.j1.err") <(counts "$name.j$j.err"); then pass; else fail "$name: -j $j counts differ"; fi
    grep -q "^  threads    reader and $j workers" "$name.j$j.err" && pass || fail "$name: no threads line for -j $j"
  done
  echo "$name: $n records, the same with -j 2 and -j 3"
}

"$PENTRAP" gen --seed 11 --subscribers 300 --packets 150000 --noise retrans,reorder,frag -o noisy.pcap \
  --truth noisy.truth.jsonl -q || fail "gen failed"
python3 "$ACC" order noisy.truth.jsonl --fraction 0.3 --id WORKERS > noisy.order.yaml || fail "order failed"
same_as_one noisy --order noisy.order.yaml -r noisy.pcap

"$PENTRAP" gen --seed 12 --subscribers 60 --duration 240 --mix ott -o ott.pcap --truth ott.truth.jsonl -q || fail "gen failed"
python3 "$ACC" order ott.truth.jsonl --id WORKERS-OTT > ott.order.yaml || fail "order failed"
same_as_one ott --order ott.order.yaml -r ott.pcap
grep -q '"type":"ott.message"' ott.j1.jsonl && pass || fail "the ott mix gave no ott.message record"

# the apps mix: chat apps, calls of an unknown app (peer to peer, TURN, its own relay:
# media found by its shape, per flow, in the device's worker), streaming and games
"$PENTRAP" gen --seed 13 --subscribers 60 --duration 150 --mix apps -o apps.pcap --truth apps.truth.jsonl -q || fail "gen failed"
python3 "$ACC" order apps.truth.jsonl --id WORKERS-APPS > apps.order.yaml || fail "order failed"
same_as_one apps --order apps.order.yaml -r apps.pcap
grep -q '"type":"ott.call.begin".*"service":"unknown"' apps.j1.jsonl && pass || fail "the apps mix gave no call of service unknown"

# two captures in one run, targets in both: each record names the capture it was seen
# in (a flow of the first that times out while the second is read too)
cat noisy.truth.jsonl ott.truth.jsonl > two.truth.jsonl
python3 "$ACC" order two.truth.jsonl --fraction 0.3 --id WORKERS-TWO > two.order.yaml || fail "order failed"
same_as_one two --order two.order.yaml -r noisy.pcap -r ott.pcap
# with workers the capture is hashed beside the reading (run/custody.h): records made
# before the hash was known carry it all the same, and no placeholder is left
want=$(sha256sum noisy.pcap ott.pcap | awk '{print $1}' | sort)
got=$(grep -o '"capture":"[^"]*"' two.j2.jsonl | cut -d'"' -f4 | sort -u)
[ "$got" = "$want" ] && pass || fail "two captures: records name $got, not the captures' SHA-256 $want"
grep -q 'pending-capture' two.j2.jsonl two.j3.jsonl && fail "a capture placeholder was left in a record" || pass

# the same order every time: numbers and chain hashes are byte-identical
"$PENTRAP" run --no-db --jsonl again.jsonl -j 2 -q --order two.order.yaml -r noisy.pcap -r ott.pcap || fail "-j 2 again failed"
cmp -s two.j2.jsonl again.jsonl && pass || fail "two -j 2 runs wrote different JSON lines"

# the store of a -j 2 run: seq 1..N, it verifies, its custody names the capture's hash
"$PENTRAP" run --db store.db -j 2 -q --order noisy.order.yaml -r noisy.pcap || fail "-j 2 with a store failed"
"$PENTRAP" verify --db store.db > verify.out 2>&1 && pass || { fail "verify failed on a -j 2 store"; cat verify.out; }
python3 - store.db "$(wc -l < noisy.j1.jsonl)" <<'PY' && pass || fail "store seq numbers are not 1..N"
import sqlite3, sys
seqs = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT seq FROM records ORDER BY seq")]
sys.exit(0 if seqs == list(range(1, int(sys.argv[2]) + 1)) else 1)
PY
python3 - store.db "$(sha256sum noisy.pcap | cut -d' ' -f1)" <<'PY' && pass || fail "the -j 2 store's custody does not name the capture's SHA-256"
import json, sqlite3, sys
caps = json.loads(sqlite3.connect(sys.argv[1]).execute("SELECT captures FROM runs").fetchone()[0])
sys.exit(0 if [c["sha256"] for c in caps] == [sys.argv[2]] else 1)
PY

finish
