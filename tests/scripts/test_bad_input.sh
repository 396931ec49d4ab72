#!/usr/bin/env bash
# Bad input gets one clear line naming the file and the place, and exit status 2;
# a corrupt packet inside a good capture is counted, and the run goes on.
source "$(dirname "$0")/lib.sh"
SAMPLE=$SRC/samples/sample.pcap
ORDER=$SRC/samples/order.yaml

python3 - "$SAMPLE" "$WORK" <<'PY'
import struct, sys
src, work = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
open(f"{work}/text.pcap", "w").write("this is not a capture\n")
open(f"{work}/empty.pcap", "wb").write(b"")
# cut in the middle of the 40th frame's data
off, n = 24, 0
frames = []
while off + 16 <= len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    frames.append((off, incl))
    off += 16 + incl
cut_at = frames[39][0] + 16 + frames[39][1] // 2
open(f"{work}/truncated.pcap", "wb").write(data[:cut_at])
# frame 1 (a TCP SYN) gets an IP header length of 1 word: malformed, counted, skipped
b = bytearray(data)
o = frames[0][0] + 16 + 14
b[o] = 0x41
open(f"{work}/corrupt.pcap", "wb").write(bytes(b))
# a capture whose header declares an absurd snaplen and link type
hdr = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 0x7fff)
open(f"{work}/badlink.pcap", "wb").write(hdr + data[24:])
PY

cat > "$WORK/bad_date.yaml" <<'Y'
order:
  id: T-1
  kind: both
  valid_from: 2026-13-01T00:00:00Z
  valid_until: 2026-12-31T23:59:59Z
  targets:
    - msisdn: "+15551234567"
Y
cat > "$WORK/unknown_key.yaml" <<'Y'
order:
  id: T-1
  kind: both
  valid_from: 2026-11-01T00:00:00Z
  valid_until: 2026-12-31T23:59:59Z
  colour: blue
  targets:
    - msisdn: "+15551234567"
Y

expect_run "no arguments" 2 "needs --order" -- run
expect_run "unknown command" 2 "unknown command" -- frobnicate
expect_run "missing capture" 2 "nonexistent.pcap: cannot open: No such file" -- run --no-db --order "$ORDER" -r "$WORK/nonexistent.pcap"
expect_run "text file" 2 "text.pcap: not a readable pcap/pcapng capture" -- run --no-db --order "$ORDER" -r "$WORK/text.pcap"
expect_run "empty file" 2 "empty.pcap: empty file" -- run --no-db --order "$ORDER" -r "$WORK/empty.pcap"
expect_run "directory" 2 "is a directory" -- run --no-db --order "$ORDER" -r "$WORK"
expect_run "missing order" 2 "nope.yaml: cannot open" -- run --no-db --order "$WORK/nope.yaml" -r "$SAMPLE"
expect_run "order with a bad date" 2 "bad_date.yaml:4: valid_from: not an RFC 3339 time" -- run --no-db --order "$WORK/bad_date.yaml" -r "$SAMPLE"
expect_run "order with an unknown key" 2 "unknown_key.yaml:6: .*colour" -- run --no-db --order "$WORK/unknown_key.yaml" -r "$SAMPLE"

# A truncated capture: records before the cut are kept, then one line and status 2.
"$PENTRAP" run --no-db -q --order "$ORDER" -r "$WORK/truncated.pcap" --jsonl "$WORK/trunc.jsonl" 2> "$WORK/stderr"
st=$?
if [ $st = 2 ] && grep -Eq "truncated.pcap: byte offset [0-9]+ \(after frame 39\)" "$WORK/stderr" \
   && [ "$(grep -c . "$WORK/stderr")" = 1 ]; then pass; else fail "truncated capture: status $st"; cat "$WORK/stderr"; fi
if grep -q '"type":"call.attempt"' "$WORK/trunc.jsonl" 2>/dev/null; then pass; else fail "truncated capture: the records before the cut were lost"; fi

# A corrupt packet inside a good capture: counted as an anomaly, the run goes on.
"$PENTRAP" run --no-db --order "$ORDER" -r "$WORK/corrupt.pcap" --jsonl "$WORK/corrupt.jsonl" 2> "$WORK/stderr"
st=$?
if [ $st = 0 ] && grep -Eq "anomalies +[1-9].*ip.malformed 1" "$WORK/stderr"; then pass; else fail "corrupt packet: status $st"; cat "$WORK/stderr"; fi
if grep -q '"type":"call.end"' "$WORK/corrupt.jsonl"; then pass; else fail "corrupt packet: later records lost"; fi

# An unsupported link type: every frame counted, no crash, status 0.
"$PENTRAP" run --no-db --order "$ORDER" -r "$WORK/badlink.pcap" 2> "$WORK/stderr"
st=$?
if [ $st = 0 ] && grep -Eq "link.unsupported" "$WORK/stderr"; then pass; else fail "bad link type: status $st"; cat "$WORK/stderr"; fi

# A store file that is not a store.
cp "$WORK/text.pcap" "$WORK/notastore.db"
expect_run "run into a non-store" 2 "notastore.db: not a pentrap store" -- run -q --db "$WORK/notastore.db" --order "$ORDER" -r "$SAMPLE"
expect_run "query a non-store" 2 "notastore.db: not a pentrap store" -- query --db "$WORK/notastore.db" --target "+15551234567"
expect_run "query a missing store" 2 "missing.db: cannot open" -- query --db "$WORK/missing.db" --target "+15551234567"
expect_run "query bad time" 2 "not an RFC 3339 time" -- query --db "$WORK/notastore.db" --target x --from yesterday

finish
