#!/usr/bin/env bash
# Installs, builds and runs every test: the release build (what the quick start runs),
# the debug build, then the same suite under
# ASan+UBSan. Fails when any test fails. Usage: scripts/test.sh [debug|asan]...
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
presets=("$@"); [ ${#presets[@]} -gt 0 ] || presets=(release debug asan)
for preset in "${presets[@]}"; do
  echo "== $preset build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$(nproc)"
  echo "== $preset tests"
  ctest --preset "$preset" -j"$(nproc)"
done
