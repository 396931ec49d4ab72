#!/usr/bin/env bash
# Regenerates the seed corpora in tests/fuzz/corpus/ from the test captures:
#   corpus/<dissector>/  one file per flow a registered dissector recognises
#                        (seed_from_pcap, the format of fuzz_dissector.c)
#   corpus/pipeline/     each capture cut to its first frames (editcap), and the
#                        small bad captures of tests/bad/
# Seeds are kept small (MAX_SEED bytes a dissector seed, MAX_PCAP a capture) so the
# whole corpus stays well under 2 MB. Inputs that fuzzing found and that add coverage
# are merged in by hand (libFuzzer -merge=1, docs/robustness.md) and are not touched.
# Usage: tests/fuzz/make_corpus.sh BUILD_DIR   (a build with seed_from_pcap in it)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath "${1:?usage: make_corpus.sh BUILD_DIR}")
seed=$build/tests/fuzz/seed_from_pcap
corpus=$src/tests/fuzz/corpus
MAX_SEED=${MAX_SEED:-6144}
MAX_PCAP=${MAX_PCAP:-16384}
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
  for f in "$dir"*; do
    h=$(sha1sum < "$f" | cut -c1-40)
    [ -n "${have[$h]:-}" ] && continue
    have[$h]=1
    cp "$f" "$corpus/$name/seed-$(basename "$f")"
  done
  unset have
done

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
du -sh "$corpus"
for d in "$corpus"/*/; do echo "$(basename "$d"): $(ls "$d" | wc -l) files, $(du -sh "$d" | cut -f1)"; done
