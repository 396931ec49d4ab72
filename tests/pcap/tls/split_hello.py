#!/usr/bin/env python3
"""split_hello.py IN.pcap OUT.pcap [order]: rewrites a classic Ethernet/IPv4 pcap so that
the first TLS ClientHello travels in three TCP segments (3 bytes, the next 97, the rest),
with their sequence numbers, IP lengths and checksums set. order "reverse" sends the
segments last-first, so the receiver must put them back in order. No payload byte is
changed; only how the bytes are cut into packets. tshark reassembles the result (the
case's truth.tsv shows its tls_clienthello)."""
import struct
import sys

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def frames(buf):
    off = 24
    while off + 16 <= len(buf):
        ts_s, ts_us, incl, orig = struct.unpack_from("<IIII", buf, off)
        yield ts_s, ts_us, buf[off + 16:off + 16 + incl]
        off += 16 + incl

def rebuild(eth, ip_hdr, tcp_hdr, seq, payload):
    tcp = bytearray(tcp_hdr)
    struct.pack_into("!I", tcp, 4, seq)
    struct.pack_into("!H", tcp, 16, 0)
    ip = bytearray(ip_hdr)
    total = len(ip) + len(tcp) + len(payload)
    struct.pack_into("!H", ip, 2, total)
    struct.pack_into("!H", ip, 10, 0)
    struct.pack_into("!H", ip, 10, csum(bytes(ip)))
    pseudo = ip[12:20] + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
    struct.pack_into("!H", tcp, 16, csum(bytes(pseudo) + bytes(tcp) + payload))
    return eth + bytes(ip) + bytes(tcp) + payload

def main():
    src, dst = sys.argv[1], sys.argv[2]
    reverse = len(sys.argv) > 3 and sys.argv[3] == "reverse"
    buf = open(src, "rb").read()
    out = bytearray(buf[:24])
    done = False
    for ts_s, ts_us, data in frames(buf):
        eth, rest = data[:14], data[14:]
        if not done and struct.unpack("!H", eth[12:14])[0] == 0x0800 and rest[9] == 6:
            ihl = (rest[0] & 15) * 4
            total = struct.unpack("!H", rest[2:4])[0]
            tcp = rest[ihl:total]
            doff = (tcp[12] >> 4) * 4
            payload = tcp[doff:]
            if len(payload) > 6 and payload[0] == 0x16 and payload[5] == 1:
                seq = struct.unpack("!I", tcp[4:8])[0]
                cuts = [(0, 3), (3, 100), (100, len(payload))]
                segs = [rebuild(eth, rest[:ihl], tcp[:doff], (seq + a) & 0xffffffff, payload[a:b]) for a, b in cuts]
                if reverse:
                    segs.reverse()
                for i, seg in enumerate(segs):
                    out += struct.pack("<IIII", ts_s, ts_us + i, len(seg), len(seg)) + seg
                done = True
                continue
        out += struct.pack("<IIII", ts_s, ts_us, len(data), len(data)) + data
    if not done:
        sys.exit("no ClientHello found")
    open(dst, "wb").write(bytes(out))

main()
