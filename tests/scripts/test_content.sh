#!/usr/bin/env bash
# No content (docs/evidence.md): SIP bodies (SDP), digits dialled after the answer (SIP
# INFO DTMF, RFC 4733 telephone-events) and message text never reach any output: the
# store (its file and sqlite3 .dump), the JSON lines, stdout (the table) or stderr.
#  1. A synthetic call (tests/scripts/gen_content_call.py) carrying all of them with
#     markers, recorded for its caller: the call is recorded; no marker, no post-answer
#     digit sequence, no body text, no record field outside the record's fields.
#  2. Every test capture (tests/pcap/*/*/capture.*), recorded for every address: no SDP
#     text tshark decodes from it (o=, s=, m=, a= values) appears.
# (SMS texts in the SMS captures: test_sms_content.sh.)
source "$(dirname "$0")/lib.sh"
command -v tshark > /dev/null || skip "needs tshark (scripts/install-deps.sh --test installs it)"
PENTRAP=$(realpath "$PENTRAP")
cd "$WORK"

# search DIR: every output of a run in DIR, concatenated (dump made here).
outputs() { sqlite3 "$1/r.db" .dump > "$1/dump.sql" && cat "$1"/r.db* "$1/dump.sql" "$1/r.jsonl" "$1/stdout" "$1/stderr"; }

# 1. The synthetic call.
mkdir syn
python3 "$SRC/tests/scripts/gen_content_call.py" syn/in.pcap || fail "generate the content call"
cat > syn/o.yaml <<'Y'
order:
  id: CONTENT-2
  kind: both
  valid_from: 2023-01-01T00:00:00Z
  valid_until: 2024-12-31T00:00:00Z
  targets:
    - msisdn: "+15550001111"
Y
(cd syn && "$PENTRAP" run --order o.yaml --db r.db --jsonl r.jsonl --table -r in.pcap > stdout 2> stderr) \
  && pass || { fail "synthetic call: pentrap failed"; cat syn/stderr; }
outputs syn > syn/all
python3 - syn/r.jsonl <<'PY' && pass || fail "synthetic call: not recorded as a call"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
types = [r["type"] for r in recs]
assert types[:3] == ["call.attempt", "call.answer", "call.end"] or \
    sorted(t for t in types if t.startswith("call.")) == ["call.answer", "call.attempt", "call.end"], types
PY
for marker in SDPMARKER TEXTMARKER "old mill" "telephone-event" "rtpmap" "m=audio" "application/sdp" "dtmf" \
              "Signal=" "Duration=160" "90210733"; do
  if grep -aiq -- "$marker" syn/all; then fail "synthetic call: '$marker' written"; grep -ai -- "$marker" syn/all | head -3 | cut -c1-200; else pass; fi
  hex=$(printf '%s' "$marker" | od -An -tx1 | tr -d ' \n')
  if grep -aiq -- "$hex" syn/all; then fail "synthetic call: '$marker' written as hex"; else pass; fi
done
# The post-answer digits in order, whatever separates them (a list, a field per digit).
if grep -aEq '9[^0-9]{0,12}0[^0-9]{0,12}2[^0-9]{0,12}1[^0-9]{0,12}0[^0-9]{0,12}7[^0-9]{0,12}3[^0-9]{0,12}3' syn/r.jsonl syn/stdout syn/dump.sql; then
  fail "synthetic call: the post-answer digits 9 0 2 1 0 7 3 3 are in the output"
else pass; fi
python3 - syn/r.jsonl <<'PY' && pass || fail "synthetic call: a record has fields beyond the record's"
import json, sys
FIELDS = {"seq", "ts", "type", "event", "order", "target", "direction", "from", "to", "counterpart", "protocol",
          "service", "signature",
          "confidence", "score", "duration_s", "outcome", "call_id", "contact", "subtype", "evidence",
          "prev_hash", "hash"}
EVIDENCE = {"capture", "frames", "transport", "src", "sport", "dst", "dport", "tunnel", "bytes_up", "bytes_down",
            "packets_up", "packets_down", "name", "from_subscriber", "to_subscriber"}
for l in open(sys.argv[1]):
    r = json.loads(l)
    assert set(r) <= FIELDS, set(r) - FIELDS
    assert set(r["evidence"]) <= EVIDENCE, set(r["evidence"]) - EVIDENCE
    assert r["type"] in ("call.attempt", "call.answer", "call.end", "sms"), r["type"]
PY

# 2. SDP in every test capture.
n=0
for capture in "$SRC"/tests/pcap/*/*/capture.pcap "$SRC"/tests/pcap/*/*/capture.pcapng; do
  [ -f "$capture" ] || continue
  case_name=$(basename "$(dirname "$capture")")
  grep -aqi "application/sdp" "$capture" || continue # no SDP body at all: nothing to look for
  # the SDP texts tshark decodes, long enough to be unmistakable
  tshark -n -r "$capture" -Y sdp -T fields -e sdp.owner -e sdp.session_name -e sdp.media -e sdp.media_attr 2>/dev/null \
    | tr '\t,' '\n\n' | awk 'length($0) >= 10' | sort -u > sdp.txt
  [ -s sdp.txt ] || continue
  n=$((n + 1))
  d=cap$n; mkdir $d
  ext=${capture##*.}
  ln -s "$capture" $d/in.$ext
  cat > $d/o.yaml <<'Y'
order:
  id: CONTENT-3
  kind: both
  valid_from: 1970-01-02T00:00:00Z
  valid_until: 2099-12-31T00:00:00Z
  targets:
    - ip: 0.0.0.0/1
    - ip: 128.0.0.0/1
    - ip: "::/1"
    - ip: "8000::/1"
Y
  (cd $d && "$PENTRAP" run --order o.yaml --db r.db --jsonl r.jsonl --table -r in.$ext > stdout 2> stderr)
  [ $? = 0 ] || { fail "$case_name: pentrap failed"; continue; }
  outputs $d > $d/all
  leaked=$(grep -aiF -f sdp.txt $d/all | head -3)
  if [ -n "$leaked" ]; then fail "$case_name: SDP text in the output: $(echo "$leaked" | cut -c1-120)"
  else pass; echo "  $case_name: $(wc -l < sdp.txt) SDP texts, $(grep -c . $d/r.jsonl) records: none written"; fi
done
[ $n -gt 0 ] && pass || fail "no test capture with SDP was found"
finish
