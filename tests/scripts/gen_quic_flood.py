#!/usr/bin/env python3
"""gen_quic_flood.py N OUT.pcap — N QUIC Initials from N clients, inside one VXLAN tunnel.

Traffic that one pipeline cannot keep up with when a veth pair carries it as fast as it
goes (test_live_workers.sh): every packet is a new flow whose Initial pentrap decrypts
to read the SNI (RFC 9001 §5, tens of microseconds each). The Initial is the first
client packet of tests/pcap/quic/zeek_chromium_v1/capture.pcap (its PROVENANCE.md);
client i is 10.(1+i/65536).(i/256%256).(i%256), port 40000 + i%20000, to 192.0.2.80:443.
All of it comes from one VTEP (198.51.100.1:49152 to 198.51.100.9:4789, VNI 7): to the
kernel it is one flow (its packet fanout would hand it all to one socket); pentrap's
reader shares it out by the clients inside. Written with struct alone: fast, no scapy.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "pcap", "quic", "zeek_chromium_v1", "capture.pcap")


def frames_of(path):
    data = open(path, "rb").read()
    magic = struct.unpack_from("<I", data, 0)[0]
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "a little-endian pcap expected"
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack_from("<I", data, off + 8)[0]
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def quic_initial():
    """The UDP payload of the first client packet to port 443 (Ethernet, IPv4)."""
    for f in frames_of(SOURCE):
        if f[12:14] != b"\x08\x00" or f[23] != 17:
            continue
        ihl = (f[14] & 15) * 4
        udp = f[14 + ihl:]
        if struct.unpack(">H", udp[2:4])[0] == 443:
            return udp[8:struct.unpack(">H", udp[4:6])[0]]
    raise SystemExit("no QUIC Initial in " + SOURCE)


def ipv4(src, dst, proto, payload):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, src, dst) + payload


def udp(sport, dport, payload):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def eth(payload):
    return b"\x02\x00\x00\x00\x00\x09" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + payload


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    initial = quic_initial()
    vtep_a, vtep_b = bytes([198, 51, 100, 1]), bytes([198, 51, 100, 9])
    server = bytes([192, 0, 2, 80])
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            client = bytes([10, 1 + (i >> 16) % 200, (i >> 8) & 255, i & 255])
            inner = eth(ipv4(client, server, 17, udp(40000 + i % 20000, 443, initial)))
            frame = eth(ipv4(vtep_a, vtep_b, 17, udp(49152, 4789, b"\x08\x00\x00\x00\x00\x00\x07\x00" + inner)))
            f.write(struct.pack("<IIII", 1700000000 + i // 100000, i % 100000 * 10, len(frame), len(frame)) + frame)


main()
