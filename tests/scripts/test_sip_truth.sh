#!/usr/bin/env bash
# Every INVITE dialog tshark shows in the SIP captures gives the call.attempt record
# an order naming its caller (or callee) asks for, and none for an order naming nobody.
source "$(dirname "$0")/lib.sh"
python3 "$SRC/tests/pcap/sip_truth.py" "$PENTRAP" "$SRC/tests/pcap/sip"
