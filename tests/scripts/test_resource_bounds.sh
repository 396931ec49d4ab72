#!/usr/bin/env bash
# Resource bounds under attack (issue 3, item 5): a target's SIP call (the bundled
# sample) with a flood mixed in (tests/bad/make_attacks.py): new flows (spread through
# the call, and all before it, so the table is full when the call begins), fragments that
# never complete, TCP gaps that never fill, flows that each take dissector state, and
# all four at once. For each: the run succeeds, the target's records are all still
# written, the drops are counted, and the memory the traffic filled (the summary's
# memory line: the flow table, fragment pool, reassembly and dissector state at their
# peaks) stays under the configured cap (--max-memory).
# The peak resident size of the process, and how far it rose above a clean run of the
# same capture, are measured and printed for docs/robustness.md, not asserted: the
# brief keeps speed and memory out of assertions, and the resident size depends on the
# machine (the allocator, transparent huge pages, the sanitizer's own bookkeeping).
source "$(dirname "$0")/lib.sh"
CAP=${RESOURCE_CAP_MIB:-32}
SAMPLE=$SRC/samples/sample.pcap
ORDER=$SRC/samples/order.yaml
python3 "$SRC/tests/bad/make_attacks.py" "$WORK" "$SAMPLE" > /dev/null || { echo "FAIL: make_attacks.py"; exit 1; }
ASAN=0
ldd "$PENTRAP" 2>/dev/null | grep -q libasan && ASAN=1

# run_measured NAME CAPTURE: runs pentrap; leaves stderr, records and the peak RSS (KiB).
run_measured() {
  python3 - "$WORK/$1" "$PENTRAP" run --no-db --max-memory "$CAP" --order "$ORDER" -r "$2" \
    --jsonl "$WORK/$1.jsonl" <<'PY'
import resource, subprocess, sys
out = sys.argv[1]
with open(out + ".stderr", "w") as err:
    status = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=err).returncode
with open(out + ".rss", "w") as f:
    f.write("%d %d\n" % (status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY
}

types() { grep -o '"type":"[a-z.]*"' "$1" | sort | tr '\n' ' '; }

run_measured base "$SAMPLE"
read -r base_status base_rss < "$WORK/base.rss"
base_types=$(types "$WORK/base.jsonl")
if [ "$base_status" = 0 ] && [ "$(grep -c . "$WORK/base.jsonl")" = 3 ]; then pass; else fail "clean run: status $base_status"; fi

# filled NAME: "USED CAP" from the summary's memory line (MiB), or nothing.
filled() { sed -n 's/^  memory *\([0-9.]*\) MiB at most of the \([0-9]*\) MiB cap.*/\1 \2/p' "$WORK/$1.stderr"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
row() { printf '%-11s %7s %9s %7s  %s\n' "$@"; }
row attack filled "peak RSS" above anomalies
row clean "$(filled base | cut -d' ' -f1)" "$(mib "$base_rss")" - -
for attack in flows:flow.evicted flows_first:flow.evicted frags:frag.pool-full gaps:tcp.memory-cap states:flow.evicted \
              all:flow.evicted,frag.pool-full,tcp.memory-cap; do
  name=${attack%%:*}
  run_measured "$name" "$WORK/$name.pcap"
  read -r status rss < "$WORK/$name.rss"
  read -r used cap <<< "$(filled "$name")"
  row "$name" "${used:-?}" "$(mib "$rss")" "+$(( (rss - base_rss) / 1024 ))" \
      "$(sed -n 's/^  anomalies *//p' "$WORK/$name.stderr")"
  if [ "$status" != 0 ]; then fail "$name: exit status $status"; sed 's/^/  | /' "$WORK/$name.stderr"; continue; fi
  pass
  if [ "$(types "$WORK/$name.jsonl")" = "$base_types" ]; then pass; else
    fail "$name: the target's records changed: $(types "$WORK/$name.jsonl") (clean: $base_types)"; fi
  for a in $(echo "${attack#*:}" | tr ',' ' '); do
    if grep -Eq "^  anomalies .*[(, ]${a//./\\.} [1-9]" "$WORK/$name.stderr"; then pass; else fail "$name: $a not counted"; fi
  done
  if [ "${cap:-}" = "$CAP" ] && awk -v u="$used" -v c="$cap" 'BEGIN { exit !(u <= c) }'; then pass; else
    fail "$name: the traffic filled ${used:-?} MiB, over the cap of $CAP MiB (or no memory line)"; fi
done
echo "(filled: MiB of the $CAP MiB cap, from the summary; peak RSS and above the clean run: measured, in MiB)"
[ "$ASAN" = 1 ] && echo "(address sanitizer: resident sizes include its own bookkeeping)"
finish
