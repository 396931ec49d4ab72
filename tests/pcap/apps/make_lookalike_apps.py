#!/usr/bin/env python3
"""make_lookalike_apps.py OUT.pcap: a small synthetic capture of the new apps' look-alikes.

One device (10.0.0.5, the order's target) talks to documentation addresses
(203.0.113.0/24, in no app's range), so only what each connection carries can name it.
Each case has its own device port (the records' evidence.sport) and its own server:

TCP (handshake, data both ways, FIN):
  40001  TLS ClientHello, server name zoom.us.example.net   look-alike: not Zoom
  40002  TLS ClientHello, server name notviber.com           look-alike: not Viber
  40003  TLS ClientHello, server name www.facebook.com       look-alike: Facebook is not Messenger
  40004  TLS ClientHello, server name zoom.us                valid: a Zoom session
  40005  port 4244, first segment one frame (le16 length 32) valid: a Viber chat session
  40006  port 4244, le16 length 64 in a 32-byte segment      truncated frame: not Viber
  40007  port 4244, first bytes random                       malformed: not Viber
  40008  port 5222, "GET / HTTP/1.1"                         look-alike: not XMPP
  40009  port 5222, "<stream:stream ..."                     valid: an XMPP session
UDP:
  41001  port 8801, first byte 0x45 (not Zoom's type 0-7)    look-alike: not a Zoom call
  41002  ICE check and answer, then 2 RTP datagrams          truncated ICE: no call
  41003  ICE, then RTP both ways for 2 s                     too short (min_s 3): no call
  41004  ICE, then RTP both ways for 6 s                     valid: a call, service unknown
  41005  a Binding request whose length runs past the datagram, then 6 s of RTP
                                                             malformed STUN: no ICE, no call
  41006  streaming: 1000-byte datagrams down at 50/s, 1/s up, 12 s    no call
  41007  a game: 40-byte datagrams both ways at 30/s for 2 s, then 2 s quiet, 8 rounds
                                                             bursty: no call
  41008  an app's own relay: 120-byte datagrams of its own framing both ways at 50/s, 15 s
                                                             valid: a call by the relay shape, service unknown
  41009  the same, but its framing's first bytes pass for an RTP header (90 01: version 2)
                                                             valid: a call by the relay shape (RTP is
                                                             taken only once confirmed, not by one header)
  41010  plain RTP both ways at 50/s for 15 s, no STUN (a SIP call's media)
                                                             no call and no flow record: its signalling's
TCP, 200 s after the rest, so the UDP flows time out and the calls end:
  40010  TLS ClientHello, server name www.example.org        a flow record
Ethernet, IPv4, correct lengths; checksums left zero. Seeded: the same bytes every time."""
import random
import struct
import sys

rng = random.Random(19)
DEV = bytes([10, 0, 0, 5])
T0 = 1700000000.0


def srv(n):
    return bytes([203, 0, 113, n])


def eth_ip(src, dst, proto, l4):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), rng.randrange(65536), 0, 64, proto, 0, src, dst)
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip + l4


def tcp(src, dst, sport, dport, seq, ack, flags, payload):
    return eth_ip(src, dst, 6, struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload)


def udp(src, dst, sport, dport, payload):
    return eth_ip(src, dst, 17, struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload)


def rnd(n):
    return bytes(rng.randrange(256) for _ in range(n))


def tcp_conn(frames, t, server, sport, dport, client_data, server_data):
    cs, ss = 1000, 5000
    frames.append((t, tcp(DEV, server, sport, dport, cs, 0, 0x02, b""))); cs += 1
    frames.append((t + 0.02, tcp(server, DEV, dport, sport, ss, cs, 0x12, b""))); ss += 1
    frames.append((t + 0.021, tcp(DEV, server, sport, dport, cs, ss, 0x10, b"")))
    t += 0.05
    for c, s in zip(client_data, server_data):
        frames.append((t, tcp(DEV, server, sport, dport, cs, ss, 0x18, c))); cs += len(c)
        frames.append((t + 0.03, tcp(server, DEV, dport, sport, ss, cs, 0x18, s))); ss += len(s)
        t += 1.0
    frames.append((t, tcp(DEV, server, sport, dport, cs, ss, 0x11, b"")))
    frames.append((t + 0.02, tcp(server, DEV, dport, sport, ss, cs + 1, 0x11, b"")))


def client_hello(name):
    host = name.encode()
    sni = struct.pack("!BH", 0, len(host)) + host
    sni = struct.pack("!H", len(sni)) + sni
    ext = struct.pack("!HH", 0, len(sni)) + sni
    body = b"\x03\x03" + rnd(32) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00" + struct.pack("!H", len(ext)) + ext
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def tls_data(n):
    return b"\x17\x03\x03" + struct.pack("!H", n) + rnd(n)


def stun(mtype, txid, attrs=b"", length=None):
    return struct.pack("!HHI", mtype, len(attrs) if length is None else length, 0x2112A442) + txid + attrs


class Rtp:
    def __init__(self):
        self.ssrc, self.seq, self.ts = rng.randrange(1 << 32), rng.randrange(1 << 16), rng.randrange(1 << 32)

    def next(self, n):
        self.seq = (self.seq + 1) & 0xffff
        self.ts = (self.ts + 960) & 0xffffffff
        return struct.pack("!BBHII", 0x80, 111, self.seq, self.ts, self.ssrc) + rnd(n)


def ice_checks(frames, t, server, sport, dport, good=True):
    tx = rnd(12)
    if good:
        frames.append((t, udp(DEV, server, sport, dport, stun(0x0001, tx))))
        xaddr = struct.pack("!HHBBH4s", 0x0020, 8, 0, 1, sport ^ 0x2112, bytes(a ^ b for a, b in zip(DEV, b"\x21\x12\xa4\x42")))
        frames.append((t + 0.01, udp(server, DEV, dport, sport, stun(0x0101, tx, xaddr[:4] + xaddr[4:]))))
    else:
        frames.append((t, udp(DEV, server, sport, dport, stun(0x0001, tx, length=100))))


def media(frames, t, server, sport, dport, seconds, pps, size, framing=None):
    up, down = Rtp(), Rtp()
    for i in range(int(seconds * pps)):
        ts = t + i / pps
        frames.append((ts, udp(DEV, server, sport, dport, framing(size) if framing else up.next(size))))
        frames.append((ts + 0.004, udp(server, DEV, dport, sport, framing(size) if framing else down.next(size))))


frames = []
t = T0
for sport, name in ((40001, "zoom.us.example.net"), (40002, "notviber.com"), (40003, "www.facebook.com"),
                    (40004, "zoom.us")):
    tcp_conn(frames, t, srv(sport - 40000), sport, 443, [client_hello(name), tls_data(300)], [tls_data(1200), tls_data(80)])
    t += 5
frame_ok = struct.pack("<H", 32) + rnd(30)
frame_cut = struct.pack("<H", 64) + rnd(30)
for sport, first in ((40005, frame_ok), (40006, frame_cut), (40007, b"\x42" + rnd(31))):
    tcp_conn(frames, t, srv(sport - 40000), sport, 4244, [first, rnd(40)], [rnd(20), rnd(20)])
    t += 5
tcp_conn(frames, t, srv(8), 40008, 5222, [b"GET / HTTP/1.1\r\nHost: 203.0.113.8\r\n\r\n"], [b"HTTP/1.1 400 Bad Request\r\n\r\n"])
t += 5
tcp_conn(frames, t, srv(9), 40009, 5222,
         [b"<stream:stream to='example.net' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"],
         [b"<?xml version='1.0'?><stream:stream from='example.net' id='x' version='1.0'>"])
t += 5

# UDP: one peer address per case, so no case's call ties another's flows
for i in range(10):
    frames.append((t + i * 0.5, udp(DEV, srv(101), 41001, 8801, b"\x45" + rnd(60))))
    frames.append((t + i * 0.5 + 0.02, udp(srv(101), DEV, 8801, 41001, b"\x45" + rnd(60))))
t += 10
ice_checks(frames, t, srv(102), 41002, 50002)
media(frames, t + 0.1, srv(102), 41002, 50002, 0.04, 50, 100)  # two each way
t += 10
ice_checks(frames, t, srv(103), 41003, 50003)
media(frames, t + 0.1, srv(103), 41003, 50003, 2, 50, 100)
t += 10
ice_checks(frames, t, srv(104), 41004, 50004)
media(frames, t + 0.1, srv(104), 41004, 50004, 6, 50, 100)
t += 15
ice_checks(frames, t, srv(105), 41005, 50005, good=False)
media(frames, t + 0.1, srv(105), 41005, 50005, 6, 50, 100)
t += 15
for i in range(12 * 50):  # streaming: one way, longer than a relay window
    frames.append((t + i / 50, udp(srv(106), DEV, 50006, 41006, rnd(1000))))
    if i % 50 == 0:
        frames.append((t + i / 50 + 0.005, udp(DEV, srv(106), 41006, 50006, rnd(60))))
t += 35
for r in range(8):  # a game: bursts both ways, quiet between rounds
    for i in range(60):
        frames.append((t + r * 4 + i / 30, udp(DEV, srv(107), 41007, 50007, b"\x13" + rnd(39))))
        frames.append((t + r * 4 + i / 30 + 0.01, udp(srv(107), DEV, 50007, 41007, b"\x13" + rnd(39))))
t += 35
media(frames, t, srv(108), 41008, 50008, 15, 50, 120, framing=lambda n: b"\xd2\x01" + rnd(n - 2))
t += 20
media(frames, t, srv(109), 41009, 50009, 15, 50, 120, framing=lambda n: b"\x90\x01" + rnd(n - 2))
t += 20
media(frames, t, srv(110), 41010, 50010, 15, 50, 120)
t += 200
tcp_conn(frames, t, srv(10), 40010, 443, [client_hello("www.example.org"), tls_data(300)], [tls_data(1200), tls_data(80)])

frames.sort(key=lambda f: f[0])
out = bytearray(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
for ts, data in frames:
    out += struct.pack("<IIII", int(ts), int(round((ts - int(ts)) * 1e6)), len(data), len(data)) + data
open(sys.argv[1], "wb").write(bytes(out))
