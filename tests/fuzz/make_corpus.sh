#!/usr/bin/env bash
# Regenerates the seed corpora in tests/fuzz/corpus/ from the test captures:
#   corpus/<dissector>/  one file per flow a registered dissector recognises
#                        (seed_from_pcap, the format of fuzz_dissector.c)
#   corpus/pipeline/     each capture cut to its first frames (editcap), and the
#                        small bad captures of tests/bad/
# Seeds are kept small (MAX_SEED bytes a dissector seed, MAX_PCAP a capture) so the
# whole corpus stays well under 2 MB. Inputs that fuzzing found and that add coverage
# are merged in by hand (libFuzzer -merge=1, docs/robustness.md) and are not touched.
# With a fuzz build (the `fuzz` preset) as second argument, each corpus is then
# minimised with libFuzzer's -merge=1: only inputs that add coverage stay (their names
# kept), and any further directories given are merged in too (what a long fuzzing run
# found: docs/robustness.md).
# Usage: tests/fuzz/make_corpus.sh BUILD_DIR [FUZZ_BUILD_DIR [FOUND_DIR]]
#   BUILD_DIR has seed_from_pcap; FOUND_DIR/<target>/ holds inputs a fuzzing run found
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${1:?usage: make_corpus.sh BUILD_DIR}")
seed=$build/tests/fuzz/seed_from_pcap
corpus=$src/tests/fuzz/corpus
MAX_SEED=${MAX_SEED:-6144}
MAX_PCAP=${MAX_PCAP:-16384}
MAX_PER_CAPTURE=${MAX_PER_CAPTURE:-8}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

mapfile -t caps < <(find "$src/tests/pcap" "$src/samples" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort)

# Dissector seeds: written fresh, then only new contents are added (by hash), so a
# regenerated corpus keeps what was merged in.
mkdir -p "$work/seeds"
"$seed" "$work/seeds" "$MAX_SEED" "${caps[@]}" 2> "$work/log" || { cat "$work/log"; exit 1; }
for dir in "$work/seeds"/*/; do
  name=$(basename "$dir")
  mkdir -p "$corpus/$name"
  declare -A have=()
  for f in "$corpus/$name"/*; do [ -f "$f" ] && have[$(sha1sum < "$f" | cut -c1-40)]=1; done
  # at most MAX_PER_CAPTURE seeds from one capture, spread over its flows
  for stem in $(ls "$dir" | sed 's/-[0-9]*$//' | sort -u); do
    mapfile -t files < <(ls "$dir" | grep -E "^${stem}-[0-9]+$" | sort -t- -k2 -n)
    step=$(( (${#files[@]} + MAX_PER_CAPTURE - 1) / MAX_PER_CAPTURE ))
    for ((k = 0; k < ${#files[@]}; k += step)); do
      f=$dir${files[$k]}
      h=$(sha1sum < "$f" | cut -c1-40)
      [ -n "${have[$h]:-}" ] && continue
      have[$h]=1
      cp "$f" "$corpus/$name/seed-$(basename "$f")"
    done
  done
  unset have
done

# Dissectors with no traffic in tests/pcap get seeds from a few public captures in
# the shared set (nDPI's test captures, LGPL-3.0; corpus/PROVENANCE.md), when present.
SHARED=${SHARED_PCAPS:-/work/shared/pcaps}
extra=(quic:ndpi/quic-27.pcap quic:ndpi/quic-29.pcap quic:ndpi/quic-v2.pcapng
       stun:ndpi/stun_classic.pcap stun:ndpi/stun_signal.pcapng)
if [ -d "$SHARED" ]; then
  for e in "${extra[@]}"; do
    name=${e%%:*} cap=$SHARED/${e#*:}
    [ -f "$cap" ] || continue
    rm -rf "$work/extra"; mkdir -p "$work/extra"
    "$seed" "$work/extra" "$MAX_SEED" "$cap" 2>/dev/null || continue
    mkdir -p "$corpus/$name"
    n=0
    for f in "$work/extra/$name"/*; do
      [ -f "$f" ] && [ $n -lt 12 ] || continue
      cp "$f" "$corpus/$name/seed-ndpi-$(basename "$f")"
      n=$((n + 1))
    done
  done
fi

# Pipeline seeds: the first frames of each capture, as many as fit in MAX_PCAP.
mkdir -p "$corpus/pipeline"
for cap in "${caps[@]}"; do
  rel=${cap#"$src"/}
  stem=$(echo "$rel" | sed -e 's#^tests/pcap/##' -e 's#/capture\.#.#' -e 's#/#_#g')
  out=$corpus/pipeline/seed-$stem
  n=200
  while :; do
    editcap -r "$cap" "$work/cut" "1-$n" 2>/dev/null || { cp "$cap" "$work/cut"; }
    if [ "$(stat -c %s "$work/cut")" -le "$MAX_PCAP" ] || [ "$n" -le 2 ]; then break; fi
    n=$((n * 2 / 3))
  done
  cp "$work/cut" "$out"
done
# The catalogue's bad captures (tests/bad/make_inputs.py), where small.
python3 "$src/tests/bad/make_inputs.py" "$work/bad" "$src/samples/sample.pcap" > /dev/null
for f in "$work/bad"/*.pcap "$work/bad"/*.pcapng; do
  if [ -f "$f" ] && [ "$(stat -c %s "$f")" -le "$MAX_PCAP" ]; then
    cp "$f" "$corpus/pipeline/bad-$(basename "$f")"
  fi
done
# Minimise: libFuzzer keeps the inputs that add coverage; originals keep their names.
fuzz_build=${2:-}
found=${3:-}
if [ -n "$fuzz_build" ]; then
  fb=$(realpath "$fuzz_build")/tests/fuzz
  for dir in "$corpus"/*/; do
    name=$(basename "$dir")
    rm -rf "$work/merged" "$work/in"; mkdir -p "$work/merged" "$work/in"
    cp "$dir"* "$work/in/"
    [ -n "$found" ] && [ -d "$found/$name" ] && cp "$found/$name"/* "$work/in/" 2>/dev/null || true
    if [ "$name" = pipeline ]; then
      PENTRAP_FUZZ_FRESH=1 "$fb/fuzz_pipeline" -merge=1 "$work/merged" "$work/in" > "$work/merge.log" 2>&1
    else
      PENTRAP_FUZZ_FRESH=1 PENTRAP_FUZZ_DISSECTOR=$name "$fb/fuzz_dissector" -merge=1 "$work/merged" "$work/in" \
        > "$work/merge.log" 2>&1
    fi || { tail -20 "$work/merge.log"; exit 1; }
    declare -A keep=()
    for f in "$work/merged"/*; do keep[$(basename "$f")]=1; done
    rm -f "$dir"*
    for f in "$work/in"/*; do
      h=$(sha1sum < "$f" | cut -c1-40)
      if [ -n "${keep[$h]:-}" ]; then
        base=$(basename "$f")
        case "$base" in seed-*|bug-*) cp "$f" "$dir$base" ;; *) cp "$f" "$dir"found-"$h" ;; esac
        unset "keep[$h]"
      fi
    done
    unset keep
  done
fi
du -sh "$corpus"
for d in "$corpus"/*/; do echo "$(basename "$d"): $(ls "$d" | wc -l) files, $(du -sh "$d" | cut -f1)"; done
