#!/usr/bin/env python3
"""Splits a mobile-core capture (pentrap gen's) as three sensors would see it.

usage: split_capture.py IN.pcap CONTROL.pcap USER_A.pcap USER_B.pcap

  control   the signalling links: GTP-C (UDP 2123), RADIUS (1812/1813), Diameter (3868),
            SMPP (TCP 2775) and SIGTRAN (SCTP)
  user A    GTP-U (UDP 2152) whose tunnel endpoint on the SGW side is an even address
            (172.16.1.10, .12: the generator's SGWs are 172.16.1.10+i), and the traffic
            that is neither signalling nor tunnelled (a Wi-Fi gateway's clear traffic)
  user B    GTP-U of the other SGWs (odd addresses)

Every frame goes to exactly one part, in its order, with its time stamp; the parts
together are the capture. Classic pcap (either byte order, micro- or nanoseconds),
Ethernet with 802.1Q tags, IPv4 and IPv6 (no extension headers: the generator's
outer packets have none).
"""
import struct
import sys

SIGNALLING_PORTS = {2123, 1812, 1813, 3868, 2775}
GTPU_PORT = 2152


def outer(frame):
    """(protocol, src ip bytes, dst ip bytes, sport, dport) of the outer packet, or None."""
    off = 12
    if len(frame) < 14:
        return None
    etype = struct.unpack_from('!H', frame, off)[0]
    off += 2
    while etype in (0x8100, 0x88a8) and len(frame) >= off + 4:
        etype = struct.unpack_from('!H', frame, off + 2)[0]
        off += 4
    if etype == 0x0800 and len(frame) >= off + 20:
        ihl = (frame[off] & 15) * 4
        proto = frame[off + 9]
        src, dst = frame[off + 12:off + 16], frame[off + 16:off + 20]
        frag = struct.unpack_from('!H', frame, off + 6)[0] & 0x1fff
        l4 = off + ihl
        if frag:
            return (proto, src, dst, None, None)
    elif etype == 0x86dd and len(frame) >= off + 40:
        proto = frame[off + 6]
        src, dst = frame[off + 8:off + 24], frame[off + 24:off + 40]
        l4 = off + 40
    else:
        return None
    if proto in (6, 17) and len(frame) >= l4 + 4:
        sport, dport = struct.unpack_from('!HH', frame, l4)
        return (proto, src, dst, sport, dport)
    return (proto, src, dst, None, None)


def part_of(frame, frag_parts):
    o = outer(frame)
    if o is None:
        return 1
    proto, src, dst, sport, dport = o
    if proto == 132:
        return 0
    if sport is None:  # an IP fragment: with the part its datagram's first fragment went to
        return frag_parts.get((src, dst), 1)
    ports = {sport, dport}
    if ports & SIGNALLING_PORTS:
        part = 0
    elif GTPU_PORT in ports:
        sgw = src if src[:3] == bytes([172, 16, 1]) else dst
        part = 1 if sgw[-1] % 2 == 0 else 2
    else:
        part = 1
    frag_parts[(src, dst)] = part
    return part


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2])
    with open(sys.argv[1], 'rb') as f:
        head = f.read(24)
        magic = head[:4]
        if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
            endian = '<'
        elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
            endian = '>'
        else:
            sys.exit('%s: not a classic pcap file' % sys.argv[1])
        outs = [open(p, 'wb') for p in sys.argv[2:5]]
        for o in outs:
            o.write(head)
        counts = [0, 0, 0]
        frag_parts = {}
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            incl = struct.unpack(endian + 'IIII', rec)[2]
            frame = f.read(incl)
            p = part_of(frame, frag_parts)
            outs[p].write(rec + frame)
            counts[p] += 1
        for o in outs:
            o.close()
    print('frames: control %d, user A %d, user B %d' % tuple(counts))


if __name__ == '__main__':
    main()
