#!/usr/bin/env bash
# bench/memory.sh — pentrap's peak resident size under each attack of
# tests/bad/make_attacks.py (the bundled sample, a target's SIP call, with a flood mixed
# in), against the memory cap: a clean run of the sample, then each attack, each with
# --max-memory CAP. Prints, per run, the summary's own accounting (the `memory` line:
# what the plan allows the traffic to fill), the peak resident size measured by GNU time
# (%M, the kernel's high-water mark of the process), how far that rose above the clean
# run's, and whether the rise stays within the cap (issue 14: it must).
#
# Measured, not asserted in a test: the resident size depends on the allocator, the
# kernel (transparent huge pages) and the build (ASan keeps freed memory in a
# quarantine). tests/scripts/test_resource_bounds.sh asserts the accounting instead.
#
# Usage: bench/memory.sh [PENTRAP]   (default build/pentrap)
# Environment:
#   MEMORY_CAP_MIB    --max-memory (default 32)
#   MEMORY_ATTACKS    the attacks, space-separated (default: all of make_attacks.py's)
#   MEMORY_SCALE      make_attacks.py's SCALE (default 1)
#   MEMORY_WORK       where the captures go (default: a temporary directory, removed)
# Exit status: 0 when every attack's rise is within the cap, 1 when one is not, 2 on a
# failed run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PENTRAP=${1:-$ROOT/build/pentrap}
CAP=${MEMORY_CAP_MIB:-32}
ATTACKS=${MEMORY_ATTACKS:-flows flows_first frags gaps states tls_hello quic_initial all}
SAMPLE=$ROOT/samples/sample.pcap
ORDER=$ROOT/samples/order.yaml
[ -x /usr/bin/time ] || { echo "bench/memory.sh: needs GNU time (bench/install-deps.sh)" >&2; exit 2; }
[ -x "$PENTRAP" ] || { echo "bench/memory.sh: $PENTRAP: no such executable (build it first)" >&2; exit 2; }
if [ -n "${MEMORY_WORK:-}" ]; then
  WORK=$MEMORY_WORK
  mkdir -p "$WORK"
else
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
fi
python3 "$ROOT/tests/bad/make_attacks.py" "$WORK" "$SAMPLE" "${MEMORY_SCALE:-1}" >&2

# measure NAME CAPTURE: runs pentrap under GNU time; leaves NAME.err (pentrap's stderr)
# and NAME.rss (the peak resident size, KiB).
measure() {
  if ! /usr/bin/time -o "$WORK/$1.rss" -f %M "$PENTRAP" run -v --no-db --max-memory "$CAP" --order "$ORDER" \
      -r "$2" --jsonl /dev/null 2> "$WORK/$1.err"; then
    echo "bench/memory.sh: $1: pentrap failed:" >&2; sed 's/^/  | /' "$WORK/$1.err" >&2; exit 2
  fi
}
filled() {
  local f; f=$(sed -n 's/^  memory *\([0-9.]*\) MiB at most.*/\1/p' "$WORK/$1.err")
  [ -n "$f" ] || { echo "bench/memory.sh: $1: no 'memory' line in pentrap's summary (run -v)" >&2; exit 2; }
  echo "$f"
}
anomalies() { sed -n 's/^  anomalies *//p' "$WORK/$1.err"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

measure clean "$SAMPLE"
clean=$(tail -1 "$WORK/clean.rss")
echo "$("$PENTRAP" version | head -1), --max-memory $CAP, $(uname -m), transparent huge pages:" \
  "$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2> /dev/null || echo unknown)"
echo "(accounted: the summary's memory line, MiB; peak RSS: GNU time, MiB; above clean: peak minus the clean run's)"
printf '%-13s %9s %9s %12s  %-7s %s\n' run accounted "peak RSS" "above clean" "in cap" anomalies
printf '%-13s %9s %9s %12s  %-7s %s\n' clean "$(filled clean)" "$(mib "$clean")" - - "$(anomalies clean)"
status=0
for a in $ATTACKS; do
  measure "$a" "$WORK/$a.pcap"
  rss=$(tail -1 "$WORK/$a.rss")
  above=$((rss - clean))
  verdict=yes
  if [ "$above" -gt $((CAP * 1024)) ]; then verdict=NO; status=1; fi
  printf '%-13s %9s %9s %12s  %-7s %s\n' "$a" "$(filled "$a")" "$(mib "$rss")" "+$(mib "$above")" "$verdict" \
    "$(anomalies "$a")"
done
exit $status
