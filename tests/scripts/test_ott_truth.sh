#!/usr/bin/env bash
# The OTT golden captures (tests/pcap/ott/*) checked against nDPI's labels in their truth
# files: every flow of the device that nDPI names WhatsApp, ApplePush, Signal or
# Telegram (sessions and calls) is recorded with that service, and no flow nDPI calls
# iCloud/iTunes/Apple is taken for Apple push or an iMessage (ndpi_check.py).
source "$(dirname "$0")/lib.sh"
PENTRAP=$(cd "$(dirname "$PENTRAP")" && pwd)/$(basename "$PENTRAP")
for case_dir in "$SRC"/tests/pcap/ott/*/; do
  [ -f "$case_dir/device" ] || continue
  name=$(basename "$case_dir")
  cap=$(ls "$case_dir" | grep -E '^capture\.pcap(ng)?$')
  (cd "$case_dir" && "$PENTRAP" run --no-db --jsonl "$WORK/$name.jsonl" -q --order order.yaml -r "$cap") 2> "$WORK/$name.err" || {
    fail "$name: pentrap failed"; cat "$WORK/$name.err"; continue; }
  if python3 "$SRC/tests/pcap/ott/ndpi_check.py" "$WORK/$name.jsonl" "$case_dir/$cap.truth.tsv" "$(cat "$case_dir/device")" > "$WORK/$name.check"; then
    pass
  else
    fail "$name: records disagree with nDPI's labels"; grep -v '^ok' "$WORK/$name.check"
  fi
done
finish
