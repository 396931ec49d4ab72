"""pcapgen.py — small helpers that write capture bytes with struct: pcap and pcapng
files, Ethernet, IPv4 (with fragments), IPv6, UDP and TCP. Used by make_inputs.py
(the bad-input catalogue) and make_attacks.py (the resource-bound captures), so every
byte of those files is reproducible from the scripts. Checksums are left zero: pentrap
does not verify them, and tshark only notes it."""
import struct

T0 = 1767225600  # 2026-01-01T00:00:00Z

MAC_A = bytes.fromhex("020000000001")
MAC_B = bytes.fromhex("020000000002")


def ip4(text):
    return bytes(int(x) for x in text.split("."))


def pcap_header(linktype=1, snaplen=65535, magic=0xA1B2C3D4, major=2, minor=4):
    return struct.pack("<IHHiIII", magic, major, minor, 0, 0, snaplen, linktype)


def pcap_record(frame, ts_us, caplen=None, wirelen=None):
    caplen = len(frame) if caplen is None else caplen
    wirelen = len(frame) if wirelen is None else wirelen
    return struct.pack("<IIII", ts_us // 1000000, ts_us % 1000000, caplen, wirelen) + frame


def pcap(frames, linktype=1, snaplen=65535):
    """frames: a list of (ts_us, frame bytes)."""
    return pcap_header(linktype, snaplen) + b"".join(pcap_record(f, t) for t, f in frames)


def read_pcap(data):
    """The frames of a little-endian microsecond pcap: a list of (ts_us, frame)."""
    magic, = struct.unpack_from("<I", data, 0)
    assert magic == 0xA1B2C3D4, "little-endian microsecond pcap expected"
    out, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack_from("<IIII", data, off)
        out.append((sec * 1000000 + usec, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out


def ether(payload, ethertype=0x0800, src=MAC_A, dst=MAC_B):
    return dst + src + struct.pack(">H", ethertype) + payload


def ipv4(src, dst, proto, payload, ident=1, flags_frag=0, total_len=None, ihl=5, ttl=64):
    total = 20 + len(payload) if total_len is None else total_len
    hdr = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, total & 0xFFFF, ident & 0xFFFF, flags_frag,
                      ttl, proto, 0, ip4(src), ip4(dst))
    return hdr + payload


def ipv6(src16, dst16, next_header, payload, payload_len=None):
    plen = len(payload) if payload_len is None else payload_len
    return struct.pack(">IHBB16s16s", 0x60000000, plen & 0xFFFF, next_header, 64, src16, dst16) + payload


def udp(sport, dport, payload, length=None):
    ln = 8 + len(payload) if length is None else length
    return struct.pack(">HHHH", sport, dport, ln & 0xFFFF, 0) + payload


TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def tcp(sport, dport, seq, payload=b"", flags=TCP_ACK | TCP_PSH, ack=0, offset_words=5):
    return struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       offset_words << 4, flags, 65535, 0, 0) + payload


def udp4_frame(src, dst, sport, dport, payload, **kw):
    return ether(ipv4(src, dst, 17, udp(sport, dport, payload), **kw))


def tcp4_frame(src, dst, sport, dport, seq, payload=b"", flags=TCP_ACK | TCP_PSH):
    return ether(ipv4(src, dst, 6, tcp(sport, dport, seq, payload, flags)))


# ---- pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng) ----

def ng_block(btype, body, total=None, trailer=None):
    pad = (-len(body)) % 4
    ln = 12 + len(body) + pad
    total = ln if total is None else total
    trailer = total if trailer is None else trailer
    return struct.pack("<II", btype, total) + body + b"\0" * pad + struct.pack("<I", trailer)


def ng_shb(**kw):
    return ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1), **kw)


def ng_idb(linktype=1, snaplen=65535, **kw):
    return ng_block(0x00000001, struct.pack("<HHI", linktype, 0, snaplen), **kw)


def ng_epb(frame, ts_us, iface=0, caplen=None, wirelen=None, **kw):
    caplen = len(frame) if caplen is None else caplen
    wirelen = len(frame) if wirelen is None else wirelen
    body = struct.pack("<IIIII", iface, ts_us >> 32, ts_us & 0xFFFFFFFF, caplen, wirelen) + frame
    return ng_block(0x00000006, body, **kw)
