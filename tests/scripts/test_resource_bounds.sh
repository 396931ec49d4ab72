#!/usr/bin/env bash
# Resource bounds under attack (issue 3, item 5; issue 14): a target's SIP call (the
# bundled sample) with a flood mixed in (tests/bad/make_attacks.py): new flows (spread
# through the call, and all before it, so the table is full when the call begins),
# fragments that never complete, TCP gaps that never fill, flows that each take
# dissector state, TLS and QUIC ClientHellos that are started and never finished, and
# the first four at once. For each: the run succeeds, the target's records are all
# still written, the drops are counted, and the memory the traffic filled (the
# summary's memory line: the flow table, fragment pool, subscriber tables, handshake
# buffers and held records as allocated, reassembly and dissector state at their
# peaks) stays under the configured cap (--max-memory).
# The process's peak resident size under each attack is measured by bench/memory.sh,
# not here: the brief keeps memory out of test assertions, and the resident size
# depends on the machine (the allocator, transparent huge pages, a sanitizer's own
# bookkeeping). docs/robustness.md has both.
source "$(dirname "$0")/lib.sh"
CAP=${RESOURCE_CAP_MIB:-32}
SAMPLE=$SRC/samples/sample.pcap
ORDER=$SRC/samples/order.yaml
python3 "$SRC/tests/bad/make_attacks.py" "$WORK" "$SAMPLE" > /dev/null || { echo "FAIL: make_attacks.py"; exit 1; }

# run NAME CAPTURE: runs pentrap; leaves NAME.stderr, NAME.jsonl and NAME.status.
run() {
  "$PENTRAP" run -v --no-db --max-memory "$CAP" --order "$ORDER" -r "$2" --jsonl "$WORK/$1.jsonl" \
    > /dev/null 2> "$WORK/$1.stderr"
  echo $? > "$WORK/$1.status"
}

types() { grep -o '"type":"[a-z.]*"' "$1" | sort | tr '\n' ' '; }

run base "$SAMPLE"
base_types=$(types "$WORK/base.jsonl")
if [ "$(cat "$WORK/base.status")" = 0 ] && [ "$(grep -c . "$WORK/base.jsonl")" = 3 ]; then pass; else
  fail "clean run: status $(cat "$WORK/base.status")"; fi

# filled NAME: "USED CAP" from the summary's memory line (MiB), or nothing.
filled() { sed -n 's/^  memory *\([0-9.]*\) MiB at most of the \([0-9]*\) MiB cap.*/\1 \2/p' "$WORK/$1.stderr"; }
row() { printf '%-13s %7s  %s\n' "$@"; }
row attack filled anomalies
row clean "$(filled base | cut -d' ' -f1)" -
for attack in flows:flow.evicted flows_first:flow.evicted frags:frag.pool-full gaps:tcp.memory-cap states:flow.evicted \
              tls_hello:tls.gather-evicted quic_initial:quic.gather-evicted \
              all:flow.evicted,frag.pool-full,tcp.memory-cap; do
  name=${attack%%:*}
  run "$name" "$WORK/$name.pcap"
  status=$(cat "$WORK/$name.status")
  read -r used cap <<< "$(filled "$name")"
  row "$name" "${used:-?}" "$(sed -n 's/^  anomalies *//p' "$WORK/$name.stderr")"
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
echo "(filled: MiB of the $CAP MiB cap, from the summary; the resident size: bench/memory.sh)"
finish
