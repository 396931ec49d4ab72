#!/usr/bin/env bash
# Every subscriber session tshark shows in the GTP-C, RADIUS and Diameter captures gives
# the data.session record (address, MSISDN / IMSI, APN) an order naming the subscriber
# asks for; no more sessions than the truth has; none for the look-alikes.
source "$(dirname "$0")/lib.sh"
python3 "$SRC/tests/pcap/session_truth.py" "$PENTRAP" "$SRC/tests/pcap"
