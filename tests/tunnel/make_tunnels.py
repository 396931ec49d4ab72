#!/usr/bin/env python3
"""make_tunnels.py — the captures of tests/scripts/test_tunnels.sh, made with scapy.

The base is untunnelled traffic from the test captures (tests/tunnel/README.md): a SIP
call over TCP, SMS over SIP MESSAGE and over SMPP, DNS lookups, TLS and QUIC sessions
with SNIs (IPv4 and IPv6), WhatsApp chat. Every variant carries each frame of the base,
one for one, inside an encapsulation (or several nested), as a switch, a cloud mirror,
a carrier core or an access network delivers it; the look-alikes carry it where a
tunnel is not. The tunnels' own ends are 198.51.100.0/24, which no base frame uses and
the order leaves out, so records can only come from the inner packets.

Writes into OUTDIR: base.pcap, order.yaml (every address but the tunnels' ends, and
the test captures' SIP and MSISDN parties), NAME.pcap per variant, and manifest.tsv:
  name  expect  path  args  anomaly  tshark
    expect   same: the base's records, with evidence.tunnel matching path (a regex);
             none: no record at all (anomaly must be counted)
    args     extra `pentrap run` arguments, "-" for none
    anomaly  a counter that must be at least 1, "-" for none (then: no anomaly at all)
    tshark   extra tshark arguments to see inside (decode-as), "-" for none

Usage: make_tunnels.py OUTDIR     (deterministic: the same bytes every time)
"""
import ipaddress
import os
import struct
import sys

from scapy.all import GRE, IP, IPv6, UDP, Ether, Dot1Q, Dot1AD, CookedLinux, PPPoE, PPP, Raw, rdpcap, wrpcap
from scapy.contrib.mpls import MPLS

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)

BASE_CAPTURES = [
    "samples/sample.pcap",                                   # SIP call over TCP
    "tests/pcap/sms/synthetic_sip_message/capture.pcap",     # SMS over SIP MESSAGE
    "tests/pcap/sms/synthetic_smpp/capture.pcap",            # SMS over SMPP
    "tests/pcap/ott/ndpi_whatsapp_login_chat/capture.pcap",  # DNS lookups, WhatsApp chat
    "tests/pcap/tls/pcapplusplus_sni/capture.pcap",          # TLS SNIs, IPv4 and IPv6
    "tests/pcap/quic/zeek_chromium_v1/capture.pcap",         # a QUIC Initial's SNI
]

SW_A, SW_B, COLLECTOR = "198.51.100.1", "198.51.100.2", "198.51.100.9"
MAC_SW, MAC_COLLECTOR = "02:00:00:00:00:01", "02:00:00:00:00:09"


def base_frames():
    """Every base frame as (time, Ethernet frame bytes), in time order (stable)."""
    frames = []
    for rel in BASE_CAPTURES:
        for p in rdpcap(os.path.join(ROOT, rel)):
            frames.append((p.time, bytes(p)))
    frames.sort(key=lambda f: f[0])
    return frames


def eth_parts(frame):
    """(destination and source MACs, ethertype, payload) of an untagged Ethernet frame."""
    return frame[:12], struct.unpack(">H", frame[12:14])[0], frame[14:]


def outer_ip(payload_layers, proto=None, src=SW_A, dst=COLLECTOR):
    ip = IP(src=src, dst=dst, id=0, flags="DF", ttl=64)
    if proto is not None:
        ip.proto = proto
    return Ether(src=MAC_SW, dst=MAC_COLLECTOR) / ip / payload_layers


def over_udp(dport, header, frame, sport=49152, src=SW_A):
    return bytes(outer_ip(UDP(sport=sport, dport=dport) / Raw(header + frame), src=src))


# ---- encapsulation headers, byte by byte where scapy's defaults are not the wire's ----

def vxlan_hdr(vni, flags=0x08):
    return bytes([flags, 0, 0, 0]) + struct.pack(">I", vni << 8)


def gpe_hdr(next_proto, vni):
    return bytes([0x0C, 0, 0, next_proto]) + struct.pack(">I", vni << 8)


def geneve_hdr(vni, proto=0x6558, opt_words=2):
    return bytes([opt_words, 0]) + struct.pack(">HI", proto, vni << 8) + b"\x01\x02\x03\x04" * opt_words


def nsh_hdr(next_proto, spi, si):
    # version 0, TTL 63, length 2 words, MD type 2, no context headers
    return struct.pack(">HBBI", 63 << 6 | 2, 2, next_proto, spi << 8 | si)


def erspan2_hdr(session, vlan=0):
    return struct.pack(">HHI", 1 << 12 | vlan, session, 7)


def erspan3_hdr(session, platform=True):
    hdr = struct.pack(">HHIHH", 2 << 12, session, 0x5EED5EED, 0, 0 << 10 | (1 if platform else 0))
    return hdr + (b"\x04\x00\x00\x05\x00\x00\x00\x06" if platform else b"")


def gtpu_hdr(teid, length):
    return struct.pack(">BBHI", 0x30, 0xFF, length, teid)


def ip_version(payload):
    return payload[0] >> 4 if payload else 0


# ---- the variants: each a function of one base frame (and its index) ----

def gre_ip(frame, i):
    _, etype, ip = eth_parts(frame)
    return bytes(outer_ip(GRE(proto=etype) / Raw(ip), proto=47))


def gre_key_teb(frame, i):
    return bytes(outer_ip(GRE(key_present=1, key=7, proto=0x6558) / Raw(frame), proto=47))


def erspan1(frame, i):
    return bytes(outer_ip(GRE(proto=0x88BE) / Raw(frame), proto=47))


def with_vlan(frame, vid, tpid=0x8100):
    macs, etype, payload = eth_parts(frame)
    return macs + struct.pack(">HHH", tpid, vid, etype) + payload


def erspan2_vlan(frame, i):
    # the mirrored port's frames tagged VLAN 20: the lead's example path
    return bytes(outer_ip(GRE(seqnum_present=1, seqence_number=i, proto=0x88BE) / Raw(erspan2_hdr(100, 20) + with_vlan(frame, 20)), proto=47))


def erspan3(frame, i):
    return bytes(outer_ip(GRE(seqnum_present=1, seqence_number=i, proto=0x22EB) / Raw(erspan3_hdr(300) + frame), proto=47))


def vxlan(frame, i):
    return over_udp(4789, vxlan_hdr(5000), frame, sport=49152 + i % 1000)


def vxlan_8472(frame, i):
    return over_udp(8472, vxlan_hdr(77), frame)


def gpe_nsh(frame, i):
    return over_udp(4790, gpe_hdr(4, 9) + nsh_hdr(3, 10, 255), frame)


def geneve(frame, i):
    return over_udp(6081, geneve_hdr(0xABCDEF), frame)


def mpls_ip(frame, i):
    macs, etype, payload = eth_parts(frame)
    if etype not in (0x0800, 0x86DD):
        return frame
    return bytes(Ether(macs[:6] + macs[6:12] + b"\x88\x47") / MPLS(label=16, s=0, ttl=64) / MPLS(label=1001, s=1, ttl=64) / Raw(payload))


def mpls_pw_cw(frame, i):
    # an Ethernet pseudowire with the control word (RFC 4448, RFC 4385) between two PEs
    return bytes(Ether(src=MAC_SW, dst=MAC_COLLECTOR, type=0x8847) / MPLS(label=18, s=0, ttl=64)
                 / MPLS(label=300, s=1, ttl=64) / Raw(struct.pack(">I", i & 0xFFFF) + frame))


def pppoe(frame, i):
    macs, etype, payload = eth_parts(frame)
    proto = {0x0800: 0x0021, 0x86DD: 0x0057}.get(etype)
    if proto is None:
        return frame
    return bytes(Ether(dst=macs[:6], src=macs[6:12]) / Dot1Q(vlan=300) / PPPoE(sessionid=0x1234) / PPP(proto=proto) / Raw(payload))


def ip_in_ip(frame, i):
    _, etype, payload = eth_parts(frame)
    proto = {0x0800: 4, 0x86DD: 41}.get(etype)
    if proto is None:
        return frame
    return bytes(outer_ip(Raw(payload), proto=proto))


def qinq(frame, i):
    return with_vlan(with_vlan(frame, 20), 100, 0x88A8)


def cooked_erspan2(frame, i):
    # `tcpdump -i any` on the collector: Linux cooked v1 around the ERSPAN packet
    outer = erspan2_session(frame, i, 100)
    return bytes(CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=b"\x02\x00\x00\x00\x00\x01\x00\x00", proto=0x0800)) + outer[14:]


def erspan2_session(frame, i, session, src=SW_A):
    return bytes(outer_ip(GRE(seqnum_present=1, seqence_number=i, proto=0x88BE) / Raw(erspan2_hdr(session) + frame),
                          proto=47, src=src))


def vxlan_in_gre(frame, i):
    inner = IP(src=SW_B, dst="198.51.100.10", id=0, flags="DF") / UDP(sport=50000, dport=4789) / Raw(vxlan_hdr(5000) + frame)
    return bytes(outer_ip(GRE(proto=0x0800) / inner, proto=47))


def mpls_eth_vxlan(frame, i):
    return over_udp(4789, vxlan_hdr(10), mpls_ip(frame, i))


def gtpu_in_erspan(frame, i):
    # a mirror of a mobile core's S1-U: the packets inside GTP-U inside ERSPAN
    _, etype, payload = eth_parts(frame)
    if etype not in (0x0800, 0x86DD):
        return frame
    s1u = IP(src=SW_B, dst="198.51.100.10", id=0, flags="DF") / UDP(sport=2152, dport=2152) / Raw(gtpu_hdr(0x101, len(payload)) + payload)
    enb_frame = bytes(Ether(src=MAC_SW, dst=MAC_COLLECTOR) / s1u)
    return erspan2_session(enb_frame, i, 100)


def too_deep(frame, i):
    # nine layers of IP in IP: one past the cap
    _, etype, payload = eth_parts(frame)
    proto = {0x0800: 4, 0x86DD: 41}.get(etype)
    if proto is None:
        return frame
    for _ in range(9):
        payload = bytes(IP(src=SW_A, dst=COLLECTOR, id=0, proto=proto) / Raw(payload))
        proto = 4
    return bytes(Ether(src=MAC_SW, dst=MAC_COLLECTOR, type=0x0800) / Raw(payload))


def vxlan_lookalike(frame, i):
    # UDP to 4789 whose header is not VXLAN's (no I flag)
    return over_udp(4789, b"\x00" * 8, frame)


def gre_key_garbage(frame, i):
    # a keyed GRE tunnel that says IPv4 and carries garbage
    return bytes(outer_ip(GRE(key_present=1, key=99, proto=0x0800) / Raw(bytes((b * 7 + 3) & 0xFF for b in frame[14:])), proto=47))


def two_mirrors(frames):
    """Each frame twice: from switch A's ERSPAN session and from switch B's."""
    out = []
    for i, (t, f) in enumerate(frames):
        out.append((t, erspan2_session(f, i, 100, SW_A)))
        out.append((t, erspan2_session(f, i, 100, SW_B)))
    return out


VARIANTS = [
    # name, wrap, expect, path regex, args, anomaly, tshark decode-as
    ("gre_ip", gre_ip, "same", r"gre", "-", "-", "-"),
    ("gre_key_ethernet", gre_key_teb, "same", r"gre:key 7", "-", "-", "-"),
    ("erspan1", erspan1, "same", r"erspan1", "-", "-", "-"),
    ("erspan2_vlan", erspan2_vlan, "same", r"erspan2:session 100 / vlan 20", "-", "-", "-"),
    ("erspan3_platform", erspan3, "same", r"erspan3:session 300", "-", "-", "-"),
    ("vxlan", vxlan, "same", r"vxlan:vni 5000", "-", "-", "-"),
    ("vxlan_port_8472", vxlan_8472, "same", r"vxlan:vni 77", "-", "-", "-d udp.port==8472,vxlan"),
    ("vxlan_gpe_nsh", gpe_nsh, "same", r"vxlan-gpe:vni 9 / nsh:spi 10 si 255", "-", "-", "-"),
    ("geneve_options", geneve, "same", r"geneve:vni 11259375", "-", "-", "-"),
    ("mpls_ip", mpls_ip, "same", r"mpls:label 1001", "-", "-", "-"),
    ("mpls_pw_control_word", mpls_pw_cw, "same", r"mpls:label 300", "-", "-", "-d mpls.label==300,pwethcw"),
    ("pppoe_vlan", pppoe, "same", r"vlan 300 / pppoe:session 4660", "-", "-", "-"),
    ("ip_in_ip", ip_in_ip, "same", r"ipv[46]-in-ip", "-", "-", "-"),
    ("qinq", qinq, "same", r"vlan 100 / vlan 20", "-", "-", "-"),
    ("cooked_erspan2", cooked_erspan2, "same", r"erspan2:session 100", "-", "-", "-"),
    ("vxlan_in_gre", vxlan_in_gre, "same", r"gre / vxlan:vni 5000", "-", "-", "-"),
    ("mpls_ethernet_vxlan", mpls_eth_vxlan, "same", r"vxlan:vni 10 / mpls:label 1001", "-", "-", "-"),
    ("gtpu_in_erspan", gtpu_in_erspan, "same", r"erspan2:session 100 / gtpu:teid 0x00000101", "-", "-", "-"),
    ("depth_past_cap", too_deep, "none", "-", "-", "tunnel.depth", "-"),
    ("vxlan_lookalike", vxlan_lookalike, "none", "-", "-", "tunnel.malformed", "-"),
    ("gre_key_garbage", gre_key_garbage, "none", "-", "-", "ip.malformed", "-"),
]


def linktype_of(name):
    return 113 if name.startswith("cooked") else 1


def write_pcap(path, frames, linktype=1):
    """A little-endian microsecond pcap, written by hand so the bytes never depend on
    scapy's version."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype))
        for t, frame in frames:
            us = int(round(float(t) * 1000000))
            f.write(struct.pack("<IIII", us // 1000000, us % 1000000, len(frame), len(frame)) + frame)


def order_yaml():
    """Every IPv4 and IPv6 address but the tunnels' ends, and the captures' named parties."""
    ends = ipaddress.ip_network("198.51.100.0/24")
    nets = list(ipaddress.ip_network("0.0.0.0/0").address_exclude(ends))
    nets.sort()
    lines = ["# every address but the tunnels' own ends (198.51.100.0/24): records come from",
             "# inner packets only",
             "order:", "  id: TEST-tunnels", "  kind: both",
             "  valid_from: 1970-01-02T00:00:00Z", "  valid_until: 2099-12-31T00:00:00Z", "  targets:"]
    lines += ['    - ip: "%s"' % n for n in nets]
    lines += ['    - ip: "::/1"', '    - ip: "8000::/1"', '    - sip: "101@10.33.6.100"']
    return "\n".join(lines) + "\n"


def main():
    frames = base_frames()
    write_pcap(os.path.join(OUT, "base.pcap"), frames)
    with open(os.path.join(OUT, "order.yaml"), "w") as f:
        f.write(order_yaml())
    rows = []
    for name, wrap, expect, path, args, anomaly, tshark in VARIANTS:
        wrapped = [(t, wrap(frame, i)) for i, (t, frame) in enumerate(frames)]
        write_pcap(os.path.join(OUT, name + ".pcap"), wrapped, linktype_of(name))
        rows.append((name, expect, path, args, anomaly, tshark))
    # two switches mirror the same traffic: two flows each, or one with --merge-mirrors
    write_pcap(os.path.join(OUT, "two_mirrors.pcap"), two_mirrors(frames))
    with open(os.path.join(OUT, "manifest.tsv"), "w") as f:
        for r in rows:
            f.write("\t".join(r) + "\n")


main()
