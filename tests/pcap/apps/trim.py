#!/usr/bin/env python3
"""trim.py IN.pcap OUT.pcap [KEEP]: keeps the first KEEP packets (default 40) of every
bidirectional flow (IPv4/IPv6 over Ethernet, Linux cooked capture or raw IP; UDP, TCP,
anything else by its addresses) and drops the rest, so a large public capture shrinks to
what shows which app and which call each flow is: the handshakes, names, first media.
Packets that cannot be parsed are kept. Classic pcap only (pcapng: editcap -F pcap first).
Used once to make tests/pcap/apps/*/capture.pcap from ../shared/pcaps (each PROVENANCE.md
says whether and how its capture was trimmed)."""
import struct
import sys

ETH, RAW, SLL, RAW4 = 1, 101, 113, 228


def flow_key(link, pkt):
    off = {ETH: 14, SLL: 16, RAW: 0, RAW4: 0}.get(link)
    if off is None or len(pkt) < off + 1:
        return None
    if link == ETH:
        etype = struct.unpack_from("!H", pkt, 12)[0]
        while etype == 0x8100 and len(pkt) >= off + 4:  # VLAN tags
            etype = struct.unpack_from("!H", pkt, off + 2)[0]
            off += 4
        if etype not in (0x0800, 0x86DD):
            return None
    ver = pkt[off] >> 4
    if ver == 4 and len(pkt) >= off + 20:
        ihl = (pkt[off] & 15) * 4
        proto = pkt[off + 9]
        a, b = pkt[off + 12:off + 16], pkt[off + 16:off + 20]
        l4 = off + ihl
    elif ver == 6 and len(pkt) >= off + 40:
        proto = pkt[off + 6]
        a, b = pkt[off + 8:off + 24], pkt[off + 24:off + 40]
        l4 = off + 40
    else:
        return None
    pa = pb = 0
    if proto in (6, 17) and len(pkt) >= l4 + 4:
        pa, pb = struct.unpack_from("!HH", pkt, l4)
    ends = sorted([(a, pa), (b, pb)])
    return (proto, ends[0], ends[1])


def main():
    data = open(sys.argv[1], "rb").read()
    keep = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    link = struct.unpack_from(endian + "I", data, 20)[0]
    out, seen, off = [data[:24]], {}, 24
    kept = total = 0
    while off + 16 <= len(data):
        incl = struct.unpack_from(endian + "I", data, off + 8)[0]
        rec = data[off:off + 16 + incl]
        off += 16 + incl
        total += 1
        key = flow_key(link, rec[16:])
        if key is not None:
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > keep:
                continue
        out.append(rec)
        kept += 1
    open(sys.argv[2], "wb").write(b"".join(out))
    print(f"{sys.argv[1]}: kept {kept} of {total} packets ({len(seen)} flows, first {keep} each)")


main()
