#!/usr/bin/env bash
# Replays the corpora through every registered dissector that CMake's scan of the
# sources did not find (tests/fuzz/CMakeLists.txt): the registry is asked at run time,
# so no dissector escapes replay because of how its source is written.
# Usage: replay_registry.sh REPLAY_DISSECTOR CORPUS_DIR KNOWN_NAMES(comma-separated)
set -uo pipefail
replay=$1 corpus=$2 known=",$3,"
names=$(PENTRAP_FUZZ_LIST=1 "$replay") || { echo "FAIL: cannot list the registry"; exit 1; }
status=0 extra=0
for name in $names; do
  case "$known" in *",$name,"*) continue ;; esac
  extra=$((extra + 1))
  if [ -d "$corpus/$name" ]; then
    dirs=("$corpus/$name")
  else
    mapfile -t dirs < <(find "$corpus" -mindepth 1 -maxdepth 1 -type d ! -name pipeline ! -name json | sort)
  fi
  echo "replaying $name (not found by the CMake scan): ${dirs[*]}"
  PENTRAP_FUZZ_DISSECTOR=$name "$replay" "${dirs[@]}" || { echo "FAIL: $name"; status=1; }
done
echo "replay_registry: $extra dissector(s) beyond the scan, status $status"
exit $status
