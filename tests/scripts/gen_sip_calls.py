#!/usr/bin/env python3
"""A synthetic pcap of many SIP calls over UDP, each with its own Call-ID, for tests that
need volume (test_crash.sh) until `pentrap gen` can be used there. Every call is
INVITE, 180, 200, ACK, BYE, 200 between the caller +15550000001 (the test's target) at
192.0.2.1 and callee N at 198.51.100.x; each call gives the target three records.
Deterministic: the same arguments give the same bytes.

Usage: gen_sip_calls.py OUT.pcap NCALLS
"""
import struct
import sys

T0 = 1700000000  # 2023-11-14T22:13:20Z


def ip_checksum(h):
    s = sum(struct.unpack("!10H", h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def frame(src, dst, payload, ident):
    udp = struct.pack("!HHHH", 5060, 5060, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ident & 0xffff, 0, 64, 17, 0, bytes(src), bytes(dst))
    hdr = hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + hdr + udp


def sip(start, n, callee, cseq, method, tag_to=True):
    lines = [start,
             "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK%d%s" % (n, method[:3]),
             "From: <sip:+15550000001@example.net>;tag=a%d" % n,
             "To: <sip:%s@example.org>%s" % (callee, ";tag=b%d" % n if tag_to else ""),
             "Call-ID: c%d@192.0.2.1" % n,
             "CSeq: %d %s" % (cseq, method),
             "Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


def main():
    out, ncalls = sys.argv[1], int(sys.argv[2])
    caller = [192, 0, 2, 1]
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        ident = 0
        for n in range(ncalls):
            callee = "u%d" % n
            cip = [198, 51, 100, 1 + n % 250]
            ruri = "sip:%s@example.org" % callee
            msgs = [
                (caller, cip, sip("INVITE %s SIP/2.0" % ruri, n, callee, 1, "INVITE", False)),
                (cip, caller, sip("SIP/2.0 180 Ringing", n, callee, 1, "INVITE")),
                (cip, caller, sip("SIP/2.0 200 OK", n, callee, 1, "INVITE")),
                (caller, cip, sip("ACK %s SIP/2.0" % ruri, n, callee, 1, "ACK")),
                (caller, cip, sip("BYE %s SIP/2.0" % ruri, n, callee, 2, "BYE")),
                (cip, caller, sip("SIP/2.0 200 OK", n, callee, 2, "BYE")),
            ]
            base_us = n * 10000  # a call every 10 ms
            for i, (src, dst, payload) in enumerate(msgs):
                us = base_us + i * 1000 + (3000 if i >= 4 else 0)
                data = frame(src, dst, payload, ident)
                ident += 1
                f.write(struct.pack("<IIII", T0 + us // 1000000, us % 1000000, len(data), len(data)))
                f.write(data)


if __name__ == "__main__":
    main()
