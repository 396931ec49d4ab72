#!/usr/bin/env bash
# bench/floor.sh — pentrap's CPU time against the libpcap read floor on one capture, one
# thread (issue 14 item 6): `pentrap run` as bench/run runs it, `tcpdump -n -r FILE -w
# /dev/null` (the floor) and the custody SHA-256 of the file by itself (sha256_file, the
# function a run calls, built from src/ into the work directory), alternating in every
# round so that the load of a shared machine falls on all alike. Prints the median user
# and system CPU seconds (GNU time) of each, the ratios to the floor, and pentrap without
# the custody hash (its CPU minus the hash's alone).
#
# Usage: bench/floor.sh FILE ORDER [ROUNDS [PENTRAP...]]
#   ROUNDS   rounds (default 5); PENTRAP: one or more builds to compare (default build/pentrap)
# On a shared machine hold a lock over each series: flock LOCKFILE bench/floor.sh ...
# The file is read once first (so that every command finds it in the page cache).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: bench/floor.sh FILE ORDER [ROUNDS [PENTRAP...]]" >&2; exit 2; }
FILE=$1 ORDER=$2 ROUNDS=${3:-5}
shift $(( $# >= 3 ? 3 : 2 ))
BINS=("$@")
[ ${#BINS[@]} -gt 0 ] || BINS=("$ROOT/build/pentrap")
for t in /usr/bin/time tcpdump cc; do
  command -v $t > /dev/null || { echo "bench/floor.sh: needs $t (bench/install-deps.sh)" >&2; exit 2; }
done
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cc -O2 -std=c11 -D_GNU_SOURCE -I "$ROOT/src" -o "$WORK/sha256-alone" "$ROOT/bench/sha256-alone.c" \
  "$ROOT/src/core/sha256file.c" -lcrypto
cat "$FILE" > /dev/null

# timed NAME CMD...: one run under GNU time, appends "user sys" to WORK/NAME
timed() {
  local name=$1; shift
  rm -f "$WORK"/db "$WORK"/db-wal "$WORK"/db-shm "$WORK"/db.key
  /usr/bin/time -f "%U %S" -o "$WORK/t" "$@" > /dev/null 2> "$WORK/err" ||
    { echo "bench/floor.sh: $name failed:" >&2; tail -3 "$WORK/err" >&2; exit 1; }
  tail -1 "$WORK/t" >> "$WORK/$name"
}
echo "$(basename "$FILE"), $ROUNDS rounds, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
for r in $(seq 1 "$ROUNDS"); do
  timed tcpdump tcpdump -n -r "$FILE" -w /dev/null
  timed sha256 "$WORK/sha256-alone" "$FILE"
  for i in "${!BINS[@]}"; do
    timed "pentrap$i" "${BINS[$i]}" run --order "$ORDER" -r "$FILE" --db "$WORK/db" --jsonl /dev/null
  done
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
# median FILE COLUMN ("u", "s" or "t" for user+sys)
median() {
  awk -v c="$2" '{ print (c == "u" ? $1 : c == "s" ? $2 : $1 + $2) }' "$1" | sort -g |
    awk '{ a[NR] = $1 } END { printf "%.2f", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
floor=$(median "$WORK/tcpdump" t) hash=$(median "$WORK/sha256" t)
printf "%-40s %6s %6s %6s %8s\n" command user sys cpu "x floor"
row() { printf "%-40s %6s %6s %6s %8s\n" "$1" "$(median "$2" u)" "$(median "$2" s)" "$(median "$2" t)" \
  "$(awk -v a="$(median "$2" t)" -v f="$floor" 'BEGIN { printf "%.2f", a / f }')"; }
row "tcpdump (the floor)" "$WORK/tcpdump"
row "custody SHA-256 alone" "$WORK/sha256"
for i in "${!BINS[@]}"; do
  row "pentrap ${BINS[$i]}" "$WORK/pentrap$i"
  awk -v a="$(median "$WORK/pentrap$i" t)" -v h="$hash" -v f="$floor" \
    'BEGIN { printf "%-40s %20.2f %8.2f\n", "  without the custody hash", a - h, (a - h) / f }'
done
