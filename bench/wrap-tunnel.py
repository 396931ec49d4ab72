#!/usr/bin/env python3
"""wrap-tunnel.py IN.pcap OUT.pcap KIND — every Ethernet frame of IN inside a tunnel, one
for one (bench/tunnel-cost.sh: what the tunnel path costs on the same packets).

KIND: vxlan (UDP 4789, VNI 5000), geneve (UDP 6081, VNI 5000, no options),
erspan2 (GRE with a sequence number, session 100), gre (plain GRE, no key, the IP
packet), qinq (802.1ad 100 then 802.1Q 20), mpls (two labels, the IP packet after
them), gtpu-in-erspan (the IP packet in GTP-U in an Ethernet frame in ERSPAN II).
Written with struct alone, so it reads and writes hundreds of MB quickly; the outer
ends are 198.51.100.1 and .9. A frame that is not Ethernet carrying IP stays as it is
for the kinds that need an IP packet (mpls, gtpu-in-erspan).
"""
import struct
import sys


def ipv4(src, dst, proto, payload):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, src, dst) + payload


def udp(sport, dport, payload):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


A, B = bytes([198, 51, 100, 1]), bytes([198, 51, 100, 9])
OUTER_MACS = b"\x02\x00\x00\x00\x00\x09\x02\x00\x00\x00\x00\x01"


def eth(etype, payload, macs=OUTER_MACS):
    return macs + struct.pack(">H", etype) + payload


def erspan2(frame, seq):
    return eth(0x0800, ipv4(A, B, 47, struct.pack(">HHIHHI", 0x1000, 0x88BE, seq, 0x1000, 100, 7) + frame))


def wrap(kind, frame, seq):
    etype = struct.unpack(">H", frame[12:14])[0] if len(frame) >= 14 else 0
    if kind == "vxlan":
        return eth(0x0800, ipv4(A, B, 17, udp(49152 + seq % 4096, 4789, b"\x08\x00\x00\x00\x00\x13\x88\x00" + frame)))
    if kind == "geneve":
        return eth(0x0800, ipv4(A, B, 17, udp(49152 + seq % 4096, 6081, b"\x00\x00\x65\x58\x00\x13\x88\x00" + frame)))
    if kind == "erspan2":
        return erspan2(frame, seq)
    if kind == "qinq":
        return frame[:12] + struct.pack(">HHHH", 0x88A8, 100, 0x8100, 20) + frame[12:]
    if etype not in (0x0800, 0x86DD):
        return frame
    ip = frame[14:]
    if kind == "gre":
        return eth(0x0800, ipv4(A, B, 47, struct.pack(">HH", 0, etype) + ip))
    if kind == "mpls":
        return eth(0x8847, struct.pack(">II", 16 << 12 | 64, 1001 << 12 | 0x100 | 64) + ip, frame[:12])
    if kind == "gtpu-in-erspan":
        s1u = eth(0x0800, ipv4(bytes([198, 51, 100, 2]), bytes([198, 51, 100, 3]), 17,
                               udp(2152, 2152, struct.pack(">BBHI", 0x30, 0xFF, len(ip), 0x101) + ip)))
        return erspan2(s1u, seq)
    raise SystemExit("wrap-tunnel.py: unknown kind " + kind)


def main():
    src, dst, kind = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(src, "rb") as f, open(dst, "wb") as out:
        head = f.read(24)
        magic, _, _, _, _, snaplen, linktype = struct.unpack("<IHHiIII", head)
        if magic not in (0xA1B2C3D4, 0xA1B23C4D) or linktype != 1:
            raise SystemExit("wrap-tunnel.py: a little-endian Ethernet pcap expected")
        out.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 262144, 1))
        seq = 0
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            sec, frac, incl, orig = struct.unpack("<IIII", rec)
            frame = f.read(incl)
            wrapped = wrap(kind, frame, seq) if incl == orig else frame  # a cut frame stays as it was
            out.write(struct.pack("<IIII", sec, frac, len(wrapped), orig + len(wrapped) - incl) + wrapped)
            seq += 1


main()
