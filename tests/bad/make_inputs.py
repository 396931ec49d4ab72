#!/usr/bin/env python3
"""make_inputs.py — writes the inputs of the bad-input catalogue (catalogue.tsv) into a
directory: broken capture files, packets that break each layer's rules, hostile
protocol messages, orders with every kind of mistake, and files that are not stores.
Everything is generated here, deterministically, so no binary input is committed.

Usage: make_inputs.py OUTDIR [SAMPLE_PCAP]   (the sample defaults to samples/sample.pcap)
"""
import os
import random
import sqlite3
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import (T0, TCP_SYN, ether, ipv4, ipv6, ng_block, ng_epb, ng_idb, ng_shb, pcap,  # noqa: E402
                     pcap_header, pcap_record, read_pcap, tcp, tcp4_frame, udp, udp4_frame)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1]
SAMPLE = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "..", "samples", "sample.pcap")
os.makedirs(OUT, exist_ok=True)
rng = random.Random(3)  # issue 3


def write(name, data):
    mode = "w" if isinstance(data, str) else "wb"
    with open(os.path.join(OUT, name), mode) as f:
        f.write(data)


def ts(i):
    return T0 * 1000000 + i * 1000


sample = open(SAMPLE, "rb").read()
frames = read_pcap(sample)

# ---------------------------------------------------------------- capture files
write("empty.pcap", b"")
write("text.pcap", "this is not a capture\n")
write("random.pcap", bytes(rng.getrandbits(8) for _ in range(4096)))
write("header_only_cut.pcap", sample[:10])                       # inside the file header
write("record_header_cut.pcap", sample[:24 + 8])                 # inside the first record header
# cut in the middle of the 40th frame's data (the records before it must be kept)
off = 24
for i in range(39):
    off += 16 + len(frames[i][1])
write("truncated.pcap", sample[:off + 16 + len(frames[39][1]) // 2])
# frame 1 (a TCP SYN) gets an IP header length of 1 word: malformed, counted, skipped
b = bytearray(sample)
b[24 + 16 + 14] = 0x41
write("corrupt_ihl.pcap", bytes(b))
write("bad_version.pcap", pcap_header(major=3) + sample[24:])
write("absurd_linktype.pcap", pcap_header(linktype=0x7FFF) + sample[24:])
write("linktype_null_garbage.pcap", pcap([(ts(i), bytes([9, 9, 9, 9]) + b"x" * 20) for i in range(3)], linktype=0))
# caplen beyond snaplen (the file says 64) but within reason: libpcap reads it
sip_frame = frames[2][1]
write("caplen_over_snaplen.pcap", pcap_header(snaplen=64) + pcap_record(sip_frame, ts(0)) + sample[24:])
# caplen absurd: 2 GiB
write("caplen_huge.pcap", pcap_header() + struct.pack("<IIII", T0, 0, 0x7FFFFFF0, 0x7FFFFFF0) + sip_frame)
# caplen larger than the wire length
write("caplen_over_wirelen.pcap", pcap_header() + pcap_record(sip_frame, ts(0), wirelen=60))
# a frame of zero bytes
write("zero_length_frame.pcap", pcap_header() + pcap_record(b"", ts(0)) + sample[24:])

# pcapng
good_epb = ng_epb(sip_frame, ts(0))
write("ng_good.pcapng", ng_shb() + ng_idb() + good_epb)
write("ng_shb_len_not_x4.pcapng", ng_shb(total=30) + ng_idb() + good_epb)
write("ng_shb_len_tiny.pcapng", ng_shb(total=8) + ng_idb() + good_epb)
write("ng_trailer_mismatch.pcapng", ng_shb() + ng_idb() + ng_epb(sip_frame, ts(0), trailer=12))
write("ng_epb_len_huge.pcapng", ng_shb() + ng_idb() + ng_epb(sip_frame, ts(0), total=0x7FFFFFF0))
write("ng_epb_cut.pcapng", (ng_shb() + ng_idb() + good_epb)[:-40])
write("ng_no_idb.pcapng", ng_shb() + good_epb)
write("ng_bad_iface.pcapng", ng_shb() + ng_idb() + ng_epb(sip_frame, ts(0), iface=7))
write("ng_caplen_over_block.pcapng", ng_shb() + ng_idb() + ng_epb(sip_frame, ts(0), caplen=5000))
write("ng_unknown_blocks.pcapng", ng_shb() + ng_idb() + ng_block(0x0BADBEEF, b"junk" * 4) + good_epb)

# ---------------------------------------------------------------- packets
A, B = "192.0.2.1", "192.0.2.2"
write("ip_zero_length.pcap", pcap([(ts(0), ether(ipv4(A, B, 17, udp(5060, 5060, b"x" * 12), total_len=0)))]))
write("ip_total_past_capture.pcap", pcap([(ts(0), ether(ipv4(A, B, 17, udp(5060, 5060, b"x" * 12), total_len=1500)))]))
big = b"OPTIONS sip:x@example.net SIP/2.0\r\n" + b"X" * (65535 - 20 - 8 - 35)
write("ip_64k.pcap", pcap([(ts(0), ether(ipv4(A, B, 17, udp(40000, 5060, big))))], snaplen=262144))
dgram = udp(40000, 5060, big)  # 65515 bytes: with its 20-byte header exactly 65535
frags = []
for i, o in enumerate(range(0, len(dgram), 1480)):
    more = 0x2000 if o + 1480 < len(dgram) else 0
    frags.append((ts(i), ether(ipv4(A, B, 17, dgram[o:o + 1480], ident=64, flags_frag=more | (o // 8)))))
write("ip_64k_fragments.pcap", pcap(frags))
write("ipv6_payload_past_capture.pcap",
      pcap([(ts(0), ether(ipv6(b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\1", b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\2",
                               17, udp(5060, 5060, b"x" * 8), payload_len=60000), 0x86DD))]))
hops = b""
for _ in range(40):  # 40 hop-by-hop headers: past the extension header cap
    hops += bytes([0, 0]) + b"\0" * 6
hops_pkt = ipv6(b"\xfe\x80" + b"\0" * 13 + b"\1", b"\xfe\x80" + b"\0" * 13 + b"\2", 0, hops + udp(1, 2, b""))
# each header's next-header is hop-by-hop (0) except it must end somewhere: leave it looping
write("ipv6_exthdr_chain.pcap", pcap([(ts(0), ether(hops_pkt, 0x86DD))]))
vlan = b""
for _ in range(9):
    vlan += struct.pack(">HH", 0x8100, 1)
write("vlan_too_deep.pcap", pcap([(ts(0), bytes(12) + vlan + struct.pack(">H", 0x0800) + ipv4(A, B, 17, udp(1, 2, b"x")))]))
# fragments: a conflicting overlap, a datagram past 65535, and one that never completes
udp_body = udp(40000, 5060, b"A" * 64)
write("frag_overlap.pcap", pcap([
    (ts(0), ether(ipv4(A, B, 17, udp_body[:32], ident=7, flags_frag=0x2000))),
    (ts(1), ether(ipv4(A, B, 17, b"B" * 32, ident=7, flags_frag=0x2000 | 2))),
    (ts(2), ether(ipv4(A, B, 17, b"C" * 40, ident=7, flags_frag=0x0000 | 2))),
]))
write("frag_too_big.pcap", pcap([(ts(0), ether(ipv4(A, B, 17, b"Z" * 64, ident=8, flags_frag=8185)))]))
write("frag_never_complete.pcap", pcap([
    (ts(0), ether(ipv4(A, B, 17, udp_body[:32], ident=9, flags_frag=0x2000))),
    (ts(0) + 40 * 1000000, udp4_frame(A, B, 1000, 2000, b"later")),  # 40 s on: the first one expired
]))
write("tcp_bad_offset.pcap", pcap([(ts(0), ether(ipv4(A, B, 6, tcp(1, 2, 0, b"data", offset_words=2))))]))
write("udp_bad_length.pcap", pcap([(ts(0), ether(ipv4(A, B, 17, udp(1, 2, b"data", length=3))))]))
write("gtpu_bad_length.pcap", pcap([(ts(0), udp4_frame(A, B, 2152, 2152, bytes([0x30, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1]) + b"xx"))]))

# ---------------------------------------------------------------- tunnels (decode/tunnel.c)
# The sample's frames carried through a tunnel: what each tunnel's bad cases break.
def tunnelled(wrap, count=None):
    return pcap([(t, wrap(f)) for t, f in (frames[:count] if count else frames)])


def vxlan_hdr(vni, flags=0x08):
    return bytes([flags, 0, 0, 0]) + struct.pack(">I", vni << 8)


def gre_hdr(flags, proto, key=None):
    return struct.pack(">HH", flags, proto) + (struct.pack(">I", key) if key is not None else b"")


# the sample's SIP call inside VXLAN: the same records as the sample itself
write("sample_in_vxlan.pcap", tunnelled(lambda f: udp4_frame(A, B, 51000, 4789, vxlan_hdr(5000) + f)))
# UDP to 4789 that is not VXLAN (no I flag): read as UDP, counted, no record
write("vxlan_lookalike.pcap", tunnelled(lambda f: udp4_frame(A, B, 51000, 4789, bytes(8) + f), 40))
# a GRE key with garbage inside, where an IPv4 packet should be
write("gre_key_garbage.pcap", pcap([(ts(i), ether(ipv4(A, B, 47, gre_hdr(0x2000, 0x0800, 7) + bytes([0x17] * 60))))
                                   for i in range(3)]))
# ERSPAN type II whose version field says type III's
write("erspan_bad_version.pcap", tunnelled(lambda f: ether(ipv4(A, B, 47, struct.pack(">HHI", 0x1000, 0x88BE, 1)
                                                                 + struct.pack(">HHI", 0x2000, 100, 0) + f)), 40))
# nine IP-in-IP layers: past the depth cap
def ipip9(f):
    inner = f[14:]
    for _ in range(9):
        inner = ipv4(A, B, 4, inner)
    return ether(inner)


write("tunnel_too_deep.pcap", tunnelled(ipip9, 40))
# nine MPLS labels: past the stack's cap
write("mpls_too_deep.pcap", tunnelled(lambda f: f[:12] + b"\x88\x47" + b"".join(
    struct.pack(">I", (100 + i) << 12 | (0x100 if i == 8 else 0) | 64) for i in range(9)) + f[14:], 40))
# Geneve whose options run past the datagram
write("geneve_options_past_end.pcap", tunnelled(lambda f: udp4_frame(A, B, 51000, 6081, bytes([63, 0, 0x65, 0x58, 0, 0, 1, 0]) + f[:40]), 10))
# PPPoE whose LENGTH (65535) runs past the frame; PPPoE with version and type 2 (not 1)
write("pppoe_length_past_frame.pcap", tunnelled(lambda f: f[:12] + struct.pack(">HBBHHH", 0x8864, 0x11, 0, 0x1234, 0xFFFF, 0x0021) + f[14:], 40))
write("pppoe_bad_version.pcap", tunnelled(lambda f: f[:12] + struct.pack(">HBBHHH", 0x8864, 0x22, 0, 0x1234, len(f) - 12, 0x0021) + f[14:], 40))
# NSH MD type 1 whose length says 3 words (type 1 is exactly 6), next protocol IPv4
write("nsh_md1_wrong_length.pcap", tunnelled(lambda f: f[:12] + struct.pack(">HHBBI", 0x894F, 0x0003, 0x01, 0x01, 10 << 8 | 255) + f[14:], 40))
# UDP to 4790 that is not VXLAN-GPE (no P flag); UDP to 6081 that is not Geneve (version 1)
write("vxlan_gpe_lookalike.pcap", tunnelled(lambda f: udp4_frame(A, B, 51000, 4790, bytes(8) + f), 40))
write("geneve_lookalike.pcap", tunnelled(lambda f: udp4_frame(A, B, 51000, 6081, bytes([0x40, 0, 0x65, 0x58, 0, 0, 1, 0]) + f), 40))
# ERSPAN type III announcing its platform sub-header (O bit), the datagram ending before it
write("erspan3_subheader_missing.pcap", pcap([(ts(i), ether(ipv4(A, B, 47, struct.pack(">HH", 0, 0x22EB)
                                                                       + struct.pack(">HHII", 0x2000, 300, 0, 0x0001))))
                                               for i in range(3)]))
# the sample inside VXLAN, cut by a 60-byte snaplen: inside the inner frame
write("vxlan_snaplen_cut.pcap", pcap_header(snaplen=60) + b"".join(
    pcap_record(udp4_frame(A, B, 51000, 4789, vxlan_hdr(5000) + f), ts(i), caplen=60)[:16 + 60]
    for i, (_, f) in enumerate(frames[:40])))

# ---------------------------------------------------------------- SIP
def sip_tcp(name, payload, seg=1400):
    """A TCP connection to 5060 carrying payload in segments."""
    fr = [(ts(0), tcp4_frame(A, B, 40001, 5060, 999, flags=TCP_SYN))]
    for i in range(0, len(payload), seg):
        fr.append((ts(1 + i // seg), tcp4_frame(A, B, 40001, 5060, 1000 + i, payload[i:i + seg])))
    write(name, pcap(fr))


head = (b"INVITE sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1\r\n"
        b"From: <sip:alice@example.net>;tag=1\r\nTo: <sip:bob@example.net>\r\nCall-ID: bad-1\r\n"
        b"CSeq: 1 INVITE\r\n")
sip_tcp("sip_10000_headers.pcap", head + b"".join(b"X-H%d: v\r\n" % i for i in range(10000)) + b"Content-Length: 0\r\n\r\n")
write("sip_10000_headers_udp.pcap", pcap([(ts(0), udp4_frame(A, B, 5060, 5060, (head + b"".join(
    b"X-%d: v\r\n" % i for i in range(10000)) + b"Content-Length: 0\r\n\r\n")[:65000]))]))
write("sip_no_crlf.pcap", pcap([(ts(0), udp4_frame(A, B, 5060, 5060, b"INVITE sip:bob@example.net SIP/2.0" + b" x" * 600))]))
sip_tcp("sip_no_crlf_tcp.pcap", b"INVITE sip:bob@example.net SIP/2.0" + b"x" * 30000)
write("sip_headers_no_crlf.pcap", pcap([(ts(0), udp4_frame(A, B, 5060, 5060, head.replace(b"\r\n", b" ", 10)[:-2]
                                                           .replace(b"SIP/2.0 Via", b"SIP/2.0\r\nVia")))]))
sip_tcp("sip_headers_no_crlf_tcp.pcap", b"INVITE sip:bob@example.net SIP/2.0\r\nVia: x" + b" y" * 20000)
sip_tcp("sip_huge_content_length.pcap", head + b"Content-Length: 99999999999\r\n\r\nbody")
sip_tcp("sip_long_line.pcap", head + b"Subject: " + b"s" * 9000 + b"\r\nContent-Length: 0\r\n\r\n")
write("sip_bare_start_line.pcap", pcap([(ts(0), udp4_frame(A, B, 5060, 5060, b"SIP/2.0 200 OK\r\n\r\n"))]))

# ---------------------------------------------------------------- DNS
def dns_msg(answers, qname=b"\x07example\x03net\x00"):
    hdr = struct.pack(">HHHHHH", 0x1234, 0x8180, 1, len(answers), 0, 0)
    return hdr + qname + struct.pack(">HH", 1, 1) + b"".join(answers)


qlen = 12 + len(b"\x07example\x03net\x00") + 4
loop_rr = struct.pack(">H", 0xC000 | qlen) + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([198, 51, 100, 7])
write("dns_compression_loop.pcap", pcap([(ts(0), udp4_frame(B, A, 53, 40000, dns_msg([loop_rr])))]))
fwd_rr = struct.pack(">H", 0xC000 | (qlen + 40)) + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([198, 51, 100, 7])
write("dns_pointer_forward.pcap", pcap([(ts(0), udp4_frame(B, A, 53, 40000, dns_msg([fwd_rr])))]))
two = struct.pack(">H", 0xC000 | (qlen + 2)) + struct.pack(">H", 0xC000 | qlen)  # two pointers at each other
two_rr = two[:2] + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([198, 51, 100, 7])
write("dns_pointer_pair.pcap", pcap([(ts(0), udp4_frame(B, A, 53, 40000, dns_msg([struct.pack(">H", 0xC000 | (qlen + 2)) + two_rr])))]))
write("dns_rdlength_past_end.pcap", pcap([(ts(0), udp4_frame(B, A, 53, 40000, dns_msg(
    [b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4000) + bytes([1, 2, 3, 4])])))]))

# ---------------------------------------------------------------- SIGTRAN: TCAP in BER
def sctp_m3ua(tcap_bytes):
    """SCTP DATA (PPID 3) / M3UA DATA / SCCP UDT (route on SSN 6 -> 8) / TCAP."""
    called, calling = bytes([2, 0x42, 6]), bytes([2, 0x42, 8])
    sccp = bytes([0x09, 0x00, 3, 3 + len(called) - 1, 3 + len(called) + len(calling) - 2]) + called + calling
    sccp += bytes([len(tcap_bytes)]) + tcap_bytes
    pd = struct.pack(">IIBBBB", 1, 2, 3, 2, 0, 0) + sccp
    param = struct.pack(">HH", 0x0210, 4 + len(pd)) + pd + b"\0" * ((-len(pd)) % 4)
    m3ua = struct.pack(">BBBBI", 1, 0, 1, 1, 8 + len(param)) + param
    chunk = struct.pack(">BBHIHHI", 0, 0x03, 16 + len(m3ua), 1, 0, 0, 3) + m3ua + b"\0" * ((-len(m3ua)) % 4)
    sctp = struct.pack(">HHII", 2905, 2905, 1, 0) + chunk
    return ether(ipv4(A, B, 132, sctp))


deep = b""
for _ in range(40):  # forty nested indefinite-length SEQUENCEs, then their end-of-contents
    deep = b"\x30\x80" + deep
deep += b"\x00\x00" * 40
tcap_deep = b"\x62\x80" + b"\x48\x04\x00\x00\x00\x01" + b"\x6c\x80" + deep + b"\x00\x00" + b"\x00\x00"
write("ber_too_deep.pcap", pcap([(ts(0), sctp_m3ua(tcap_deep))]))
tcap_past = b"\x62\x82\x0f\xff" + b"\x48\x04\x00\x00\x00\x01" + b"\x6c\x10" + b"\xa1\x0e\x02\x01\x01\x02\x01\x2d"
write("ber_length_past_end.pcap", pcap([(ts(0), sctp_m3ua(tcap_past))]))

# ---------------------------------------------------------------- orders
GOOD = """order:
  id: T-1
  kind: both
  valid_from: 2026-11-01T00:00:00Z
  valid_until: 2026-12-31T23:59:59Z
  targets:
    - msisdn: "+15551234567"
"""


def order(name, text):
    write(name, text)


order("order_good_2026.yaml", GOOD.replace("2026-11-01", "2025-01-01").replace(
    '    - msisdn: "+15551234567"\n', '    - sip: "alice@example.net"\n    - ip: 192.0.2.0/24\n'))
order("order_empty.yaml", "")
order("order_binary.yaml", bytes(range(256)) * 4)
order("order_not_mapping.yaml", "- just\n- a list\n")
order("order_no_order_key.yaml", "warrant:\n  id: T-1\n")
order("order_yaml_syntax.yaml", "order:\n  id: [T-1\n  kind: both\n")
order("order_tab_indent.yaml", "order:\n\tid: T-1\n")
order("order_missing_id.yaml", GOOD.replace("  id: T-1\n", ""))
order("order_bad_kind.yaml", GOOD.replace("kind: both", "kind: wiretap"))
order("order_bad_date.yaml", GOOD.replace("2026-11-01T00:00:00Z", "2026-13-01T00:00:00Z"))
order("order_window_backwards.yaml", GOOD.replace("2026-12-31T23:59:59Z", "2026-10-01T00:00:00Z"))
order("order_unknown_key.yaml", GOOD.replace("  kind: both\n", "  kind: both\n  colour: blue\n"))
order("order_no_targets.yaml", GOOD.split("  targets:")[0] + "  targets: []\n")
order("order_bad_msisdn.yaml", GOOD.replace('"+15551234567"', '"call me maybe"'))
order("order_bad_ip.yaml", GOOD.replace('msisdn: "+15551234567"', "ip: 300.1.2.3"))
order("order_ip_everything.yaml", GOOD.replace('msisdn: "+15551234567"', "ip: 0.0.0.0/0"))
order("order_ip_host_bits.yaml", GOOD.replace('msisdn: "+15551234567"', "ip: 198.51.100.7/24"))
order("order_bad_sip.yaml", GOOD.replace('msisdn: "+15551234567"', 'sip: "no at sign"'))
order("order_unknown_target_kind.yaml", GOOD.replace('msisdn: "+15551234567"', 'email: "a@b.c"'))
order("order_two_kinds_one_target.yaml", GOOD.replace('msisdn: "+15551234567"', 'msisdn: "+15551234567"\n      imsi: "310150123456789"'))
order("order_liid_too_long.yaml", GOOD.replace("  kind: both\n", "  kind: both\n  liid: ABCDEFGHIJKLMNOPQRSTUVWXYZ\n"))
order("order_deliver_to_bad.yaml", GOOD.replace("  kind: both\n", "  kind: both\n  deliver_to: lemf.example.net\n"))
order("order_duplicate_key.yaml", GOOD.replace("  kind: both\n", "  kind: both\n  kind: pen-register\n"))
order("order_huge_id.yaml", GOOD.replace("id: T-1", "id: " + "x" * 5000))
order("order_many_targets.yaml", GOOD.split("  targets:")[0] + "  targets:\n" + "".join(
    '    - msisdn: "+1555%07d"\n' % i for i in range(5000)))
order("order_alias_bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
      "order: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n")
order("order_deep_nesting.yaml", GOOD.replace("id: T-1", "id: " + "[" * 5000 + "]" * 5000))
# 100,000 levels of block sequences: libyaml alone took 90 s on this (quadratic scanner)
order("order_deep_dashes.yaml", GOOD.replace("id: T-1", "id: T-1\n  x:\n    " + "- " * 100000 + "deep"))

# ---------------------------------------------------------------- definitions (sigs)
SIGS = """version: "2026.01.1"
released: 2026-01-01
signatures:
  - id: example-push
    service: example
    recognises: session
    transport: tcp
    addresses: [198.51.100.0/24]
    ports: [5223]
"""
write("sigs_empty.yaml", "")
write("sigs_binary.yaml", bytes(range(256)) * 4)
write("sigs_not_mapping.yaml", "- a\n- b\n")
write("sigs_no_version.yaml", SIGS.replace('version: "2026.01.1"\n', ""))
write("sigs_bad_released.yaml", SIGS.replace("released: 2026-01-01", "released: yesterday"))
write("sigs_unknown_key.yaml", SIGS.replace("addresses:", "adresses:"))
write("sigs_bad_prefix.yaml", SIGS.replace("198.51.100.0/24", "198.51.100.0/33"))
write("sigs_bad_port.yaml", SIGS.replace("[5223]", '["9000-80"]'))
write("sigs_bad_kind.yaml", SIGS.replace("recognises: session", "recognises: everything"))
write("sigs_duplicate_id.yaml", SIGS + SIGS.split("signatures:\n")[1])
write("sigs_within_unknown.yaml", SIGS + """  - id: example-msg
    service: example
    recognises: message
    within: [no-such-signature]
""")
write("sigs_bad_preamble.yaml", SIGS + '    preamble: {side: client, offset: 0, bytes: "zz 03"}\n')
write("sigs_preamble_far.yaml", SIGS + '    preamble: {side: client, offset: 100000, bytes: "16 03"}\n')
write("sigs_media_not_call.yaml", SIGS + '    media: [ice]\n')
write("sigs_media_unknown.yaml", SIGS.replace("recognises: session", "recognises: call").replace(
    "transport: tcp", "transport: udp") + '    media: [ice, telepathy]\n')
write("sigs_frame_bad_length.yaml", SIGS + '    frame: {side: client, length: be24}\n')
write("sigs_frame_adds_far.yaml", SIGS + '    frame: {length: le16, adds: 99999}\n')
write("sigs_too_many.yaml", SIGS.split("signatures:")[0] + "signatures:\n" + "".join(
    SIGS.split("signatures:\n")[1].replace("example-push", "s%d" % i) for i in range(300)))

# ---------------------------------------------------------------- stores
write("notastore.db", "this is not a store\n")
write("truncated_sqlite.db", b"SQLite format 3\0" + b"\0" * 84)
write("random.db", bytes(rng.getrandbits(8) for _ in range(8192)))
foreign = os.path.join(OUT, "foreign_sqlite.db")  # a real SQLite database, someone else's
if os.path.exists(foreign):
    os.remove(foreign)
con = sqlite3.connect(foreign)
con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
con.execute("INSERT INTO customers (name) VALUES ('nobody')")
con.commit()
con.close()
print("wrote %d inputs into %s" % (len(os.listdir(OUT)), OUT))
