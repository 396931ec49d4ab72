#!/usr/bin/env bash
# The fuzz smoke for CI (docs/robustness.md): builds the `fuzz` preset (clang 14,
# libFuzzer, ASan+UBSan) and runs every fuzz target for a bounded time: one per
# dissector in the registry (asked of the binary itself, so a dissector added later is
# fuzzed with no change here), each parser of the decoder and whole frames
# (fuzz_decode.c), the whole pipeline, the JSON reader, and the broker's messages. Each starts from its corpus in
# tests/fuzz/corpus/ (read only; what it finds goes to a scratch directory). Fails on
# any crash, leak, sanitizer report, timeout (an input taking over 10 s) or
# out-of-memory, and prints the input that did it.
#
# Usage: tests/fuzz/smoke.sh [SECONDS_PER_TARGET]      (default 15, or $FUZZ_SECONDS)
#   FUZZ_BUILD_DIR=DIR   use (and configure) DIR instead of the preset's build-fuzz/
#   FUZZ_NO_BUILD=1      use the build as it is
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$PWD
secs=${1:-${FUZZ_SECONDS:-15}}
build=${FUZZ_BUILD_DIR:-build-fuzz}

if [ "${FUZZ_NO_BUILD:-}" != 1 ]; then
  echo "== fuzz build ($build)"
  if [ "$build" = build-fuzz ]; then
    cmake --preset fuzz > /dev/null
  else
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPENTRAP_FUZZ=ON -DCMAKE_C_COMPILER=clang-14 > /dev/null
  fi
  cmake --build "$build" -j"$(nproc)" --target fuzz_dissector fuzz_pipeline fuzz_json fuzz_decode fuzz_hi2 fuzz_message
fi
bin=$build/tests/fuzz
corpus=$src/tests/fuzz/corpus
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

names=$(PENTRAP_FUZZ_LIST=1 "$bin/fuzz_dissector")
failed=0
results=()

# run_target NAME BINARY CORPUS_DIR... (with the environment the binary needs)
run_target() {
  local name=$1 binary=$2; shift 2
  local out=$work/$name log=$work/$name.log
  mkdir -p "$out"
  local status=0
  (cd "$work" && "$binary" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/$name-" "$out" "$@") > "$log" 2>&1 || status=$?
  local done_line execs
  done_line=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  local cov ft
  cov=$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$done_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  if [ "$status" != 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error:' "$log"; then
    failed=1
    results+=("$(printf '%-10s FAIL (status %s)' "$name" "$status")")
    echo "FAIL: fuzz target $name (status $status):"
    grep -E 'ERROR|runtime error|SUMMARY|^    #[0-9]' "$log" | head -40 | sed 's/^/  | /'
    for a in "$work/$name"-*; do
      [ -f "$a" ] || continue
      echo "  input $(basename "$a") ($(stat -c %s "$a") bytes), base64:"
      base64 -w 100 "$a" | head -40 | sed 's/^/    /'
    done
  else
    results+=("$(printf '%-10s ok   %8s runs  cov %5s  ft %6s' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}")")
  fi
}

for name in $names; do
  if [ -d "$corpus/$name" ]; then
    dirs=("$corpus/$name")
  else  # no seeds yet: start from every dissector's
    mapfile -t dirs < <(find "$corpus" -mindepth 1 -maxdepth 1 -type d ! -name pipeline ! -name json ! -name decode ! -name hi2 ! -name message | sort)
  fi
  echo "== fuzz $name (${secs}s)"
  PENTRAP_FUZZ_DISSECTOR=$name run_target "$name" "$PWD/$bin/fuzz_dissector" "${dirs[@]}"
done
# the decoder's parsers are a few dozen lines each: a third of the time covers them
full=$secs; secs=$(( (full + 2) / 3 ))
for name in $(PENTRAP_FUZZ_LIST=1 "$bin/fuzz_decode"); do
  echo "== fuzz decode $name (${secs}s)"
  PENTRAP_FUZZ_DECODER=$name run_target "decode-$name" "$PWD/$bin/fuzz_decode" "$corpus/decode/$name"
done
secs=$full
echo "== fuzz pipeline (${secs}s)"
run_target pipeline "$PWD/$bin/fuzz_pipeline" "$corpus/pipeline"
echo "== fuzz json (${secs}s)"
run_target json "$PWD/$bin/fuzz_json" "$corpus/json"
echo "== fuzz hi2 (${secs}s)"
run_target hi2 "$PWD/$bin/fuzz_hi2" "$corpus/hi2"
echo "== fuzz message (${secs}s)"
run_target message "$PWD/$bin/fuzz_message" "$corpus/message"

echo "== fuzz smoke: ${secs}s per target"
printf '  %s\n' "${results[@]}"
[ "$failed" = 0 ]
