#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_decode.c: tests/fuzz/corpus/decode/<name>/.

Each encapsulation parser gets its headers valid (every option that changes the
layout), cut short, inconsistent, and a look-alike; "frame" gets whole frames (link
byte, then the frame) through every tunnel and nesting the decoder opens, and frames
from the tunnel test captures (tests/pcap/tunnel/*/capture.pcap) when they are there.
Deterministic: running it again writes the same files.

Usage: tests/fuzz/make_decode_corpus.py [CORPUS_DIR]
"""
import glob
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", "decode")


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def ipv4(proto, payload, src=b"\x0a\x00\x00\x01", dst=b"\xc0\xa8\x01\x02", frag=0x4000):
    return struct.pack(">BBHHHBBH", 0x45, 0, 20 + len(payload), 0x1234, frag, 64, proto, 0) + src + dst + payload


def ipv6(nh, payload):
    return u32(0x60000000) + u16(len(payload)) + bytes([nh, 64]) + b"\x20\x01\x0d\xb8" + bytes(11) + b"\x01" \
        + b"\x20\x01\x0d\xb8" + bytes(11) + b"\x02" + payload


def udp(sport, dport, payload):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


SIP = udp(5060, 5060, b"INVITE sip:bob@example.org SIP/2.0\r\n\r\n")
IP4 = ipv4(17, SIP)
IP6 = ipv6(17, SIP)


def eth(etype, payload):
    return b"\x11" * 6 + b"\x22" * 6 + u16(etype) + payload


ETH = eth(0x0800, IP4)


def gre(flags, proto, payload, key=0, seq=0):
    h = u16(flags) + u16(proto)
    if flags & 0x8000:
        h += u32(0)
    if flags & 0x2000:
        h += u32(key)
    if flags & 0x1000:
        h += u32(seq)
    return h + payload


def erspan2(session, payload):
    return u16(0x1000 | 20) + u16(session) + u32(7) + payload


def erspan3(session, ft, platform, payload):
    return u16(0x2000) + u16(session) + u32(0xdeadbeef) + u16(0) + u16(ft << 10 | platform) \
        + (b"\xab" * 8 if platform else b"") + payload


def vxlan(vni, payload, flags=0x08):
    return bytes([flags, 0, 0, 0]) + u32(vni << 8) + payload


def gpe(nxt, vni, payload, flags=0x0c):
    return bytes([flags, 0, 0, nxt]) + u32(vni << 8) + payload


def geneve(proto, vni, payload, opt_words=0, version=0):
    return bytes([version << 6 | opt_words, 0]) + u16(proto) + u32(vni << 8) + b"\x5a" * (4 * opt_words) + payload


def mpls(labels, payload):
    out = b""
    for i, label in enumerate(labels):
        out += u32(label << 12 | (0x100 if i == len(labels) - 1 else 0) | 64)
    return out + payload


def pppoe(session, proto, payload):
    body = u16(proto) + payload
    return bytes([0x11, 0]) + u16(session) + u16(len(body)) + body


def nsh(md_type, words, nxt, spi, si, payload):
    return u16(63 << 6 | words) + bytes([md_type, nxt]) + u32(spi << 8 | si) + bytes(4 * max(words - 2, 0)) + payload


def gtpu(teid, payload, flags=0x30):
    return bytes([flags, 0xff]) + u16(len(payload)) + u32(teid) + payload


def cases(valid, extra=()):
    """Each valid header, cut at a few places, plus the extra (malformed, look-alike) ones."""
    seeds = []
    for v in valid:
        seeds.append(v)
        for cut in (1, 3, 7, 12):
            if cut < len(v):
                seeds.append(v[:cut])
    return seeds + list(extra)


parsers = {
    "gre": cases([gre(0, 0x0800, IP4), gre(0xb000, 0x86dd, IP6, 42, 9), gre(0x2000, 0x6558, ETH, 7),
                  gre(0x1000, 0x88be, erspan2(100, ETH)), gre(0, 0x88be, ETH), gre(0x1000, 0x22eb, b"")],
                 [gre(0x4000, 0x0800, IP4), gre(0x2001, 0x880b, b"\xff\x03"), b"\x0f\xff\x08\x00"]),
    "erspan": cases([b"\x00" + erspan2(100, ETH), b"\x01" + erspan3(5, 0, 1, ETH), b"\x01" + erspan3(5, 2, 0, IP6)],
                    [b"\x00" + erspan3(5, 0, 0, ETH), b"\x01" + erspan3(5, 7, 0, ETH), b"\x01" + erspan2(1, ETH)]),
    "vxlan": cases([vxlan(5000, ETH), vxlan(1, ETH, 0x88)], [vxlan(5000, ETH, 0x00), vxlan(3, b"", 0x08)]),
    "vxlan-gpe": cases([gpe(1, 9, IP4), gpe(4, 9, nsh(2, 2, 3, 10, 255, ETH)), gpe(5, 1, mpls([16], IP4))],
                       [gpe(1, 9, IP4, 0x08), gpe(9, 1, IP4), gpe(1, 1, IP4, 0x3c)]),
    "geneve": cases([geneve(0x6558, 0xabcdef, ETH, 3), geneve(0x0800, 3, IP4), geneve(0x86dd, 3, IP6, 63)],
                    [geneve(0x6558, 3, ETH, 0, 1), geneve(0x88cc, 3, b"\x00" * 20)]),
    "mpls": cases([mpls([16, 1001], IP4), mpls([17], IP6), mpls([0], IP4), mpls([18, 300], u32(1) + ETH),
                   mpls([301], ETH), mpls([302], b"\x00\x00\x00" + ETH[3:])],
                  [mpls(list(range(100, 109)), IP4), mpls([13], b"\x10\x00\x00\x07")]),
    "pppoe": cases([pppoe(0x1234, 0x0021, IP4) + bytes(10), pppoe(7, 0x0057, IP6), pppoe(7, 0x0281, mpls([5], IP4)),
                    pppoe(7, 0x21, IP4)],
                   [pppoe(7, 0xc021, b"\x01" * 10), bytes([0x21, 0]) + pppoe(7, 0x21, IP4)[2:],
                    bytes([0x11, 0, 0, 7, 0xff, 0xff, 0, 0x21]) + IP4]),
    "nsh": cases([nsh(1, 6, 1, 0x123456, 254, IP4), nsh(2, 4, 3, 1, 1, ETH), nsh(2, 2, 4, 2, 2, nsh(2, 2, 1, 3, 3, IP4))],
                 [nsh(1, 5, 1, 1, 1, IP4), b"\x40" + nsh(2, 2, 1, 1, 1, IP4)[1:], nsh(2, 2, 0x41, 1, 1, IP4)]),
    "gtpu": cases([gtpu(0x101, IP4), gtpu(0x102, b"\x00\x00\x00\x85\x01\x00\x01\x00" + IP6, 0x34)],
                  [gtpu(1, b"\x00\x00\x00\x85" + b"\x01\x00\x00\x85" * 9 + IP4, 0x34), bytes([0x32, 1, 0, 4]) + bytes(8)]),
}

LINK_ETH, LINK_SLL, LINK_SLL2, LINK_RAW = 0, 1, 2, 3


def over_ip(proto, payload, src=b"\xc6\x33\x64\x01", dst=b"\xc6\x33\x64\x02"):
    return eth(0x0800, ipv4(proto, payload, src, dst))


def over_udp(dport, payload, sport=50000):
    return over_ip(17, udp(sport, dport, payload))


def nested_ipip(n):
    pkt = IP4
    for _ in range(n):
        pkt = ipv4(4, pkt, b"\xc6\x33\x64\x01", b"\xc6\x33\x64\x02")
    return eth(0x0800, pkt)


frames = [
    bytes([LINK_ETH]) + over_ip(47, gre(0x1000, 0x88be, erspan2(100, eth(0x8100, u16(20) + u16(0x0800) + IP4)))),
    bytes([LINK_ETH]) + over_ip(47, gre(0x1000, 0x22eb, erspan3(9, 0, 1, ETH))),
    bytes([LINK_ETH]) + over_ip(47, gre(0, 0x88be, ETH)),
    bytes([LINK_ETH]) + over_udp(4789, vxlan(5000, ETH)),
    bytes([LINK_ETH]) + over_udp(8472, vxlan(77, ETH)),
    bytes([LINK_ETH]) + over_udp(4790, gpe(4, 9, nsh(2, 2, 3, 10, 255, ETH))),
    bytes([LINK_ETH]) + over_udp(6081, geneve(0x6558, 3, ETH, 2)),
    bytes([LINK_ETH]) + over_udp(16081, geneve(0x0800, 3, IP4, 1)),
    bytes([LINK_ETH]) + eth(0x8847, mpls([16, 1001], IP4)),
    bytes([LINK_ETH]) + eth(0x8847, mpls([18, 300], u32(1) + ETH)),
    bytes([LINK_ETH]) + eth(0x8100, u16(300) + u16(0x8864) + pppoe(7, 0x0057, IP6)),
    bytes([LINK_ETH]) + eth(0x894f, nsh(1, 6, 1, 0x123456, 254, IP4)),
    bytes([LINK_ETH]) + over_ip(4, IP4),
    bytes([LINK_ETH]) + over_ip(41, IP6),
    bytes([LINK_ETH]) + over_udp(2152, gtpu(0x101, IP4), 2152),
    bytes([LINK_ETH]) + over_ip(47, gre(0, 0x0800, ipv4(17, udp(40000, 4789, vxlan(5000, ETH))))),
    bytes([LINK_ETH]) + over_udp(4789, vxlan(10, eth(0x8847, mpls([100], IP4)))),
    bytes([LINK_ETH]) + over_ip(47, gre(0x1000, 0x88be, erspan2(100, eth(0x0800, ipv4(17, udp(2152, 2152, gtpu(0x202, IP4))))))),
    bytes([LINK_ETH]) + nested_ipip(8),
    bytes([LINK_ETH]) + nested_ipip(9),
    bytes([LINK_ETH]) + over_ip(47, gre(0x2000, 0x0800, ipv4(17, SIP[:600], frag=0x2000), 5)),
    bytes([LINK_ETH]) + over_udp(4789, b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"),
    bytes([LINK_ETH]) + over_ip(47, gre(0x2000, 0x0800, b"\x17" * 40, 99)),
    bytes([LINK_SLL]) + u16(0) + u16(1) + u16(6) + b"\x22" * 8 + u16(0x8847) + mpls([55], IP4),
    bytes([LINK_SLL2]) + u16(0x0800) + u16(0) + u32(3) + u16(1) + bytes([0, 6]) + b"\x22" * 8
    + ipv4(47, gre(0x1000, 0x88be, erspan2(3, ETH)), b"\xc6\x33\x64\x01", b"\xc6\x33\x64\x02"),
    bytes([LINK_RAW]) + ipv6(4, IP4),
]


def capture_frames():
    """The first frames of each tunnel test capture, with their link byte."""
    seeds = []
    for path in sorted(glob.glob(os.path.join(here, "..", "pcap", "tunnel", "*", "capture.pcap"))):
        with open(path, "rb") as f:
            data = f.read()
        if len(data) < 24 or data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            continue
        linktype = struct.unpack("<I", data[20:24])[0]
        link = {1: LINK_ETH, 113: LINK_SLL, 276: LINK_SLL2, 101: LINK_RAW}.get(linktype)
        if link is None:
            continue
        off, n = 24, 0
        while off + 16 <= len(data) and n < 3:
            caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
            seeds.append(bytes([link]) + data[off + 16:off + 16 + caplen])
            off += 16 + caplen
            n += 1
    return seeds


def write(name, seeds):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):
        if old.startswith("seed-"):
            os.remove(os.path.join(d, old))
    for i, s in enumerate(seeds):
        with open(os.path.join(d, "seed-%03d" % i), "wb") as f:
            f.write(s)


for name, seeds in parsers.items():
    write(name, seeds)
write("frame", frames + [f[:len(f) * 2 // 3] for f in frames[:8]] + capture_frames())
