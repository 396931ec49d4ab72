#!/usr/bin/env python3
"""Writes the synthetic captures of the identity tests (no real subscriber in them: the
IMSIs use the test network 001-01, the numbers the +1555 range, the addresses private or
documentation ranges).

  gtp_sip/capture.pcap      one SGW and one PGW (one pair of tunnel endpoints). GTPv2-C
                            (3GPP TS 29.274) Create Session binds three subscribers:
                              UE1 imsi 001010000000001 / +15550000001 -> 10.45.0.7
                              UE2 imsi 001010000000002 / +15550000002 -> 10.45.0.8
                            then, inside GTP-U (TS 29.281), each UE looks up a name (DNS)
                            and sends a few opaque datagrams to the address it got
                            (an app's flow), and makes a SIP call (RFC 3261) that does
                            not carry its number (UE1 uses its IMSI-based IMPU, UE2
                            withholds its identity). UE1's session is deleted and the same address
                            10.45.0.7 is given to
                              UE3 imsi 001010000000003 / +15550000003
                            who looks up a name, sends to it, and calls (anonymously).
  sip_register/capture.pcap   SIP registrations (RFC 3261 10) without GTP: +15550000009
                            registers from its own address 192.0.2.7 (600 s), calls
                            anonymously, re-registers, calls again after the first
                            expiry would have passed, de-registers (Expires: 0) and calls
                            once more; sip:bob@example.net is registered by a proxy
                            (203.0.113.1) for contact 198.51.100.9, and another user
                            calls anonymously through that proxy.
  gtpu_variants/capture.pcap  one G-PDU per outer variant: plain, with a PDU session
                            container extension header, with a long extension chain,
                            802.1Q and QinQ tagged, IPv6 outer, and an inner IPv6 packet.

Usage: make_captures.py (writes next to this script). Check the result with tshark:
  tshark -r gtp_sip/capture.pcap -Y 'gtpv2 || sip || dns'
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def udp4(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 17, len(u))
    c = csum(pseudo + u) or 0xFFFF
    u = u[:6] + struct.pack("!H", c) + u[8:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 0, 0, 64, 17, 0, ip4(src), ip4(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + u


def udp6(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    pseudo = ip6(src) + ip6(dst) + struct.pack("!I3xB", len(u), 17)
    c = csum(pseudo + u) or 0xFFFF
    u = u[:6] + struct.pack("!H", c) + u[8:]
    return struct.pack("!IHBB", 0x60000000, len(u), 17, 64) + ip6(src) + ip6(dst) + u


def eth(l3, vlans=(), v6=False):
    b = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
    tpids = [0x88A8] + [0x8100] * (len(vlans) - 1) if len(vlans) > 1 else [0x8100] * len(vlans)
    for tpid, vid in zip(tpids, vlans):
        b += struct.pack("!HH", tpid, vid)
    return b + struct.pack("!H", 0x86DD if v6 else 0x0800) + l3


def write_pcap(path, frames):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for ts, data in frames:
            sec, usec = int(ts), int(round((ts - int(ts)) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)


# --- GTPv2-C (TS 29.274) ---

def tbcd(digits):
    if len(digits) % 2:
        digits += "F"
    return bytes(int(digits[i + 1], 16) << 4 | int(digits[i], 16) for i in range(0, len(digits), 2))


def ie(t, value, instance=0):
    return struct.pack("!BHB", t, len(value), instance) + value


def apn(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split("."))


def fteid(iface, teid, addr, instance):
    return ie(87, struct.pack("!BI", 0x80 | iface, teid) + ip4(addr), instance)


def gtpv2(msg_type, teid, seq, ies):
    body = struct.pack("!I", teid) + struct.pack("!I", seq << 8) + ies
    return struct.pack("!BBH", 0x48, msg_type, len(body)) + body


SGW, PGW = "172.16.0.1", "172.16.0.2"


class Session:
    def __init__(self, n, imsi, msisdn, ue):
        self.imsi, self.msisdn, self.ue = imsi, msisdn, ue
        self.sgw_c, self.pgw_c = 0x100 + n, 0x200 + n      # control-plane TEIDs
        self.sgw_u, self.pgw_u = 0x1100 + n, 0x1200 + n    # user-plane TEIDs
        self.seq = 0x10 * n

    def create(self, t):
        req = gtpv2(32, 0, self.seq,
                    ie(1, tbcd(self.imsi)) + ie(76, tbcd(self.msisdn)) + ie(75, tbcd("3572200924513839")) +
                    ie(82, b"\x06") + fteid(6, self.sgw_c, SGW, 0) + ie(71, apn("internet")) +
                    ie(79, b"\x01" + ip4("0.0.0.0")) +
                    ie(93, ie(73, b"\x05") + fteid(4, self.sgw_u, SGW, 2)))
        resp = gtpv2(33, self.sgw_c, self.seq,
                     ie(2, b"\x10\x00") + fteid(7, self.pgw_c, PGW, 1) + ie(79, b"\x01" + ip4(self.ue)) +
                     ie(93, ie(73, b"\x05") + ie(2, b"\x10\x00") + fteid(5, self.pgw_u, PGW, 2)))
        return [(t, eth(udp4(SGW, PGW, 2123, 2123, req))), (t + 0.01, eth(udp4(PGW, SGW, 2123, 2123, resp)))]

    def delete(self, t):
        self.seq += 1
        req = gtpv2(36, self.pgw_c, self.seq, ie(73, b"\x05"))
        resp = gtpv2(37, self.sgw_c, self.seq, ie(2, b"\x10\x00"))
        return [(t, eth(udp4(SGW, PGW, 2123, 2123, req))), (t + 0.01, eth(udp4(PGW, SGW, 2123, 2123, resp)))]

    def up(self, t, inner):
        """A G-PDU from the UE (SGW -> PGW, the PGW's TEID)."""
        return (t, eth(udp4(SGW, PGW, 2152, 2152, gtpu(self.pgw_u, inner))))

    def down(self, t, inner):
        return (t, eth(udp4(PGW, SGW, 2152, 2152, gtpu(self.sgw_u, inner))))


def gtpu(teid, inner, ext=None):
    if ext is None:
        return struct.pack("!BBHI", 0x30, 0xFF, len(inner), teid) + inner
    opt = struct.pack("!HBB", 0, 0, ext[0][0]) if ext else b""
    chain = b""
    for i, (_, content) in enumerate(ext):
        nxt = ext[i + 1][0] if i + 1 < len(ext) else 0
        chain += bytes([(len(content) + 2) // 4]) + content + bytes([nxt])
    body = opt + chain + inner
    return struct.pack("!BBHI", 0x34, 0xFF, len(body), teid) + body


# --- DNS (RFC 1035) and SIP (RFC 3261) inside the tunnels ---

DNS_SERVER = "10.46.0.53"
PCSCF = "10.46.0.1"


def dns_name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"


def dns_query(qid, name):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + dns_name(name) + struct.pack("!HH", 1, 1)


def dns_answer(qid, name, cname, addrs, ttl=300):
    q = dns_name(name) + struct.pack("!HH", 1, 1)
    ans = b""
    owner = b"\xc0\x0c"
    count = 0
    if cname:
        target = dns_name(cname)
        ans += owner + struct.pack("!HHIH", 5, 1, ttl, len(target)) + target
        owner = struct.pack("!H", 0xC000 | (12 + len(q) + 12))  # the CNAME target above
        count += 1
    for a in addrs:
        ans += owner + struct.pack("!HHIH", 1, 1, ttl, 4) + ip4(a)
        count += 1
    return struct.pack("!HHHHHH", qid, 0x8180, 1, count, 0, 0) + q + ans


def sip(lines):
    body = "\r\n".join(lines) + "\r\n"
    return (body + "\r\n").encode()


def sip_call(s, t, frm, call_id, to="+15559999999"):
    ue = s.ue
    common = ["Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-%s" % (ue, call_id),
              "From: <%s>;tag=ue" % frm,
              "To: <sip:%s@ims.example>" % to,
              "Call-ID: %s" % call_id]
    invite = sip(["INVITE sip:%s@ims.example SIP/2.0" % to] + common +
                 ["CSeq: 1 INVITE", "Contact: <sip:%s:5060>" % ue, "Content-Length: 0"])
    ok = sip(["SIP/2.0 200 OK"] + common[:2] + [common[2] + ";tag=far", common[3]] +
             ["CSeq: 1 INVITE", "Contact: <sip:%s:5060>" % PCSCF, "Content-Length: 0"])
    bye = sip(["BYE sip:%s:5060 SIP/2.0" % PCSCF] + common[:2] + [common[2] + ";tag=far", common[3]] +
              ["CSeq: 2 BYE", "Content-Length: 0"])
    byeok = sip(["SIP/2.0 200 OK"] + common[:2] + [common[2] + ";tag=far", common[3]] +
                ["CSeq: 2 BYE", "Content-Length: 0"])
    return [s.up(t, udp4(ue, PCSCF, 5060, 5060, invite)),
            s.down(t + 1, udp4(PCSCF, ue, 5060, 5060, ok)),
            s.up(t + 31, udp4(ue, PCSCF, 5060, 5060, bye)),
            s.down(t + 31.1, udp4(PCSCF, ue, 5060, 5060, byeok))]


def dns_lookup(s, t, qid, name, cname, addrs):
    return [s.up(t, udp4(s.ue, DNS_SERVER, 40000 + qid, 53, dns_query(qid, name))),
            s.down(t + 0.02, udp4(DNS_SERVER, s.ue, 53, 40000 + qid, dns_answer(qid, name, cname, addrs)))]


def app_flow(s, t, server, port):
    """An app's datagrams to a server it looked up: opaque bytes, no protocol pentrap reads."""
    data = b"app-" + bytes((i * 37 + port) & 0x7F for i in range(44))  # not RTP, STUN, QUIC or DNS
    return [s.up(t, udp4(s.ue, server, 50000 + (port & 0xFF), port, data)),
            s.down(t + 0.05, udp4(server, s.ue, port, 50000 + (port & 0xFF), data[::-1]))]


def gtp_sip():
    t0 = 1767225600.0  # 2026-01-01T00:00:00Z
    ue1 = Session(1, "001010000000001", "15550000001", "10.45.0.7")
    ue2 = Session(2, "001010000000002", "15550000002", "10.45.0.8")
    ue3 = Session(3, "001010000000003", "15550000003", "10.45.0.7")  # UE1's address, later
    f = []
    f += ue1.create(t0)
    f += ue2.create(t0 + 1)
    f += dns_lookup(ue1, t0 + 10, 1, "www.example.com", "www.example.com.cdn.example.net", ["192.0.2.10", "192.0.2.11"])
    f += dns_lookup(ue2, t0 + 11, 2, "static.example.org", None, ["198.51.100.20"])
    f += app_flow(ue1, t0 + 12, "192.0.2.11", 4500)
    f += app_flow(ue2, t0 + 13, "198.51.100.20", 4500)
    f += sip_call(ue1, t0 + 20, "sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org", "call-ue1")
    f += sip_call(ue2, t0 + 21, "sip:anonymous@anonymous.invalid", "call-ue2")
    f += ue1.delete(t0 + 100)
    f += ue3.create(t0 + 200)
    f += dns_lookup(ue3, t0 + 210, 3, "mail.example.com", None, ["192.0.2.30"])
    f += app_flow(ue3, t0 + 212, "192.0.2.30", 4500)
    f += sip_call(ue3, t0 + 220, "sip:anonymous@anonymous.invalid", "call-ue3")
    f.sort(key=lambda x: x[0])
    write_pcap(os.path.join(HERE, "gtp_sip", "capture.pcap"), f)


def sip_udp(t, src, dst, text):
    return (t, eth(udp4(src, dst, 5060, 5060, text)))


def register(t, ua, via, aor, contact, call_id, cseq, expires, registrar="203.0.113.5"):
    hdr = ["Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-r%d" % (via, cseq),
           "From: <%s>;tag=r1" % aor, "To: <%s>" % aor, "Call-ID: %s" % call_id, "CSeq: %d REGISTER" % cseq]
    req = sip(["REGISTER sip:example.net SIP/2.0"] + hdr +
              ["Contact: <%s>" % contact, "Expires: %d" % expires, "Content-Length: 0"])
    ok = sip(["SIP/2.0 200 OK"] + hdr[:2] + [hdr[2] + ";tag=reg"] + hdr[3:] +
             ["Contact: <%s>;expires=%d" % (contact, expires), "Expires: %d" % expires, "Content-Length: 0"])
    return [sip_udp(t, via, registrar, req), sip_udp(t + 0.05, registrar, via, ok)]


def anon_call(t, src, call_id, dst="203.0.113.5"):
    hdr = ["Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-%s" % (src, call_id),
           "From: <sip:anonymous@anonymous.invalid>;tag=a", "To: <sip:carol@example.net>",
           "Call-ID: %s" % call_id, "CSeq: 1 INVITE"]
    inv = sip(["INVITE sip:carol@example.net SIP/2.0"] + hdr + ["Contact: <sip:%s:5060>" % src, "Content-Length: 0"])
    busy = sip(["SIP/2.0 486 Busy Here"] + hdr[:2] + [hdr[2] + ";tag=c"] + hdr[3:] + ["Content-Length: 0"])
    return [sip_udp(t, src, dst, inv), sip_udp(t + 0.5, dst, src, busy)]


def sip_register():
    t0 = 1767225600.0
    ua, proxy = "192.0.2.7", "203.0.113.1"
    f = []
    f += register(t0, ua, ua, "tel:+15550000009", "sip:+15550000009@192.0.2.7:5060", "reg-1", 1, 600)
    f += register(t0 + 1, "198.51.100.9", proxy, "sip:bob@example.net", "sip:bob@198.51.100.9:5062", "reg-bob", 1, 3600)
    f += anon_call(t0 + 10, ua, "anon-1")
    f += anon_call(t0 + 11, proxy, "anon-proxy")
    f += register(t0 + 300, ua, ua, "tel:+15550000009", "sip:+15550000009@192.0.2.7:5060", "reg-1", 2, 600)
    f += anon_call(t0 + 700, ua, "anon-2")
    f += register(t0 + 800, ua, ua, "tel:+15550000009", "sip:+15550000009@192.0.2.7:5060", "reg-1", 3, 0)
    f += anon_call(t0 + 850, ua, "anon-3")
    f.sort(key=lambda x: x[0])
    write_pcap(os.path.join(HERE, "sip_register", "capture.pcap"), f)


def gtpu_variants():
    t0 = 1767225600.0
    inner = udp4("10.45.0.9", "192.0.2.99", 1000, 2000, b"x" * 20)
    outer = lambda teid, payload, **kw: eth(udp4("172.16.0.1", "172.16.0.2", 2152, 2152, gtpu(teid, payload, **kw)))
    f = [(t0 + 0, outer(0x101, inner)),
         # PDU session container (type 0x85, TS 38.415): one 4-byte unit
         (t0 + 1, outer(0x102, inner, ext=[(0x85, b"\x00\x09")])),
         # a chain of three: UDP port (0x40), PDCP PDU number (0xc0), PDU session container
         (t0 + 2, outer(0x103, inner, ext=[(0x40, b"\x08\x68"), (0xC0, b"\x00\x01"), (0x85, b"\x10\x01")])),
         (t0 + 3, eth(udp4("172.16.0.1", "172.16.0.2", 2152, 2152, gtpu(0x104, inner)), vlans=(100,))),
         (t0 + 4, eth(udp4("172.16.0.1", "172.16.0.2", 2152, 2152, gtpu(0x105, inner)), vlans=(200, 300))),
         (t0 + 5, eth(udp6("2001:db8:5::1", "2001:db8:5::2", 2152, 2152, gtpu(0x106, inner)), v6=True)),
         (t0 + 6, outer(0x107, udp6("2001:db8:45::9", "2001:db8:99::1", 1000, 2000, b"y" * 20)))]
    write_pcap(os.path.join(HERE, "gtpu_variants", "capture.pcap"), f)


if __name__ == "__main__":
    gtp_sip()
    sip_register()
    gtpu_variants()
