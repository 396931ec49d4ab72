#!/usr/bin/env python3
"""Writes the MAP-over-SIGTRAN test captures: tests/pcap/map/<case>/capture.pcap, every
byte assembled here with struct (Ethernet, IPv4, SCTP with CRC32c, M3UA / SUA, SCCP,
TCAP, GSM MAP, SMS TPDU), deterministic. No public capture carries MAP SMS, so these
are the MAP cases; tshark is their oracle (make_truth.py and make_map_truth.py write
what it decodes next to each capture).

Cases (all numbers fictional: +44 7700 900xxx and +1 555 01xx, IMSIs in the 001-01 test
network; every message text starts with "CANARY-", which must reach no output):

  mo_forward_sm    M3UA. mo-ForwardSM v3 (Begin, shortMsgMO-RelayContext-v3) A -> B,
                   answered by an End with ReturnResultLast: accepted.
  mt_forward_sm    M3UA. mt-ForwardSM v3 to B's IMSI from A, answered by ReturnError
                   absentSubscriberSM: failed. A status report (delivery receipt) to
                   A's IMSI about B: accepted. An SMS to A from the alphanumeric sender
                   "ACMEBANK" that gets no answer: recorded at the end with no outcome.
  forward_sm_v2    M3UA. forwardSM v2 MO after a TCAP handshake (Begin with the
                   dialogue only, Continue, Continue with the invoke, End): accepted.
                   forwardSM v2 MT (SM-RP-DA the IMSI): accepted. A v3 Begin refused
                   for its context (Abort with AARE reject) and its v2 retry: one SMS.
  sri_sm           M3UA. sendRoutingInfoForSM and updateLocation, answered: no SMS,
                   counted as MAP operations seen.
  multi_chunk      M3UA. SCTP packets bundling a SACK and several DATA chunks (an MO
                   invoke and an SRI in one packet, their answers in one packet); an MO
                   Begin fragmented over two DATA chunks in two packets, its last
                   fragment retransmitted (captured twice); an MO carried in SCCP XUDT.
  sua              SUA (PPID 4). mo-ForwardSM in a CLDT with GT addresses, answered;
                   the TCAP Begin uses BER indefinite lengths.
  truncated        M3UA. An MO Begin cut by the snap length inside TP-UD (its addresses
                   whole: recorded, answered); an MT Begin cut inside SM-RP-DA (no SMS).
  lookalike        SCTP carrying MEGACO text (PPID 7), M3UA ASP management, ISUP over
                   M3UA, CAMEL InitialDP (CAP context) over M3UA, an M3UA DATA with
                   garbage user data, PPID 3 with non-M3UA bytes: no SMS.

Each case also gets capture.pcap.texts: the message texts written into it, one a line,
for tests/scripts/test_map_content.sh (tshark cannot decode the ones the snap length cut),
and fuzz seeds for the "sctp" and "map" dissectors in tests/fuzz/corpus/.

Usage: make_map_pcaps.py [OUT_DIR]   (default: the directory of this script)"""
import os
import struct
import sys
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
BASE_TS = datetime(2026, 11, 15, 10, 0, 0, tzinfo=timezone.utc).timestamp()

# --- parties (fictional) ---
A_MSISDN, A_IMSI = "447700900123", "001010000000123"
B_MSISDN, B_IMSI = "447700900456", "001010000000456"
C_MSISDN = "15550100777"
SMSC_GT = "447700900999"
MSC_GT = "447700900500"
HLR_GT = "447700900600"
VLR_GT = "447700900700"
SSN_HLR, SSN_VLR, SSN_MSC = 6, 7, 8
MSC_IP, SG_IP, SMSC_IP = "192.0.2.10", "192.0.2.20", "198.51.100.30"
MSC_PC, SMSC_PC = 1001, 2002

# --- CRC32c (RFC 9260 Appendix A) ---
_CRC = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


# --- BER ---
def ber_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, *parts):
    c = b"".join(parts)
    return bytes([tag]) + ber_len(len(c)) + c


def tlv_indef(tag, *parts):
    return bytes([tag, 0x80]) + b"".join(parts) + b"\x00\x00"


def integer(v):
    return tlv(0x02, v.to_bytes(1, "big", signed=True))


def oid(*arcs):
    body = b""
    for a in [arcs[0] * 40 + arcs[1]] + list(arcs[2:]):
        enc = [a & 0x7F]
        a >>= 7
        while a:
            enc.append(0x80 | (a & 0x7F))
            a >>= 7
        body += bytes(reversed(enc))
    return tlv(0x06, body)


def tbcd(digits):
    d = [int(x, 16) for x in digits] + ([0xF] if len(digits) % 2 else [])
    return bytes(d[i] | (d[i + 1] << 4) for i in range(0, len(d), 2))


def address_string(digits, noa=1, np=1):
    return bytes([0x80 | (noa << 4) | np]) + tbcd(digits)


# --- SMS TPDU (3GPP TS 23.040) ---
def gsm7_pack(text):
    acc = bits = 0
    out = bytearray()
    for ch in text:
        acc |= (ord(ch) & 0x7F) << bits
        bits += 7
        while bits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            bits -= 8
    if bits:
        out.append(acc & 0xFF)
    return bytes(out)


def tp_address(number):
    return bytes([len(number), 0x91]) + tbcd(number)


def tp_address_alpha(text):
    packed = gsm7_pack(text)
    return bytes([(len(text) * 7 + 3) // 4, 0xD0]) + packed


TEXTS = []  # every message text of the case being built: capture.pcap.texts
SEEDS = {"sctp": [], "map": []}  # (direction, bytes) of the case being built: fuzz seeds


def user_text(text):
    TEXTS.append(text)
    return gsm7_pack(text)


SCTS = bytes([0x62, 0x11, 0x51, 0x01, 0x00, 0x00, 0x00])  # 2026-11-15 10:00:00 +0


def sms_submit(to, text, mr=1):
    return bytes([0x11, mr]) + tp_address(to) + bytes([0x00, 0x00, 0xA7, len(text)]) + user_text(text)


def sms_deliver(frm, text, alpha=False):
    oa = tp_address_alpha(frm) if alpha else tp_address(frm)
    return bytes([0x04]) + oa + bytes([0x00, 0x00]) + SCTS + bytes([len(text)]) + user_text(text)


def sms_status_report(recipient, mr=1):
    return bytes([0x06, mr]) + tp_address(recipient) + SCTS + SCTS + bytes([0x00])


# --- MAP (3GPP TS 29.002) ---
def ac_name(ac_id, version):
    return oid(0, 4, 0, 0, 1, 0, ac_id, version)


AC_MO_RELAY, AC_MT_RELAY, AC_SM_GATEWAY, AC_NETLOC_UP = 21, 25, 20, 1
OP_UPDATE_LOCATION, OP_MT_FORWARD_SM, OP_SRI_SM, OP_MO_FORWARD_SM = 2, 44, 45, 46
ERR_ABSENT_SUBSCRIBER_SM = 6


def mo_forward_sm_arg(msisdn, tpdu, sc=SMSC_GT):
    return tlv(0x30, tlv(0x84, address_string(sc)), tlv(0x82, address_string(msisdn)), tlv(0x04, tpdu))


def mt_forward_sm_arg(imsi, tpdu, sc=SMSC_GT):
    return tlv(0x30, tlv(0x80, tbcd(imsi)), tlv(0x84, address_string(sc)), tlv(0x04, tpdu))


def sri_sm_arg(msisdn, sc=SMSC_GT):
    return tlv(0x30, tlv(0x80, address_string(msisdn)), tlv(0x81, b"\xff"), tlv(0x82, address_string(sc)))


def update_location_arg(imsi):
    return tlv(0x30, tlv(0x04, tbcd(imsi)), tlv(0x81, address_string(VLR_GT)), tlv(0x04, address_string(VLR_GT)))


# --- TCAP (ITU-T Q.773) ---
DIALOGUE_AS_ID = oid(0, 0, 17, 773, 1, 1, 1)
PROTOCOL_VERSION = tlv(0x80, b"\x07\x80")


def aarq(ac):
    return tlv(0x6B, tlv(0x28, DIALOGUE_AS_ID, tlv(0xA0, tlv(0x60, PROTOCOL_VERSION, tlv(0xA1, ac)))))


def aare(ac, result=0, diagnostic=0):
    return tlv(0x6B, tlv(0x28, DIALOGUE_AS_ID, tlv(0xA0, tlv(0x61, PROTOCOL_VERSION, tlv(0xA1, ac),
                                                           tlv(0xA2, integer(result)),
                                                           tlv(0xA3, tlv(0xA1, integer(diagnostic)))))))


def invoke(iid, op, arg):
    return tlv(0xA1, integer(iid), integer(op), arg)


def result_last(iid, op=None, res=b""):
    return tlv(0xA2, integer(iid), tlv(0x30, integer(op), res)) if op is not None else tlv(0xA2, integer(iid))


def return_error(iid, code):
    return tlv(0xA3, integer(iid), integer(code))


def components(*comps):
    return tlv(0x6C, *comps) if comps else b""


def tc_begin(otid, dialogue=b"", *comps):
    return tlv(0x62, tlv(0x48, otid), dialogue, components(*comps))


def tc_continue(otid, dtid, dialogue=b"", *comps):
    return tlv(0x65, tlv(0x48, otid), tlv(0x49, dtid), dialogue, components(*comps))


def tc_end(dtid, dialogue=b"", *comps):
    return tlv(0x64, tlv(0x49, dtid), dialogue, components(*comps))


def tc_abort(dtid, dialogue):
    return tlv(0x67, tlv(0x49, dtid), dialogue)


# --- SCCP (ITU-T Q.713) ---
def gt4(digits, ssn, tt=0, np=1, nai=4):
    es = 1 if len(digits) % 2 else 2
    return bytes([0x12, ssn, tt, (np << 4) | es, nai]) + tbcd(digits)


def udt(called, calling, data):
    lc, lg = len(called) + 1, len(calling) + 1
    return bytes([0x09, 0x80, 3, 2 + lc, 1 + lc + lg, len(called)]) + called + bytes([len(calling)]) + calling + \
        bytes([len(data)]) + data


def xudt(called, calling, data):
    lc, lg, ld = len(called) + 1, len(calling) + 1, len(data) + 1
    return bytes([0x11, 0x81, 0x0F, 4, 3 + lc, 2 + lc + lg, 0, len(called)]) + called + \
        bytes([len(calling)]) + calling + bytes([len(data)]) + data


# --- M3UA (RFC 4666) and SUA (RFC 3868) ---
def pad4(b):
    return b + b"\x00" * (-len(b) % 4)


def ua_param(tag, value):
    return pad4(struct.pack("!HH", tag, 4 + len(value)) + value)


def ua_message(cls, typ, *params):
    body = b"".join(params)
    return struct.pack("!BBBBI", 1, 0, cls, typ, 8 + len(body)) + body


def m3ua_data(opc, dpc, user, si=3, ni=2, sls=5):
    return ua_message(1, 1, ua_param(0x0006, struct.pack("!I", 1)),
                      ua_param(0x0210, struct.pack("!IIBBBB", opc, dpc, si, ni, 0, sls) + user))


def sccp_m3ua(opc, dpc, called, calling, tcap, use_xudt=False):
    return m3ua_data(opc, dpc, (xudt if use_xudt else udt)(called, calling, tcap))


def sua_gt_address(digits, ssn):
    gt = bytes([0, 0, 0, 4, len(digits), 0, 1, 4]) + tbcd(digits)
    return struct.pack("!HH", 1, 0x0006) + ua_param(0x8001, gt) + ua_param(0x8003, bytes([0, 0, 0, ssn]))


def sua_cldt(called_digits, called_ssn, calling_digits, calling_ssn, tcap):
    return ua_message(7, 1, ua_param(0x0006, struct.pack("!I", 1)), ua_param(0x0115, bytes([0, 0, 0, 0])),
                      ua_param(0x0102, sua_gt_address(calling_digits, calling_ssn)),
                      ua_param(0x0103, sua_gt_address(called_digits, called_ssn)),
                      ua_param(0x0116, bytes(4)), ua_param(0x010B, tcap))


# --- SCTP (RFC 9260), IPv4, Ethernet, pcap ---
def data_chunk(tsn, payload, ppid=3, sid=0, ssn=0, flags=0x03):
    return pad4(struct.pack("!BBHIHHI", 0, flags, 16 + len(payload), tsn, sid, ssn, ppid) + payload)


def sack_chunk(cum_tsn):
    return struct.pack("!BBHIIHH", 3, 0, 16, cum_tsn, 65535, 0, 0)


def sctp_packet(sport, dport, chunks, vtag=0x5A5A0001):
    pkt = struct.pack("!HHII", sport, dport, vtag, 0) + b"".join(chunks)
    return pkt[:8] + struct.pack("<I", crc32c(pkt)) + pkt[12:]


def ip_checksum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, payload, proto=132):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0,
                    bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    return h[:10] + struct.pack("!H", ip_checksum(h)) + h[12:] + payload


def ether(ip):
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip


class Pcap:
    def __init__(self):
        self.frames = []
        self.t = 0.0

    def add(self, src, dst, sport, dport, chunks, gap=0.05, snap=None, vtag=0x5A5A0001):
        self.t += gap
        frame = ether(ipv4(src, dst, sctp_packet(sport, dport, chunks, vtag)))
        self.frames.append((BASE_TS + self.t, frame, snap))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for ts, frame, snap in self.frames:
                cap = frame[:snap] if snap else frame
                sec = int(ts)
                usec = int(round((ts - sec) * 1e6))
                f.write(struct.pack("<IIII", sec, usec, len(cap), len(frame)) + cap)


class Assoc:
    """One SCTP association between two M3UA (or SUA) peers; TSNs per direction."""
    count = 0

    def __init__(self, pcap, a_ip, b_ip, port=2905, ppid=3):
        Assoc.count += 1
        self.p, self.ip, self.port, self.ppid = pcap, (a_ip, b_ip), port, ppid
        self.vtag = [0x5A5A0000 + 2 * Assoc.count, 0x5A5A0001 + 2 * Assoc.count]
        self.tsn = [1000 * Assoc.count, 1000 * Assoc.count + 500]
        self.ssn = [0, 0]

    def next_ssn(self, d):
        n = self.ssn[d]
        self.ssn[d] = (n + 1) & 0xFFFF
        return n

    def next_tsn(self, d):
        t = self.tsn[d]
        self.tsn[d] += 1
        return t

    def chunk(self, d, payload, **kw):
        SEEDS["map"].append((d, payload))
        return data_chunk(self.next_tsn(d), payload, ppid=self.ppid, ssn=self.next_ssn(d), **kw)

    def send(self, d, *payloads, snap=None, gap=0.05):
        """d 0: a -> b, 1: b -> a. Each payload one DATA chunk, all in one packet."""
        self.send_chunks(d, [self.chunk(d, pl) for pl in payloads], snap=snap, gap=gap)

    def send_chunks(self, d, chunks, snap=None, gap=0.05):
        src, dst = self.ip[d], self.ip[1 - d]
        SEEDS["sctp"].append((d, b"".join(chunks)))
        self.p.add(src, dst, self.port, self.port, chunks, gap=gap, snap=snap, vtag=self.vtag[d])


# Addresses as each side sends them (route on GT).
MSC_ADDR, SMSC_ADDR = gt4(MSC_GT, SSN_MSC), gt4(SMSC_GT, SSN_MSC)
HLR_ADDR, VLR_ADDR = gt4(HLR_GT, SSN_HLR), gt4(VLR_GT, SSN_VLR)


def msc_to_smsc(tcap, **kw):
    return sccp_m3ua(MSC_PC, SMSC_PC, SMSC_ADDR, MSC_ADDR, tcap, **kw)


def smsc_to_msc(tcap, **kw):
    return sccp_m3ua(SMSC_PC, MSC_PC, MSC_ADDR, SMSC_ADDR, tcap, **kw)


def case_mo_forward_sm(p):
    s = Assoc(p, MSC_IP, SMSC_IP)
    otid, dtid = bytes.fromhex("0a0b0c01"), bytes.fromhex("5e000001")
    tpdu = sms_submit(B_MSISDN, "CANARY-MAP-MO-1 meet me at the north gate")
    s.send(0, msc_to_smsc(tc_begin(otid, aarq(ac_name(AC_MO_RELAY, 3)),
                                   invoke(1, OP_MO_FORWARD_SM, mo_forward_sm_arg(A_MSISDN, tpdu)))))
    s.send(1, smsc_to_msc(tc_end(otid, aare(ac_name(AC_MO_RELAY, 3)), result_last(1, OP_MO_FORWARD_SM))))


def case_mt_forward_sm(p):
    s = Assoc(p, SMSC_IP, MSC_IP)
    # SMS-DELIVER to B, refused: absent subscriber
    t1, r1 = bytes.fromhex("6d000001"), bytes.fromhex("0c000001")
    s.send(0, smsc_to_msc(tc_begin(t1, aarq(ac_name(AC_MT_RELAY, 3)), invoke(
        1, OP_MT_FORWARD_SM, mt_forward_sm_arg(B_IMSI, sms_deliver(A_MSISDN, "CANARY-MAP-MT-2 the parcel is ready"))))))
    s.send(1, msc_to_smsc(tc_end(t1, aare(ac_name(AC_MT_RELAY, 3)), return_error(1, ERR_ABSENT_SUBSCRIBER_SM))))
    # status report to A about its message to B: a delivery receipt
    t2 = bytes.fromhex("6d000002")
    s.send(0, smsc_to_msc(tc_begin(t2, aarq(ac_name(AC_MT_RELAY, 3)), invoke(
        1, OP_MT_FORWARD_SM, mt_forward_sm_arg(A_IMSI, sms_status_report(B_MSISDN, mr=7))))))
    s.send(1, msc_to_smsc(tc_end(t2, aare(ac_name(AC_MT_RELAY, 3)), result_last(1, OP_MT_FORWARD_SM))))
    # an alphanumeric sender to A, never answered
    t3 = bytes.fromhex("6d000003")
    s.send(0, smsc_to_msc(tc_begin(t3, aarq(ac_name(AC_MT_RELAY, 3)), invoke(
        1, OP_MT_FORWARD_SM, mt_forward_sm_arg(A_IMSI, sms_deliver("ACMEBANK", "CANARY-MAP-MT-3 code 4417", alpha=True))))))


def case_forward_sm_v2(p):
    s = Assoc(p, MSC_IP, SMSC_IP)
    ac2 = ac_name(AC_MO_RELAY, 2)
    # MO after a handshake: Begin (dialogue only), Continue, Continue (invoke), End
    t1, r1 = bytes.fromhex("1a000001"), bytes.fromhex("2b000001")
    s.send(0, msc_to_smsc(tc_begin(t1, aarq(ac2))))
    s.send(1, smsc_to_msc(tc_continue(r1, t1, aare(ac2))))
    s.send(0, msc_to_smsc(tc_continue(t1, r1, b"", invoke(
        1, OP_MO_FORWARD_SM, mo_forward_sm_arg(A_MSISDN, sms_submit(C_MSISDN, "CANARY-MAP-V2-4 call the lawyer"))))))
    s.send(1, smsc_to_msc(tc_end(t1, b"", result_last(1))))
    # MT forwardSM v2: SM-RP-DA the IMSI, SM-RP-OA the service centre
    t2 = bytes.fromhex("2b000002")
    s.send(1, smsc_to_msc(tc_begin(t2, aarq(ac2), invoke(
        1, OP_MO_FORWARD_SM, mt_forward_sm_arg(A_IMSI, sms_deliver(C_MSISDN, "CANARY-MAP-V2-5 ok see you"))))))
    s.send(0, msc_to_smsc(tc_end(t2, aare(ac2), result_last(1, OP_MO_FORWARD_SM))))
    # v3 refused for its context, then the v2 retry: one SMS (B -> C)
    t3, t4 = bytes.fromhex("1a000003"), bytes.fromhex("1a000004")
    tpdu = sms_submit(C_MSISDN, "CANARY-MAP-V2-6 retry after fallback")
    s.send(0, msc_to_smsc(tc_begin(t3, aarq(ac_name(AC_MO_RELAY, 3)),
                                   invoke(1, OP_MO_FORWARD_SM, mo_forward_sm_arg(B_MSISDN, tpdu)))))
    s.send(1, smsc_to_msc(tc_abort(t3, aare(ac_name(AC_MO_RELAY, 2), result=1, diagnostic=2))))
    s.send(0, msc_to_smsc(tc_begin(t4, aarq(ac2), invoke(1, OP_MO_FORWARD_SM, mo_forward_sm_arg(B_MSISDN, tpdu)))))
    s.send(1, smsc_to_msc(tc_end(t4, aare(ac2), result_last(1, OP_MO_FORWARD_SM))))


def case_sri_sm(p):
    s = Assoc(p, SMSC_IP, SG_IP)
    smsc_hlr = lambda tcap: sccp_m3ua(SMSC_PC, 3003, HLR_ADDR, SMSC_ADDR, tcap)
    hlr_smsc = lambda tcap: sccp_m3ua(3003, SMSC_PC, SMSC_ADDR, HLR_ADDR, tcap)
    t1 = bytes.fromhex("4c000001")
    ac = ac_name(AC_SM_GATEWAY, 3)
    s.send(0, smsc_hlr(tc_begin(t1, aarq(ac), invoke(1, OP_SRI_SM, sri_sm_arg(B_MSISDN)))))
    res = tlv(0x30, tlv(0x04, tbcd(B_IMSI)), tlv(0xA0, tlv(0x81, address_string(MSC_GT))))
    s.send(1, hlr_smsc(tc_end(t1, aare(ac), result_last(1, OP_SRI_SM, res))))
    v = Assoc(p, MSC_IP, SG_IP)
    vlr_hlr = lambda tcap: sccp_m3ua(MSC_PC, 3003, HLR_ADDR, VLR_ADDR, tcap)
    hlr_vlr = lambda tcap: sccp_m3ua(3003, MSC_PC, VLR_ADDR, HLR_ADDR, tcap)
    t2 = bytes.fromhex("4c000002")
    ac = ac_name(AC_NETLOC_UP, 3)
    v.send(0, vlr_hlr(tc_begin(t2, aarq(ac), invoke(1, OP_UPDATE_LOCATION, update_location_arg(A_IMSI)))))
    v.send(1, hlr_vlr(tc_end(t2, aare(ac), result_last(1, OP_UPDATE_LOCATION, tlv(0x30, tlv(0x04, address_string(HLR_GT)))))))


def case_multi_chunk(p):
    s = Assoc(p, MSC_IP, SMSC_IP)
    t1, t2 = bytes.fromhex("7a000001"), bytes.fromhex("7a000002")
    mo = msc_to_smsc(tc_begin(t1, aarq(ac_name(AC_MO_RELAY, 3)), invoke(
        1, OP_MO_FORWARD_SM, mo_forward_sm_arg(A_MSISDN, sms_submit(B_MSISDN, "CANARY-MAP-MC-7 two in one packet")))))
    sri = sccp_m3ua(MSC_PC, SMSC_PC, HLR_ADDR, SMSC_ADDR, tc_begin(t2, aarq(ac_name(AC_SM_GATEWAY, 3)),
                                                                  invoke(1, OP_SRI_SM, sri_sm_arg(C_MSISDN))))
    s.send_chunks(0, [sack_chunk(s.tsn[1] - 1), s.chunk(0, mo), s.chunk(0, sri)])
    s.send_chunks(1, [sack_chunk(s.tsn[0] - 1), s.chunk(1, smsc_to_msc(tc_end(t1, aare(ac_name(AC_MO_RELAY, 3)),
                                                                      result_last(1, OP_MO_FORWARD_SM)))),
                      s.chunk(1, sccp_m3ua(SMSC_PC, MSC_PC, SMSC_ADDR, HLR_ADDR,
                                           tc_end(t2, aare(ac_name(AC_SM_GATEWAY, 3)), return_error(1, 1))))])
    # a Begin in two fragments, the second one captured twice (a retransmission)
    t3 = bytes.fromhex("7a000003")
    big = msc_to_smsc(tc_begin(t3, aarq(ac_name(AC_MO_RELAY, 3)), invoke(
        1, OP_MO_FORWARD_SM, mo_forward_sm_arg(B_MSISDN, sms_submit(
            A_MSISDN, "CANARY-MAP-MC-8 long message split across two SCTP fragments, " * 2)))))
    half = len(big) // 2
    tsn1, tsn2, ssn = s.next_tsn(0), s.next_tsn(0), s.next_ssn(0)
    s.send_chunks(0, [data_chunk(tsn1, big[:half], ppid=3, ssn=ssn, flags=0x02)])
    s.send_chunks(0, [data_chunk(tsn2, big[half:], ppid=3, ssn=ssn, flags=0x01)])
    s.send_chunks(0, [data_chunk(tsn2, big[half:], ppid=3, ssn=ssn, flags=0x01)], gap=0.5)
    s.send(1, smsc_to_msc(tc_end(t3, aare(ac_name(AC_MO_RELAY, 3)), result_last(1, OP_MO_FORWARD_SM))))
    # an MO in SCCP XUDT
    t4 = bytes.fromhex("7a000004")
    s.send(0, msc_to_smsc(tc_begin(t4, aarq(ac_name(AC_MO_RELAY, 3)), invoke(
        1, OP_MO_FORWARD_SM, mo_forward_sm_arg(C_MSISDN, sms_submit(A_MSISDN, "CANARY-MAP-MC-9 via xudt")))),
        use_xudt=True))
    s.send(1, smsc_to_msc(tc_end(t4, aare(ac_name(AC_MO_RELAY, 3)), result_last(1, OP_MO_FORWARD_SM)), use_xudt=True))


def case_sua(p):
    s = Assoc(p, MSC_IP, SMSC_IP, port=14001, ppid=4)
    otid = bytes.fromhex("5ab0c0d1")
    tpdu = sms_submit(C_MSISDN, "CANARY-MAP-SUA-10 over sua")
    ac = ac_name(AC_MO_RELAY, 3)
    dialogue = tlv_indef(0x6B, tlv_indef(0x28, DIALOGUE_AS_ID, tlv_indef(0xA0, tlv_indef(
        0x60, PROTOCOL_VERSION, tlv_indef(0xA1, ac)))))
    begin = tlv_indef(0x62, tlv(0x48, otid), dialogue, tlv_indef(0x6C, tlv_indef(
        0xA1, integer(1), integer(OP_MO_FORWARD_SM), mo_forward_sm_arg(B_MSISDN, tpdu))))
    s.send(0, sua_cldt(SMSC_GT, SSN_MSC, MSC_GT, SSN_MSC, begin))
    s.send(1, sua_cldt(MSC_GT, SSN_MSC, SMSC_GT, SSN_MSC, tc_end(otid, aare(ac), result_last(1, OP_MO_FORWARD_SM))))


def case_truncated(p):
    s = Assoc(p, MSC_IP, SMSC_IP)
    t1 = bytes.fromhex("3c000001")
    tpdu = sms_submit(B_MSISDN, "CANARY-MAP-TR-11 cut by the snap length somewhere in here")
    frame = msc_to_smsc(tc_begin(t1, aarq(ac_name(AC_MO_RELAY, 3)),
                                 invoke(1, OP_MO_FORWARD_SM, mo_forward_sm_arg(A_MSISDN, tpdu))))
    # headers: Ethernet 14, IPv4 20, SCTP 12 + DATA 16: keep all but the last 20 bytes of TP-UD
    s.send(0, frame, snap=14 + 20 + 12 + 16 + len(frame) - 20)
    s.send(1, smsc_to_msc(tc_end(t1, aare(ac_name(AC_MO_RELAY, 3)), result_last(1, OP_MO_FORWARD_SM))))
    t2 = bytes.fromhex("3c000002")
    mt = smsc_to_msc(tc_begin(t2, aarq(ac_name(AC_MT_RELAY, 3)), invoke(
        1, OP_MT_FORWARD_SM, mt_forward_sm_arg(A_IMSI, sms_deliver(B_MSISDN, "CANARY-MAP-TR-12 never seen")))))
    cut_at = mt.index(tbcd(A_IMSI)) + 3  # inside the IMSI
    s.send(1, mt, snap=14 + 20 + 12 + 16 + cut_at)


def case_lookalike(p):
    # MEGACO (H.248 text, PPID 7) over SCTP on 2944
    megaco = b"MEGACO/1 [192.0.2.10]:2944\r\nTransaction = 9 {\r\n Context = - {\r\n  ServiceChange = ROOT {Services {Method = Restart}}}}\r\n"
    m = Assoc(p, MSC_IP, SG_IP, port=2944, ppid=7)
    m.send(0, megaco)
    s = Assoc(p, MSC_IP, SG_IP)
    # M3UA ASP Up and ASP Up Ack
    s.send(0, ua_message(3, 1))
    s.send(1, ua_message(3, 4))
    # ISUP (SI 5) over M3UA: an IAM-looking payload with digits
    s.send(0, m3ua_data(MSC_PC, SMSC_PC, bytes.fromhex("01000100") + tbcd(A_MSISDN), si=5))
    # CAMEL InitialDP (CAP v2 context): TCAP, but not MAP
    cap_ac = oid(0, 4, 0, 0, 1, 0, 50, 1)
    idp = tlv(0x30, tlv(0x80, b"\x01"), tlv(0x83, address_string(A_MSISDN)))
    s.send(0, sccp_m3ua(MSC_PC, SMSC_PC, gt4("447700900800", 146), MSC_ADDR,
                        tc_begin(bytes.fromhex("ca000001"), aarq(cap_ac), invoke(1, 0, idp))))
    # CAMEL dialogue whose operation code happens to be 46 (CAP's own numbering): not MAP
    s.send(0, sccp_m3ua(MSC_PC, SMSC_PC, gt4("447700900800", 146), MSC_ADDR,
                        tc_begin(bytes.fromhex("ca000002"), aarq(cap_ac),
                                 invoke(1, OP_MO_FORWARD_SM, mo_forward_sm_arg(A_MSISDN, sms_submit(B_MSISDN, "CANARY-MAP-LA-13"))))))
    # M3UA DATA whose SCCP data is not TCAP, and PPID 3 with bytes that are not M3UA
    s.send(0, sccp_m3ua(MSC_PC, SMSC_PC, SMSC_ADDR, MSC_ADDR, b"\x30\x03\x02\x01\x05"))
    s.send(0, b"GET / HTTP/1.1\r\nHost: example.net\r\n\r\n")


CASES = {
    "mo_forward_sm": case_mo_forward_sm,
    "mt_forward_sm": case_mt_forward_sm,
    "forward_sm_v2": case_forward_sm_v2,
    "sri_sm": case_sri_sm,
    "multi_chunk": case_multi_chunk,
    "sua": case_sua,
    "truncated": case_truncated,
    "lookalike": case_lookalike,
}


def write_seeds(corpus, case):
    """Fuzz seeds in tests/fuzz/fuzz_dissector.c's format: flags, two ports, then chunks of
    a 2-byte header (bit 15 the direction, bits 0-13 the length) and their bytes. The
    "sctp" dissector gets each packet's chunks, "map" each SCTP user message."""
    for name, items in SEEDS.items():
        if not items:
            continue
        flags = 0  # the first (only) transport of each: SCTP for sctp, UDP for map (none of its own)
        body = bytes([flags]) + struct.pack("!HH", 2905, 2905)
        for d, payload in items:
            body += struct.pack("!H", (0x8000 if d else 0) | min(len(payload), 0x3FFF)) + payload[:0x3FFF]
        os.makedirs(os.path.join(corpus, name), exist_ok=True)
        with open(os.path.join(corpus, name, f"seed-map-{case}"), "wb") as f:
            f.write(body)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    corpus = os.path.join(HERE, "..", "..", "fuzz", "corpus")
    for name, build in CASES.items():
        p = Pcap()
        TEXTS.clear()
        for v in SEEDS.values():
            v.clear()
        build(p)
        write_seeds(corpus, name)
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        p.write(os.path.join(d, "capture.pcap"))
        with open(os.path.join(d, "capture.pcap.texts"), "w", encoding="utf-8") as f:
            f.write("".join(t + "\n" for t in dict.fromkeys(TEXTS)))
        print(f"{name}: {len(p.frames)} frames")


if __name__ == "__main__":
    main()
