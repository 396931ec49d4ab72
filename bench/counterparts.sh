#!/usr/bin/env bash
# Counterpart pairing against the generator's truth (docs/accuracy.md, "Counterparts"):
# the `ott` mix, the order naming a fraction of the subscribers, for each message-rate
# factor and fraction given; prints a Markdown table of precision and recall per leg.
# Usage: bench/counterparts.sh PENTRAP [SUBSCRIBERS DURATION SEED "RATES" "FRACTIONS"]
set -euo pipefail
P=$(realpath "$1"); SUBS=${2:-200}; DUR=${3:-1800}; SEED=${4:-9}
RATES=${5:-"1 2 4"}; FRACS=${6:-"0.1 0.2 0.4"}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
echo "| message rate | targets | legs between targets | named | right | precision | recall |"
echo "|---|---|---|---|---|---|---|"
for rate in $RATES; do
  "$P" gen -q --seed "$SEED" --subscribers "$SUBS" --duration "$DUR" --mix ott --message-rate "$rate" \
    -o "$W/g.pcap" --truth "$W/g.jsonl"
  for frac in $FRACS; do
    python3 "$HERE/accuracy.py" order "$W/g.jsonl" --fraction "$frac" > "$W/o.yaml"
    n=$(grep -c -- '- msisdn:' "$W/o.yaml")
    "$P" run -q --no-db --order "$W/o.yaml" -r "$W/g.pcap" --jsonl "$W/r.jsonl"
    python3 "$HERE/accuracy.py" counterparts "$W/g.jsonl" "$W/r.jsonl" --order "$W/o.yaml" --json > "$W/c.json"
    python3 - "$W/c.json" "$rate" "$n" "$SUBS" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
f = lambda x: "-" if x is None else "%.3f" % x
print("| x%s | %s of %s | %d | %d | %d | %s | %s |" % (sys.argv[2], sys.argv[3], sys.argv[4], c["should"], c["named"],
      c["correct"], f(c["precision"]), f(c["recall"])))
PY
  done
done
