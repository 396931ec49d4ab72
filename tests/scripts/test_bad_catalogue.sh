#!/usr/bin/env bash
# The bad-input catalogue (tests/bad/catalogue.tsv, issue 3): every hostile or broken
# input gets the outcome the table says: an exit status and one line on stderr naming
# the file and the place, or a counted anomaly while the run goes on (and the records
# that should survive, do). A row that names the dissector or subcommand it is about
# fails when the binary does not have it (asked of `pentrap version` and `--help`, not
# of the sources: a renamed dissector fails its rows rather than hiding them).
#   test_bad_catalogue.sh PENTRAP              run it (ctest does)
#   test_bad_catalogue.sh PENTRAP --markdown   also print the results as a table
source "$(dirname "$0")/lib.sh"
PENTRAP=$(realpath "$PENTRAP")
MARKDOWN=${2:-}
CAT=$SRC/tests/bad/catalogue.tsv
IN=$WORK/in
python3 "$SRC/tests/bad/make_inputs.py" "$IN" "$SRC/samples/sample.pcap" > /dev/null || { echo "FAIL: make_inputs.py"; exit 1; }
TABLE=()
# The registry's dissectors, as the binary lists them ("dissectors: gtp sip ...").
DISSECTORS=" $("$PENTRAP" version | sed -n 's/^dissectors: //p') "
[ -n "${DISSECTORS// /}" ] || { echo "FAIL: 'pentrap version' lists no dissectors"; exit 1; }

# {store}: the sample's records in a store (samples/order.yaml, which names no LIID), for
# the deliver rows; {lemf-closer}: HOST:PORT of a test LEMF that closes every connection
# at once (tests/handover/lemf.py on an ephemeral loopback port). Made when a row uses them.
STORE=$IN/records.db
CLOSER=""
CLOSER_PID=""
if grep -q '{store}' "$CAT"; then
  "$PENTRAP" run --order "$SRC/samples/order.yaml" -r "$SRC/samples/sample.pcap" --db "$STORE" 2> /dev/null \
    || { echo "FAIL: could not make {store}"; exit 1; }
fi
if grep -q '{lemf-closer}' "$CAT"; then
  python3 "$SRC/tests/handover/lemf.py" --port-file "$IN/closer.port" --out "$IN/closer.ber" \
    --close-at-once 1000000 --stop-after 300 2> /dev/null &
  CLOSER_PID=$!
  trap 'kill $CLOSER_PID 2> /dev/null; rm -rf "$WORK"' EXIT
  for _ in $(seq 100); do [ -s "$IN/closer.port" ] && break; sleep 0.05; done
  CLOSER=127.0.0.1:$(cat "$IN/closer.port")
fi

# Whether a row's prerequisite is there: a dissector of the binary, or a subcommand.
have() {
  case "$1" in
    -) return 0 ;;
    dissector:*) [[ "$DISSECTORS" == *" ${1#dissector:} "* ]] ;;
    command:*) "$PENTRAP" "${1#command:}" --help > /dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

# The stderr lines that are not the run summary (which starts "pentrap: summary").
error_lines() {
  awk '/^pentrap: summary$/ {s = 1; next} s && /^  / {next} {s = 0; print}' "$1"
}

check_row() {
  local name=$1 needs=$2 want=$3 message=$4 anomalies=$5 records=$6 args=$7
  local dir=$WORK/case/$name
  mkdir -p "$dir"
  args=${args//\{in\}/$IN}
  args=${args//\{sample\}/$SRC/samples/sample.pcap}
  args=${args//\{order\}/$SRC/samples/order.yaml}
  args=${args//\{store\}/$STORE}
  args=${args//\{lemf-closer\}/$CLOSER}
  args=${args//\{work\}/$dir}
  read -r -a argv <<< "$args"
  (cd "$dir" && "$PENTRAP" "${argv[@]}" > "$dir/stdout" 2> "$dir/stderr")
  local got=$? why=""
  error_lines "$dir/stderr" > "$dir/errors"
  if [ "$got" != "$want" ]; then
    why="exit status $got, expected $want"
  elif [ "$message" != - ] && [ "$want" != 0 ] && [ "$(grep -c . "$dir/errors")" != 1 ]; then
    why="$(grep -c . "$dir/errors") lines on stderr, expected one"
  elif [ "$message" != - ] && [ "$want" != 0 ] && ! grep -Eq -- "$message" "$dir/errors"; then
    why="stderr does not match /$message/"
  elif [ "$message" != - ] && [ "$want" = 0 ] && ! grep -Eq -- "$message" "$dir/stderr"; then
    why="stderr does not match /$message/"
  elif [ "$anomalies" = none ] && ! grep -Eq "^  anomalies +0$" "$dir/stderr"; then
    why="anomalies counted, expected none"
  elif [ "$anomalies" != - ] && [ "$anomalies" != none ]; then
    local a
    for a in ${anomalies//,/ }; do
      grep -Eq "^  anomalies .*[(, ]${a//./\\.} [1-9][0-9]*[,)]" "$dir/stderr" || { why="anomaly $a not counted"; break; }
    done
  fi
  if [ -z "$why" ] && [ "$records" = none ] && [ -s "$dir/out.jsonl" ]; then
    why="records written, expected none"
  elif [ -z "$why" ] && [ "$records" != - ] && [ "$records" != none ] && ! grep -Eq -- "$records" "$dir/out.jsonl" 2>/dev/null; then
    why="no record matches /$records/"
  fi
  have "$needs" || why="needs ${needs#*:}, which this pentrap does not have${why:+ ($why)}"
  local outcome
  if [ -z "$why" ]; then
    pass
    outcome=pass
  else
    fail "$name: $why"
    sed 's/^/  | /' "$dir/stderr" | head -20
    outcome="FAIL: $why"
  fi
  local expect="exit $want"
  [ "$message" != - ] && expect="$expect, \`${message//|/\\|}\`"
  [ "$anomalies" != - ] && expect="$expect, anomalies: $anomalies"
  [ "$records" != - ] && expect="$expect, records: \`$records\`"
  TABLE+=("| $name | $expect | $outcome |")
}

while IFS=$'\t' read -r name needs status message anomalies records args; do
  case "$name" in ''|'#'*) continue ;; esac
  check_row "$name" "$needs" "$status" "$message" "$anomalies" "$records" "$args"
done < "$CAT"

if [ "$MARKDOWN" = --markdown ]; then
  echo "| case | expected | result |"
  echo "|---|---|---|"
  printf '%s\n' "${TABLE[@]}"
fi
finish
