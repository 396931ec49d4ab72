#!/usr/bin/env bash
# bench/tunnel-cost.sh — what the tunnel path costs: the same packets untunnelled and
# inside each encapsulation (bench/wrap-tunnel.py: VXLAN, Geneve, ERSPAN II, plain GRE,
# GTP-U inside ERSPAN, MPLS, QinQ), counted in instructions with valgrind's callgrind inside
# pipeline_frame or pipeline_frame_ahead (decode, flows, dissectors, detection, the order filter: the packet's
# path; not the file reading nor the custody hash, which only grow with the bytes).
# Instruction counts do not depend on what else the machine runs, which wall-clock
# times here do (docs/performance.md). The order matches no address, so no record is
# formatted inside the count (their timing depends on the custody thread).
#
# Workloads: A, nDPI's real captures mixed (bench/make-mix.sh, ROUNDS rounds, default
# 10: 54,800 packets), when PENTRAP_PCAPS or ../shared/pcaps/ndpi has them; G, the
# generator's mobile core (pentrap gen, 100,000 packets: its subscribers' traffic is
# already inside GTP-U, so every variant adds to a tunnel).
#
# Usage: bench/tunnel-cost.sh [ROUNDS]      (BENCH_WORK: where files go, default bench/work)
# Needs valgrind, python3, and what bench/make-mix.sh needs for A.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${BENCH_WORK:-$ROOT/bench/work}/tunnel
ROUNDS=${1:-10}
mkdir -p "$WORK"
command -v valgrind > /dev/null || { echo "tunnel-cost.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
cmake --preset release -S "$ROOT" > /dev/null
cmake --build "$ROOT/build" -j"$(nproc)" --target pentrap > /dev/null
PENTRAP=$ROOT/build/pentrap
cat > "$WORK/none.yaml" <<'YAML'
order:
  id: BENCH-TUNNEL
  authority: bench/tunnel-cost.sh (benchmark, no real order)
  kind: both
  valid_from: 1970-01-01T00:00:00Z
  valid_until: 2099-12-31T23:59:59Z
  targets:
    - ip: 203.0.113.0/24
YAML

workloads=()
if bash "$ROOT/bench/make-mix.sh" "$WORK/A.pcap" "$ROUNDS" > "$WORK/mix.log" 2>&1; then
  workloads+=(A)
else
  echo "tunnel-cost.sh: no workload A ($(tail -1 "$WORK/mix.log"))" >&2
fi
"$PENTRAP" gen --seed 3 --subscribers 2000 --packets 100000 -o "$WORK/G.pcap" -q
workloads+=(G)

# The packet's path is pipeline_frame_ahead where the file reader hands the pipeline the
# next frame too (it may decode it early: every frame is still decoded once, inside one
# such call), else pipeline_frame. Not both: callgrind's toggles would cancel inside.
entry=pipeline_frame
if nm "$PENTRAP" | grep ' pipeline_frame_ahead$' > /dev/null; then entry=pipeline_frame_ahead; fi

# instructions W FILE: callgrind's count inside the packet's path
instructions() {
  valgrind --tool=callgrind --toggle-collect=$entry --callgrind-out-file=/dev/null \
    "$PENTRAP" run --no-db -q --max-memory 64 --order "$WORK/none.yaml" -r "$2" 2>&1 |
    sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d ,
}

printf '%-9s %-15s %10s %14s %16s %9s\n' workload variant packets instructions "per packet" "over base"
for W in "${workloads[@]}"; do
  npk=$(capinfos -M -c -T -r "$WORK/$W.pcap" | cut -f2)
  base=$(instructions "$W" "$WORK/$W.pcap")
  printf '%-9s %-15s %10s %14s %16s %9s\n' "$W" untunnelled "$npk" "$base" "$((base / npk))" "-"
  for kind in vxlan geneve erspan2 gre gtpu-in-erspan mpls qinq; do
    python3 "$ROOT/bench/wrap-tunnel.py" "$WORK/$W.pcap" "$WORK/$W.$kind.pcap" "$kind"
    n=$(instructions "$W" "$WORK/$W.$kind.pcap")
    printf '%-9s %-15s %10s %14s %16s %8s%%\n' "$W" "$kind" "$npk" "$n" "$((n / npk))" \
      "$(awk -v a="$n" -v b="$base" 'BEGIN {printf "%+.1f", 100 * (a - b) / b}')"
    rm -f "$WORK/$W.$kind.pcap"
  done
done
