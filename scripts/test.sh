#!/usr/bin/env bash
# Installs, builds and runs every test: the release build (what the quick start runs),
# then the same suite under ASan+UBSan (the debug preset adds nothing the two don't
# cover, so it is left to developers), then the worker-thread tests under
# ThreadSanitizer, then the fuzz smoke (every fuzz target for a few seconds under
# libFuzzer: tests/fuzz/smoke.sh). Fails when any test fails, or fuzzing finds a crash,
# leak or sanitizer report. Usage: scripts/test.sh [release|debug|asan|tsan|fuzz]...
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
presets=("$@"); [ ${#presets[@]} -gt 0 ] || presets=(release asan tsan fuzz)
for preset in "${presets[@]}"; do
  if [ "$preset" = fuzz ]; then
    echo "== fuzz smoke"
    bash tests/fuzz/smoke.sh
    continue
  fi
  echo "== $preset build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$(nproc)"
  echo "== $preset tests"
  ctest --preset "$preset" -j"$(nproc)"
done
