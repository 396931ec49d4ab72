#!/usr/bin/env python3
"""Writes the synthetic SMS captures of tests/pcap/sms/ (deterministic; run from anywhere):

  synthetic_smpp/capture.pcap         an SMPP v3.4 session over TCP/2775: submit_sm (ok,
                                      failed, unanswered, generic_nack), data_sm with
                                      message_payload split over three segments, two PDUs
                                      in one segment, submit_multi (three destinations, one
                                      refused, one a distribution list), deliver_sm (MO and
                                      a delivery receipt), alphanumeric and national
                                      addresses
  synthetic_sip_message/capture.pcap  SIP MESSAGE over UDP: SMS over IP MO (RP-DATA +
                                      SMS-SUBMIT) and MT (SMS-DELIVER, SMS-STATUS-REPORT),
                                      RP-ACK messages, a retransmitted text/plain message, a
                                      407 challenge and retry, a 404, a typing indicator, a
                                      message never answered
  lookalike_2775/capture.pcap         binary traffic on the SMPP port that is not SMPP, and
                                      near misses: no sms may come of it

Every message text contains "CANARY-", so tests/scripts/test_sms_content.sh can prove no
text reaches any output. Addresses are in the 555 fictional ranges and example domains.
tshark decodes every capture (its output is the case's truth file)."""
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


# --- pcap, Ethernet, IPv4, TCP, UDP ---

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ipv4_packet(src, dst, proto, payload, ident):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                      ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def l4_checksum(src, dst, proto, seg):
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, len(seg))
    return csum(pseudo + seg)


def tcp_segment(src, dst, sport, dport, seq, ack, flags, payload):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    c = l4_checksum(src, dst, 6, hdr + payload)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload


def udp_datagram(src, dst, sport, dport, payload):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    c = l4_checksum(src, dst, 17, hdr + payload) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + payload


class Pcap:
    def __init__(self, t0):
        self.t = t0
        self.frames = []
        self.ident = 1

    def add(self, src, dst, proto, l4, dt=0.01):
        self.t += dt
        ip = ipv4_packet(src, dst, proto, l4, self.ident)
        self.ident += 1
        eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip
        self.frames.append((self.t, eth))

    def udp(self, src, sport, dst, dport, payload, dt=0.01):
        self.add(src, dst, 17, udp_datagram(src, dst, sport, dport, payload), dt)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, data in self.frames:
                sec = int(t)
                usec = int(round((t - sec) * 1e6))
                f.write(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)


class Tcp:
    """One TCP connection: a handshake, data either way, a close."""
    SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01

    def __init__(self, pcap, client, cport, server, sport):
        self.p = pcap
        self.ends = [(client, cport), (server, sport)]
        self.seq = [1000, 5000]
        self.seg(0, self.SYN, b"")
        self.seq[0] += 1
        self.seg(1, self.SYN | self.ACK, b"")
        self.seq[1] += 1
        self.seg(0, self.ACK, b"")

    def seg(self, d, flags, payload, dt=0.01):
        (src, sp), (dst, dp) = self.ends[d], self.ends[1 - d]
        ack = self.seq[1 - d] if flags & self.ACK or flags == self.FIN else 0
        self.p.add(src, dst, 6, tcp_segment(src, dst, sp, dp, self.seq[d], ack, flags, payload), dt)

    def send(self, d, payload, dt=0.01):
        self.seg(d, self.ACK | self.PSH, payload, dt)
        self.seq[d] += len(payload)

    def close(self):
        self.seg(0, self.FIN | self.ACK, b"")
        self.seq[0] += 1
        self.seg(1, self.FIN | self.ACK, b"")
        self.seq[1] += 1
        self.seg(0, self.ACK, b"")


# --- SMPP v3.4 ---

SUBMIT_SM, DELIVER_SM, DATA_SM, SUBMIT_MULTI = 0x04, 0x05, 0x103, 0x21
BIND_TRX, ENQUIRE_LINK, UNBIND, GENERIC_NACK, RESP = 0x09, 0x15, 0x06, 0x80000000, 0x80000000


def pdu(cmd, status, seq, body=b""):
    return struct.pack(">IIII", 16 + len(body), cmd, status, seq) + body


def cstr(s):
    return s.encode() + b"\0"


def tlv(tag, value):
    return struct.pack(">HH", tag, len(value)) + value


def sm_tail(text, esm=0, tlvs=b""):
    """esm_class, protocol_id, priority, schedule, validity, registered_delivery,
    replace_if_present, data_coding, sm_default_msg_id, sm_length, short_message, TLVs"""
    t = text.encode()
    return bytes([esm, 0, 0]) + cstr("") + cstr("") + bytes([1, 0, 0, 0, len(t)]) + t + tlvs


def submit_sm(seq, src, dst, text, esm=0, tlvs=b"", cmd=SUBMIT_SM):
    (ston, saddr), (dton, daddr) = src, dst
    body = cstr("") + bytes([ston, 1]) + cstr(saddr) + bytes([dton, 1]) + cstr(daddr)
    return pdu(cmd, 0, seq, body + sm_tail(text, esm, tlvs))


def data_sm(seq, src, dst, payload_text):
    (ston, saddr), (dton, daddr) = src, dst
    body = cstr("") + bytes([ston, 1]) + cstr(saddr) + bytes([dton, 1]) + cstr(daddr)
    body += bytes([0, 1, 0]) + tlv(0x0424, payload_text.encode())
    return pdu(DATA_SM, 0, seq, body)


def submit_multi(seq, src, dests, text):
    ston, saddr = src
    body = cstr("") + bytes([ston, 1]) + cstr(saddr) + bytes([len(dests)])
    for d in dests:
        if isinstance(d, str):
            body += b"\x02" + cstr(d)
        else:
            body += b"\x01" + bytes([d[0], 1]) + cstr(d[1])
    return pdu(SUBMIT_MULTI, 0, seq, body + sm_tail(text))


def resp(cmd, seq, status=0, msgid=None, extra=b""):
    body = b"" if msgid is None else cstr(msgid) + extra
    return pdu(cmd | RESP, status, seq, body)


def bind_trx(seq):
    body = cstr("esme01") + cstr("secret1") + cstr("") + bytes([0x34, 0, 0]) + cstr("")
    return pdu(BIND_TRX, 0, seq, body)


INTL, NATIONAL, UNKNOWN, ALNUM = 1, 2, 0, 5
ESME, SMSC = "192.0.2.10", "198.51.100.20"


def make_smpp():
    p = Pcap(1700000000.0)
    s = Tcp(p, ESME, 40000, SMSC, 2775)
    s.send(0, bind_trx(1))
    s.send(1, resp(BIND_TRX, 1, msgid="smsc01"))
    # submit_sm, accepted
    s.send(0, submit_sm(2, (INTL, "15550001111"), (INTL, "15550002222"), "CANARY-SMPP-SUBMIT-1 hello"))
    s.send(1, resp(SUBMIT_SM, 2, msgid="msg-0001"))
    # two PDUs in one segment each way; the submit is refused (no body on error, v3.4 4.4.2)
    s.send(0, submit_sm(3, (ALNUM, "MyBank"), (NATIONAL, "5550003333"), "CANARY-SMPP-ALNUM-2")
           + pdu(ENQUIRE_LINK, 0, 4))
    s.send(1, resp(SUBMIT_SM, 3, status=0x45) + resp(ENQUIRE_LINK, 4))
    # data_sm with the text in message_payload, one PDU over three segments
    d = data_sm(5, (INTL, "15550001111"), (INTL, "15550004444"), "CANARY-SMPP-PAYLOAD-3 " + "x" * 300)
    s.send(0, d[:30])
    s.send(0, d[30:200])
    s.send(0, d[200:])
    s.send(1, resp(DATA_SM, 5, msgid="msg-0005"))
    # submit_multi: two numbers and a distribution list; one number refused
    s.send(0, submit_multi(6, (INTL, "15550001111"),
                           [(INTL, "15550005555"), (INTL, "15550006666"), "friends"], "CANARY-SMPP-MULTI-4"))
    unsuccess = bytes([1]) + bytes([INTL, 1]) + cstr("15550006666") + struct.pack(">I", 0x0B)
    s.send(1, resp(SUBMIT_MULTI, 6, msgid="msg-0006", extra=unsuccess))
    # deliver_sm from the SMSC: a mobile-originated message to a short code
    s.send(1, submit_sm(100, (INTL, "15550007777"), (UNKNOWN, "12345"), "CANARY-SMPP-MO-5", cmd=DELIVER_SM))
    s.send(0, resp(DELIVER_SM, 100, msgid=""))
    # a delivery receipt for msg-0001 (its text quotes the message: never read)
    receipt = ("id:msg-0001 sub:001 dlvrd:001 submit date:2311141000 done date:2311141001 "
               "stat:DELIVRD err:000 text:CANARY-SMPP-RECEIPT-6")
    s.send(1, submit_sm(101, (INTL, "15550002222"), (INTL, "15550001111"), receipt, esm=0x04,
                        tlvs=tlv(0x001E, cstr("msg-0001")) + tlv(0x0427, b"\x02"), cmd=DELIVER_SM))
    s.send(0, resp(DELIVER_SM, 101, msgid=""))
    # refused by a generic_nack
    s.send(0, submit_sm(8, (INTL, "15550001111"), (INTL, "15550009999"), "CANARY-SMPP-NACK-7"))
    s.send(1, pdu(GENERIC_NACK, 0x03, 8))
    # never answered: recorded without an outcome when the flow ends
    s.send(0, submit_sm(7, (INTL, "15550001111"), (INTL, "15550008888"), "CANARY-SMPP-NOREPLY-8"))
    s.send(0, pdu(UNBIND, 0, 9))
    s.send(1, resp(UNBIND, 9))
    s.close()
    return p


# --- SMS over IP: RP (TS 24.011) and TP (TS 23.040) ---

def bcd(digits):
    if len(digits) % 2:
        digits += "F"
    return bytes(int(digits[i + 1], 16) << 4 | int(digits[i], 16) for i in range(0, len(digits), 2))


def gsm7_pack(text):
    bits, n, out = 0, 0, bytearray()
    for ch in text.encode("ascii"):  # ASCII letters, digits and '-' map to themselves
        bits |= ch << n
        n += 7
        while n >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            n -= 8
    if n:
        out.append(bits & 0xFF)
    return bytes(out)


def tp_addr(digits, toa=0x91):
    return bytes([len(digits), toa]) + bcd(digits)


def rp_addr(digits, toa=0x91):
    b = bytes([toa]) + bcd(digits)
    return bytes([len(b)]) + b


SCTS = bytes([0x32, 0x11, 0x41, 0x01, 0x00, 0x00, 0x00])


def sms_submit(mr, da, text):
    return bytes([0x01, mr]) + tp_addr(da) + bytes([0, 0, len(text)]) + gsm7_pack(text)


def sms_deliver(oa, text):
    return bytes([0x04]) + tp_addr(oa) + bytes([0, 0]) + SCTS + bytes([len(text)]) + gsm7_pack(text)


def sms_status_report(mr, ra):
    return bytes([0x06, mr]) + tp_addr(ra) + SCTS + SCTS + bytes([0x00])


def rp_data_mo(ref, smsc, tpdu):
    return bytes([0x00, ref, 0x00]) + rp_addr(smsc) + bytes([len(tpdu)]) + tpdu


def rp_data_mt(ref, smsc, tpdu):
    return bytes([0x01, ref]) + rp_addr(smsc) + bytes([0x00, len(tpdu)]) + tpdu


def rp_ack(mti, ref):
    return bytes([mti, ref])


UE, PCSCF = "192.0.2.50", "198.51.100.60"
IMS = "ims.example.net"


def sip_req(method, ruri, frm, to, callid, cseq, ctype=None, body=b"", extra=""):
    head = (f"{method} {ruri} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {UE}:5060;branch=z9hG4bK{callid}{cseq}\r\n"
            f"Max-Forwards: 70\r\n"
            f"From: {frm};tag=f{cseq}\r\n"
            f"To: {to}\r\n"
            f"Call-ID: {callid}\r\n"
            f"CSeq: {cseq} {method}\r\n"
            f"{extra}")
    if ctype:
        head += f"Content-Type: {ctype}\r\n"
    head += f"Content-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def sip_resp(status, reason, frm, to, callid, cseq, method="MESSAGE", ctype=None, body=b""):
    head = (f"SIP/2.0 {status} {reason}\r\n"
            f"Via: SIP/2.0/UDP {UE}:5060;branch=z9hG4bK{callid}{cseq}\r\n"
            f"From: {frm};tag=f{cseq}\r\n"
            f"To: {to};tag=t{cseq}\r\n"
            f"Call-ID: {callid}\r\n"
            f"CSeq: {cseq} {method}\r\n")
    if ctype:
        head += f"Content-Type: {ctype}\r\n"
    head += f"Content-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


SMS_CT = "application/vnd.3gpp.sms"


def make_sip_message():
    p = Pcap(1700000100.0)
    up = lambda b, dt=0.01: p.udp(UE, 5060, PCSCF, 5060, b, dt)
    down = lambda b, dt=0.01: p.udp(PCSCF, 5060, UE, 5060, b, dt)
    me, smsc = f"<sip:+15550001234@{IMS}>", f"<sip:+15550000100@{IMS}>"
    pai_me = f"P-Asserted-Identity: {me}\r\n"
    pai_sc = f"P-Asserted-Identity: {smsc}\r\n"
    # MO: RP-DATA with SMS-SUBMIT; the SMSC's RP-ACK comes back in its own MESSAGE
    mo = rp_data_mo(5, "15550000100", sms_submit(7, "15550005678", "CANARY-SIP-MO-1"))
    up(sip_req("MESSAGE", "tel:+15550000100", me, "<tel:+15550000100>", "mo1", 1, SMS_CT, mo, pai_me))
    down(sip_resp(202, "Accepted", me, "<tel:+15550000100>", "mo1", 1))
    down(sip_req("MESSAGE", f"sip:+15550001234@{UE}", smsc, "<tel:+15550001234>", "ack1", 1, SMS_CT,
                 rp_ack(3, 5), pai_sc))
    up(sip_resp(200, "OK", smsc, "<tel:+15550001234>", "ack1", 1))
    # MT: RP-DATA with SMS-DELIVER; the UE acknowledges with RP-ACK in its own MESSAGE
    mt = rp_data_mt(9, "15550000100", sms_deliver("15550004321", "CANARY-SIP-MT-2"))
    down(sip_req("MESSAGE", f"sip:+15550001234@{UE}", smsc, "<tel:+15550001234>", "mt1", 1, SMS_CT, mt, pai_sc))
    up(sip_resp(200, "OK", smsc, "<tel:+15550001234>", "mt1", 1))
    up(sip_req("MESSAGE", "tel:+15550000100", me, "<tel:+15550000100>", "ack2", 1, SMS_CT, rp_ack(2, 9), pai_me))
    down(sip_resp(202, "Accepted", me, "<tel:+15550000100>", "ack2", 1))
    # MT status report for the MO message
    sr = rp_data_mt(10, "15550000100", sms_status_report(7, "15550005678"))
    down(sip_req("MESSAGE", f"sip:+15550001234@{UE}", smsc, "<tel:+15550001234>", "sr1", 1, SMS_CT, sr, pai_sc))
    up(sip_resp(200, "OK", smsc, "<tel:+15550001234>", "sr1", 1))
    # a plain text message, retransmitted (and its 200 too): one message
    alice, bob = "<sip:alice@example.org>", "<sip:bob@example.net>"
    txt = sip_req("MESSAGE", "sip:bob@example.net", alice, bob, "txt1", 1, "text/plain",
                  b"CANARY-SIP-TEXT-3 see you at noon")
    up(txt)
    up(txt, 0.5)
    down(sip_resp(200, "OK", alice, bob, "txt1", 1))
    down(sip_resp(200, "OK", alice, bob, "txt1", 1))
    # challenged, then retried with credentials: one message
    up(sip_req("MESSAGE", "sip:bob@example.net", alice, bob, "auth1", 1, "text/plain", b"CANARY-SIP-AUTH-4"))
    down(sip_resp(407, "Proxy Authentication Required", alice, bob, "auth1", 1))
    up(sip_req("MESSAGE", "sip:bob@example.net", alice, bob, "auth1", 2, "text/plain", b"CANARY-SIP-AUTH-4",
               'Proxy-Authorization: Digest username="alice", realm="example.org", nonce="n1", '
               'uri="sip:bob@example.net", response="00000000000000000000000000000000"\r\n'))
    down(sip_resp(202, "Accepted", alice, bob, "auth1", 2))
    # refused
    carol = "<sip:carol@example.net>"
    up(sip_req("MESSAGE", "sip:carol@example.net", alice, carol, "fail1", 1, "text/plain", b"CANARY-SIP-FAIL-5"))
    down(sip_resp(404, "Not Found", alice, carol, "fail1", 1))
    # a typing indicator is no message
    comp = (b'<?xml version="1.0" encoding="UTF-8"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">'
            b"<state>active</state></isComposing>")
    up(sip_req("MESSAGE", "sip:bob@example.net", alice, bob, "comp1", 1, "application/im-iscomposing+xml", comp))
    down(sip_resp(200, "OK", alice, bob, "comp1", 1))
    # never answered: recorded without an outcome at the end
    up(sip_req("MESSAGE", "sip:bob@example.net", alice, bob, "lost1", 1, "text/plain", b"CANARY-SIP-LOST-6"))
    return p


# --- look-alikes on the SMPP port ---

def make_lookalike():
    rnd = random.Random(2775)
    p = Pcap(1700000200.0)
    client, server = "192.0.2.30", "198.51.100.40"
    port = 41000

    def flow(*payloads):
        nonlocal port
        port += 1
        t = Tcp(p, client, port, server, 2775)
        for d, b in payloads:
            t.send(d, b)
        t.close()

    for _ in range(6):  # random binary both ways
        flow(*[(i % 2, bytes(rnd.getrandbits(8) for _ in range(rnd.randint(16, 400)))) for i in range(4)])
    flow((0, b"GET / HTTP/1.1\r\nHost: smsc.example\r\n\r\n"))
    flow((0, bytes.fromhex("16030100a5010000a10303") + bytes(rnd.getrandbits(8) for _ in range(160))))
    text_sm = submit_sm(2, (INTL, "15550001111"), (INTL, "15550002222"), "CANARY-LOOKALIKE-1")
    # near misses of a first PDU, each with the text of a message after it: a request with
    # a status, an unknown command, a length below the header, an enquire_link with a body,
    # a submit_sm whose strings never end, a huge length
    junk = text_sm[16:]
    flow((0, pdu(ENQUIRE_LINK, 1, 1) + junk))
    flow((0, pdu(0x00000077, 0, 1, b"\0" * 8) + junk))
    flow((0, struct.pack(">IIII", 12, SUBMIT_SM, 0, 1) + junk))
    flow((0, pdu(ENQUIRE_LINK, 0, 1, b"\0\0\0\0") + junk))
    flow((0, pdu(SUBMIT_SM, 0, 1, b"\x01" * 60) + junk))
    flow((0, struct.pack(">IIII", 0x00100000, SUBMIT_SM, 0, 1) + junk))
    # a sane start, then garbage where PDUs should be: the framing is lost, nothing recorded
    flow((0, pdu(ENQUIRE_LINK, 0, 1)), (1, resp(ENQUIRE_LINK, 1)),
         (0, bytes(rnd.getrandbits(8) for _ in range(64)) + text_sm[4:]))
    # SMPP is TCP: the same PDU in a UDP datagram is not looked at
    p.udp(client, 41999, server, 2775, text_sm)
    return p


def main():
    for case, make in (("synthetic_smpp", make_smpp), ("synthetic_sip_message", make_sip_message),
                       ("lookalike_2775", make_lookalike)):
        d = os.path.join(HERE, case)
        os.makedirs(d, exist_ok=True)
        make().write(os.path.join(d, "capture.pcap"))
        print("wrote", os.path.join(d, "capture.pcap"))


if __name__ == "__main__":
    main()
