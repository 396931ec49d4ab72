#!/usr/bin/env bash
# Every SMS tshark decodes in the SMS captures (SMPP, SIP MESSAGE) gives exactly one sms
# event with the same parties, call_id, outcome and subtype; an order naming a party gives
# exactly the messages it sent and received; an order naming nobody gives no record.
source "$(dirname "$0")/lib.sh"
python3 "$SRC/tests/pcap/sms_truth.py" "$PENTRAP" "$SRC/tests/pcap/sms"
