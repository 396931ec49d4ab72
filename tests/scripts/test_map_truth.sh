#!/usr/bin/env bash
# Every mo-/mt-forwardSM tshark decodes in the MAP captures (tests/pcap/map/) gives
# exactly one sms event with the same parties, call_id, outcome and subtype; an order
# naming a party gives exactly the messages it sent and received; an order naming
# nobody gives no record (tests/pcap/map_truth.py holds the rules, from tshark's fields).
source "$(dirname "$0")/lib.sh"
python3 "$SRC/tests/pcap/map_truth.py" "$PENTRAP" "$SRC/tests/pcap/map"
