#!/usr/bin/env bash
# bench/sigs-cost.sh — what the larger definition set costs: the same build, the same
# captures and orders, run with the definitions before issue 19 (2026.11.1, 18
# signatures: Apple, WhatsApp, Signal, Telegram; taken from git, commit BASE_SIGS) and
# with the built-in set (sixteen more apps, calls of any app by ICE and by the relay
# shape, more apps' messages). Counted in instructions with valgrind's callgrind, for
# the whole process (what `CPU time` counts: reading, the custody hash, detection, the
# store) and inside pipeline_frame (the packet's path); instruction counts do not
# depend on what else the machine runs, which wall-clock times here do
# (docs/performance.md). Records are written, as bench/run does.
#
# Workloads: A, nDPI's real captures mixed (bench/make-mix.sh, 100 rounds: 548,300
# packets) with bench/run's order (one round's phones, 10.1.0.0/16) and with every
# phone a target (10.0.0.0/8: every flow evaluated against the signatures); B at a tenth
# (pentrap gen --seed 1 --subscribers 10000 --packets 1000000, the order 1 % of the
# subscribers by bench/accuracy.py, as bench/run makes B's).
#
# Usage: bench/sigs-cost.sh            (BENCH_WORK: where files go, default bench/work)
# Needs valgrind, git, python3, and what bench/make-mix.sh needs for A.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_WORK:-$ROOT/bench/work}/sigs
BASE_SIGS=${BASE_SIGS:-1ec34f3^}
mkdir -p "$WORK"
command -v valgrind > /dev/null || { echo "sigs-cost.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
git -C "$ROOT" show "$BASE_SIGS:sigs/builtin.yaml" > "$WORK/old.yaml" ||
  { echo "sigs-cost.sh: no sigs/builtin.yaml at $BASE_SIGS (a clone with history is needed)" >&2; exit 2; }
cp "$ROOT/sigs/builtin.yaml" "$WORK/new.yaml"
cmake --preset release -S "$ROOT" > /dev/null
cmake --build "$ROOT/build" -j"$(nproc)" --target pentrap > /dev/null
PENTRAP=$ROOT/build/pentrap

order() { # order ID PREFIX
  printf 'order:\n  id: %s\n  authority: bench/sigs-cost.sh (benchmark, no real order)\n  kind: both\n' "$1"
  printf '  valid_from: 1970-01-01T00:00:00Z\n  valid_until: 2099-12-31T23:59:59Z\n  targets:\n    - ip: %s\n' "$2"
}
runs=()
if [ -s "$WORK/A.pcap" ] || bash "$ROOT/bench/make-mix.sh" "$WORK/A.pcap" 100 > "$WORK/mix.log" 2>&1; then
  order BENCH-A 10.1.0.0/16 > "$WORK/A.order.yaml"
  order BENCH-A-ALL 10.0.0.0/8 > "$WORK/A-all.order.yaml"
  runs+=("A A.order.yaml" "A A-all.order.yaml")
else
  echo "sigs-cost.sh: no workload A ($(tail -1 "$WORK/mix.log"))" >&2
fi
[ -s "$WORK/B10.pcap" ] ||
  "$PENTRAP" gen --seed 1 --subscribers 10000 --packets 1000000 -o "$WORK/B10.pcap" --truth "$WORK/B10.truth.jsonl" -q
python3 "$ROOT/bench/accuracy.py" order "$WORK/B10.truth.jsonl" --fraction 0.01 --id BENCH-B10 > "$WORK/B10.order.yaml"
runs+=("B10 B10.order.yaml")

# count W ORDER SIGS: "whole-process pipeline_frame" instructions
count() {
  rm -f "$WORK/db" "$WORK/db-wal" "$WORK/db-shm" "$WORK/db.key"
  valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" "$PENTRAP" run -q --order "$WORK/$2" \
    -r "$WORK/$1.pcap" --db "$WORK/db" --jsonl /dev/null --sigs "$WORK/$3" > /dev/null 2>&1
  local total frame
  total=$(callgrind_annotate "$WORK/cg.out" | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
  # pipeline_frame_ahead where the file reader hands the pipeline the next frame too
  frame=$(callgrind_annotate --inclusive=yes "$WORK/cg.out" | sed -En 's/^ *([0-9,]+) .*:pipeline_frame(_ahead)? .*/\1/p' | head -1 | tr -d ,)
  echo "$total $frame"
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.2f%%", 100 * (a - b) / b}'; }

printf '%-4s %-18s %16s %16s %9s %14s %14s %9s\n' workload order "process, old" "process, new" "" "path, old" "path, new" ""
for r in "${runs[@]}"; do
  read -r W O <<< "$r"
  read -r t0 f0 <<< "$(count "$W" "$O" old.yaml)"
  read -r t1 f1 <<< "$(count "$W" "$O" new.yaml)"
  printf '%-4s %-18s %16s %16s %9s %14s %14s %9s\n' "$W" "$O" "$t0" "$t1" "$(pct "$t1" "$t0")" "$f0" "$f1" "$(pct "$f1" "$f0")"
done
