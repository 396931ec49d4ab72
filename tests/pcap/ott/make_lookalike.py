#!/usr/bin/env python3
"""make_lookalike.py OUT.pcap: a small synthetic capture for the "garbage on 5223" look-alike.

One device (10.0.0.5) opens three TCP connections to an Apple address (17.57.145.148)
on port 5223, Apple push's port:
  50000  random bytes both ways (a seeded generator: the same file every time);
  50001  plain text ("GET / HTTP/1.1"), as a misdirected web client would send;
  50002  what APNs sends: TLS records (application data, 17 03 03 + length), the control.
Only the last may be an Apple push session. Ethernet, IPv4, TCP with handshakes and
correct lengths; checksums are left zero (tshark does not check them by default)."""
import random
import struct
import sys

rng = random.Random(5223)
DEV, APPLE = bytes([10, 0, 0, 5]), bytes([17, 57, 145, 148])

def ip_tcp(src, dst, sport, dport, seq, ack, flags, payload):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), rng.randrange(65536), 0, 64, 6, 0, src, dst)
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip + tcp

def conn(frames, t, sport, client_data, server_data):
    cs, ss = 1000, 5000
    frames.append((t, ip_tcp(DEV, APPLE, sport, 5223, cs, 0, 0x02, b""))); cs += 1
    frames.append((t + 0.02, ip_tcp(APPLE, DEV, 5223, sport, ss, cs, 0x12, b""))); ss += 1
    frames.append((t + 0.021, ip_tcp(DEV, APPLE, sport, 5223, cs, ss, 0x10, b"")))
    t += 0.05
    for c, s in zip(client_data, server_data):
        frames.append((t, ip_tcp(DEV, APPLE, sport, 5223, cs, ss, 0x18, c))); cs += len(c)
        frames.append((t + 0.03, ip_tcp(APPLE, DEV, 5223, sport, ss, cs, 0x18, s))); ss += len(s)
        t += 3.0
    frames.append((t, ip_tcp(DEV, APPLE, sport, 5223, cs, ss, 0x11, b"")))
    frames.append((t + 0.02, ip_tcp(APPLE, DEV, 5223, sport, ss, cs + 1, 0x11, b"")))

def tls_record(n):
    return b"\x17\x03\x03" + struct.pack("!H", n) + bytes(rng.randrange(256) for _ in range(n))

frames = []
garbage = lambda n: bytes(rng.randrange(256) for _ in range(n))
# make sure the random bytes never start like a TLS record (content type 20..23)
def not_tls(b):
    return bytes([0x42]) + b[1:]
conn(frames, 1700000000.0, 50000, [not_tls(garbage(300)) for _ in range(3)], [not_tls(garbage(100)) for _ in range(3)])
conn(frames, 1700000020.0, 50001, [b"GET / HTTP/1.1\r\nHost: 17.57.145.148:5223\r\n\r\n"] * 2, [b"HTTP/1.1 400 Bad Request\r\n\r\n"] * 2)
conn(frames, 1700000040.0, 50002, [tls_record(600), tls_record(64)], [tls_record(48), tls_record(48)])
frames.sort(key=lambda f: f[0])
out = bytearray(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
for t, data in frames:
    out += struct.pack("<IIII", int(t), int(round((t - int(t)) * 1e6)), len(data), len(data)) + data
open(sys.argv[1], "wb").write(bytes(out))
