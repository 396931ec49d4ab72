#!/usr/bin/env bash
# Minimisation: for every public capture with calls or SMS and every party in it, an
# order naming that party writes nothing about communications it is not part of: no
# identity, address or Call-ID of them in the store, the JSON lines, stdout or stderr
# (tests/scripts/minimisation.py says how, against tshark's truth).
source "$(dirname "$0")/lib.sh"
PENTRAP=$(realpath "$PENTRAP")
python3 "$SRC/tests/scripts/minimisation.py" "$PENTRAP" "$SRC" "$WORK"
