#!/usr/bin/env bash
# No message text reaches any output. For every MAP capture (tests/pcap/map/*/), pentrap
# runs with an order naming every address (so every sms event becomes a record), a store,
# JSON lines and the table; then no text tshark decodes from the capture (TP-UD, in
# capture.pcap.map.tsv's text section) or the generator wrote into it (capture.pcap.texts,
# which has those tshark cannot read), nor its GSM 7-bit packed bytes as they travel in
# SM-RP-UI, nor the synthetic captures' "CANARY-" marker, may appear in the store (sqlite3
# .dump and the raw file), the JSON lines, stdout or stderr, as bytes or as hex.
source "$(dirname "$0")/lib.sh"
PENTRAP=$(realpath "$PENTRAP")
for case_dir in "$SRC"/tests/pcap/map/*/; do
  name=$(basename "$case_dir")
  [ -f "$case_dir/capture.pcap.map.tsv" ] || continue
  run="$WORK/$name"; mkdir -p "$run"
  cp "$case_dir/capture.pcap" "$run/in.pcap"
  cat > "$run/o.yaml" <<'YAML'
order:
  id: CONTENT-1
  kind: both
  valid_from: 1970-01-02T00:00:00Z
  valid_until: 2099-12-31T00:00:00Z
  targets:
    - ip: 0.0.0.0/1
    - ip: 128.0.0.0/1
    - ip: "::/1"
    - ip: "8000::/1"
YAML
  (cd "$run" && "$PENTRAP" run --order o.yaml --db r.db --jsonl r.jsonl --table -r in.pcap > stdout 2> stderr)
  st=$?
  if [ $st != 0 ]; then fail "$name: pentrap exited $st"; sed 's/^/  | /' "$run/stderr"; continue; fi
  if command -v sqlite3 > /dev/null; then
    sqlite3 "$run/r.db" .dump > "$run/dump.sql"
  else
    python3 -c 'import sqlite3,sys; print("\n".join(sqlite3.connect(sys.argv[1]).iterdump()))' "$run/r.db" > "$run/dump.sql"
  fi
  if python3 - "$case_dir/capture.pcap.map.tsv" "$run" <<'PY'
import json, os, sys
tsv, run = sys.argv[1], sys.argv[2]

def gsm7_pack(text):
    acc = bits = 0
    out = bytearray()
    for ch in text:
        acc |= (ord(ch) & 0x7F) << bits
        bits += 7
        while bits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            bits -= 8
    if bits:
        out.append(acc & 0xFF)
    return bytes(out)

texts = [bytes.fromhex(l.split("\t")[1].strip()) for l in open(tsv) if l.startswith("text\t")]
written = tsv[:-len(".map.tsv")] + ".texts"   # what make_map_pcaps.py wrote, cut captures too
if os.path.exists(written):
    texts += [l.rstrip("\n").encode() for l in open(written, encoding="utf-8") if l.strip()]
texts = list(dict.fromkeys(texts))
needles = list(texts)
# the packed form as it travels; its first 8 octets would already give it away
needles += [gsm7_pack(t.decode("utf-8", "replace"))[:8] for t in texts if t.isascii()]
needles.append(b"CANARY-")
outputs = {n: open(os.path.join(run, n), "rb").read() for n in ("r.db", "dump.sql", "r.jsonl", "stdout", "stderr")}
sms = sum(1 for l in outputs["r.jsonl"].splitlines() if json.loads(l)["type"] == "sms")
capture = open(os.path.join(run, "in.pcap"), "rb").read()
bad = 0
for needle in needles:
    forms = [needle, needle.hex().encode(), needle.hex().upper().encode()]
    for name, data in outputs.items():
        for form in forms:
            if form in data:
                print(f"  text {needle[:40]!r} found in {name}")
                bad += 1
raw = sum(1 for n in needles if n in capture)
print(f"  {len(texts)} texts, {len(needles)} needles ({raw} of them as raw bytes in the capture), {sms} sms records: "
      f"{'none found' if not bad else str(bad) + ' found'}")
sys.exit(1 if bad else 0)
PY
  then pass; else fail "$name: message text in the output"; fi
done
finish
