#!/usr/bin/env bash
# What the sensor saw of SS7 that gave no sms record is in the summary: MAP operations
# seen but not recorded (sendRoutingInfoForSM, location updates, others), TCAP messages
# and those of other applications (CAMEL), and look-alikes give no sms event.
source "$(dirname "$0")/lib.sh"
MAP="$SRC/tests/pcap/map"
cat > "$WORK/o.yaml" <<'YAML'
order:
  id: SUMMARY-1
  kind: both
  valid_from: 1970-01-02T00:00:00Z
  valid_until: 2099-12-31T00:00:00Z
  targets:
    - ip: 0.0.0.0/1
    - ip: 128.0.0.0/1
YAML
summary() { "$PENTRAP" run --order "$WORK/o.yaml" --no-db --jsonl "$WORK/out.jsonl" -r "$1" 2> "$WORK/summary" > /dev/null; }
expect() { # name regex
  if grep -Eq -- "$2" "$WORK/summary"; then pass; else fail "$1: summary has no line /$2/"; sed 's/^/  | /' "$WORK/summary"; fi
}
no_sms() {
  local n; n=$(grep -c '"type":"sms"' "$WORK/out.jsonl" || true)
  if [ "$n" = 0 ]; then pass; else fail "$1: $n sms records"; fi
}

summary "$MAP/sri_sm/capture.pcap"
expect sri_sm '^  map ops +2 not recorded \(sendRoutingInfoForSM 1, updateLocation 1, other 0\)$'
expect sri_sm '^  tcap +4 messages \(0 not MAP'
expect sri_sm '^  sms +0 '
no_sms sri_sm

summary "$MAP/multi_chunk/capture.pcap"
expect multi_chunk '^  map ops +1 not recorded \(sendRoutingInfoForSM 1, updateLocation 0, other 0\)$'
expect multi_chunk '^  sms +3 seen in the signalling \(smpp 0, sip-message 0, map 3; '
expect multi_chunk '^  anomalies +0$'

# arkime's synthetic SIGTRAN: 13 CAMEL TCAP messages (15 frames, two retransmitted), no MAP
summary "$MAP/arkime_m3ua_synthetic/capture.pcap"
expect arkime '^  tcap +13 messages \(13 not MAP'
expect arkime '^  map ops +0 not recorded'
no_sms arkime

for c in lookalike suricata_sctp_keywords ndpi_sctp_megaco; do
  summary "$MAP/$c/capture.pcap"
  expect $c '^  sms +0 '
  no_sms $c
done
expect ndpi_sctp_megaco '^  anomalies +0$'
finish
