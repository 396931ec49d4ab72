#!/usr/bin/env bash
# The independent decoder agrees (docs/handover.md): the IRI `pentrap deliver -o` writes
# for the golden cases (SIP calls answered, busy, no-answer/failed and cancelled; SMS over
# SMPP, SIP MESSAGE and MAP; app messages, calls and sessions; data sessions;
# registrations) are put into a pcap of link type 252 whose frames name the dissector
# HI2Operations (tests/handover/hi2pcap.py), and tshark (Debian 12's 4.0) finds
#   0 frames matching  _ws.malformed || _ws.expert.severity >= "warning" || !HI2Operations.IRIsContent
#   0 frames matching  HI2Operations.content || HI2Operations.sIPMessage   (never content)
# and its -T fields output equals the records, field by field (tests/handover/check_fields.py).
source "$(dirname "$0")/lib.sh"
PENTRAP=$(realpath "$PENTRAP")
if ! command -v tshark > /dev/null || ! command -v python3 > /dev/null; then
  [ "${CI:-}" = true ] && { echo "FAIL: tshark or python3 missing (scripts/install-deps.sh --test)"; exit 1; }
  echo "SKIP: tshark or python3 missing"; exit 77
fi
HO=$SRC/tests/handover
FIELDS=$(python3 -c "import sys; sys.path.insert(0, '$HO'); import check_fields; print(' '.join('-e HI2Operations.' + f for f in check_fields.FIELDS))")
python3 "$HO/make_cancelled.py" "$WORK/cancelled.pcap"
cat > "$WORK/cancelled.yaml" <<'YAML'
order:
  id: TEST-handover-cancelled
  kind: both
  valid_from: 2023-01-01T00:00:00Z
  valid_until: 2024-12-31T23:59:59Z
  targets:
    - msisdn: "+15550000001"
    - msisdn: "+15550000002"
YAML

# check NAME DIR ORDER CAPTURE...: the case's records, delivered as IRI, decoded by tshark
check() {
  local name=$1 dir=$2 order=$3; shift 3
  local w=$WORK/$name liid=LI-${name:0:20}
  mkdir -p "$w"
  (cd "$dir" && "$PENTRAP" run --order "$order" --db "$w/store.db" --jsonl "$w/records.jsonl" "$@") 2> "$w/run.log" \
    || { fail "$name: run"; sed 's/^/  | /' "$w/run.log"; return; }
  "$PENTRAP" deliver --db "$w/store.db" --order "$dir/$order" --liid "$liid" -o "$w/iri.ber" 2> "$w/deliver.log" \
    || { fail "$name: deliver"; cat "$w/deliver.log"; return; }
  python3 "$HO/hi2pcap.py" "$w/iri.ber" "$w/iri.pcap" > /dev/null || { fail "$name: not whole BER PDUs"; return; }
  local bad content
  bad=$(tshark -r "$w/iri.pcap" -Y '_ws.malformed || _ws.expert.severity >= "warning" || !HI2Operations.IRIsContent' 2> /dev/null | wc -l)
  content=$(tshark -r "$w/iri.pcap" -Y 'HI2Operations.content || HI2Operations.sIPMessage' 2> /dev/null | wc -l)
  [ "$bad" = 0 ] && pass || fail "$name: tshark finds $bad frames malformed, warned of, or not IRIsContent"
  [ "$content" = 0 ] && pass || fail "$name: $content frames carry content"
  # shellcheck disable=SC2086
  tshark -r "$w/iri.pcap" -T fields $FIELDS 2> /dev/null > "$w/fields.tsv"
  if python3 "$HO/check_fields.py" "$w/records.jsonl" "$w/fields.tsv" "$liid" > "$w/check.log"; then
    pass
  else
    fail "$name: tshark's fields differ from the records"; head -20 "$w/check.log"
  fi
  [ -s "$w/records.jsonl" ] && pass || fail "$name: no records (the case shows nothing)"
}

P=$SRC/tests/pcap
check sip_answered "$P/sip/heplify_tcp" order.yaml -r capture.pcap
check sip_busy "$P/identity/sip_register_anonymous" order.yaml -r ../sip_register/capture.pcap
check sip_no_answer_failed "$P/sip/sngrep_aaa" order.yaml -r capture.pcap
check sip_cancelled "$WORK" cancelled.yaml -r cancelled.pcap
check sms_smpp "$P/sms/synthetic_smpp" order.yaml -r capture.pcap
check sms_sip_message "$P/sms/synthetic_sip_message" order.yaml -r capture.pcap
check sms_map "$P/map/mo_forward_sm" order.yaml -r capture.pcap
check app_whatsapp "$P/ott/ndpi_whatsapp_voice_and_message" order.yaml -r capture.pcap
check data_session "$P/gtp/zeek_pdp_ctx" order.yaml -r capture.pcapng
# the cases above must between them hold every kind the issue names
all=$(cat "$WORK"/*/records.jsonl)
for want in '"outcome":"answered"' '"outcome":"busy"' '"outcome":"cancelled"' '"protocol":"smpp"' \
            '"protocol":"sip-message"' '"protocol":"map"' '"type":"ott.message"' '"type":"data.session.begin"'; do
  grep -q "$want" <<< "$all" && pass || fail "no record with $want among the cases"
done
finish
