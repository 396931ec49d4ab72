#!/usr/bin/env bash
# Clear-text events on generated traffic: with every subscriber a target, pentrap's call
# records (attempt, answer, end) and SMS records (SMPP, SIP MESSAGE, MAP) match the
# generator's truth with precision and recall 1.0 (bench/accuracy.py does the matching).
# App-message and app-call inference is printed, not asserted (docs/accuracy.md).
source "$(dirname "$0")/lib.sh"
PENTRAP=$(cd "$(dirname "$PENTRAP")" && pwd)/$(basename "$PENTRAP")
ACC="$SRC/bench/accuracy.py"
cd "$WORK" || exit 1

# seed 3, 40 subscribers, 5 minutes: answered and busy calls, SMS over all three carriers
"$PENTRAP" gen --seed 3 --subscribers 40 --duration 300 -o g.pcap --truth g.jsonl -q || fail "gen failed"
python3 "$ACC" order g.jsonl --id GEN-ACCURACY > order.yaml || fail "order failed"
"$PENTRAP" run --order order.yaml -r g.pcap --no-db --jsonl rec.jsonl -q || fail "pentrap run failed"
python3 "$ACC" score g.jsonl rec.jsonl --order order.yaml --json > score.json || fail "scoring failed"
python3 "$ACC" score g.jsonl rec.jsonl --order order.yaml

# expect TYPE: precision and recall 1.0 over a non-empty truth
expect_perfect() {
  local typ=$1 line
  line=$(python3 -c "import json; r=json.load(open('score.json'))['$typ']; print(r['truth'], r['records'], r['precision'], r['recall'])")
  read -r truth recs prec rec <<< "$line"
  if [ "$truth" -gt 0 ] && [ "$prec" = "1.0" ] && [ "$rec" = "1.0" ]; then
    pass
  else
    fail "$typ: truth $truth, events $recs, precision $prec, recall $rec"
    python3 "$ACC" score g.jsonl rec.jsonl --order order.yaml -v 2>&1 >/dev/null | grep -F "\"$typ\"" | head -5
  fi
}
expect_perfect call.attempt
expect_perfect call.answer
expect_perfect call.end

# the voice mix, seed 2: calls that are answered, busy, cancelled, unanswered and failed
"$PENTRAP" gen --seed 2 --subscribers 20 --duration 300 --mix voice -o v.pcap --truth v.jsonl -q || fail "gen failed"
for o in answered busy cancelled no-answer failed; do
  grep -q "\"type\":\"call.attempt\".*\"outcome\":\"$o\"" v.jsonl && pass || fail "the voice capture has no $o call"
done
python3 "$ACC" order v.jsonl --id GEN-ACCURACY-VOICE > vorder.yaml || fail "order failed"
"$PENTRAP" run --order vorder.yaml -r v.pcap --no-db --jsonl vrec.jsonl -q || fail "pentrap run failed"
python3 "$ACC" score v.jsonl vrec.jsonl --order vorder.yaml --json > vscore.json || fail "scoring failed"
python3 "$ACC" score v.jsonl vrec.jsonl --order vorder.yaml
mv score.json gscore.json; mv vscore.json score.json
expect_perfect call.attempt
expect_perfect call.answer
expect_perfect call.end
mv gscore.json score.json

# SMS over SMPP, SIP MESSAGE and MAP: the binary must have those dissectors (it says
# which it has); a missing one fails here, with the scores below, rather than skipping.
dissectors=" $("$PENTRAP" version | sed -n 's/^dissectors: //p') "
for d in smpp sip map; do
  [[ "$dissectors" == *" $d "* ]] && pass || fail "the binary has no $d dissector (it has:$dissectors)"
done
expect_perfect sms
for proto in smpp sip-message map; do
  n=$(grep -c "\"type\":\"sms\",\"protocol\":\"$proto\"" g.jsonl)
  [ "$n" -gt 0 ] && pass || fail "the capture has no SMS over $proto"
done
finish
