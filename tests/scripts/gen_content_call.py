#!/usr/bin/env python3
"""A synthetic SIP call full of content a pen register must never keep (test_content.sh):
an INVITE and its 200 with SDP bodies, digits dialled before the answer (SIP INFO, which
is addressing and may be kept), then after the answer digits as SIP INFO DTMF bodies
(application/dtmf-relay and application/dtmf) and as RFC 4733 telephone-events on the
media stream, a SIP MESSAGE with a text body, and the BYE. Every piece of content carries
a marker the test searches for; the post-answer digits spell 90210733.

Caller +15550001111 at 192.0.2.10, callee +15550002222 at 198.51.100.20.
Usage: gen_content_call.py OUT.pcap
"""
import struct
import sys

T0 = 1700000000
A, B = [192, 0, 2, 10], [198, 51, 100, 20]
POST_ANSWER_DIGITS = "90210733"
PRE_ANSWER_DIGITS = "4455"
SDP_A = ("v=0\r\no=SDPMARKER-ALICE 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=SDPMARKER-SESSION\r\n"
         "c=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n")
SDP_B = ("v=0\r\no=SDPMARKER-BOB 2808844564 2808844564 IN IP4 198.51.100.20\r\ns=SDPMARKER-SESSION\r\n"
         "c=IN IP4 198.51.100.20\r\nt=0 0\r\nm=audio 3456 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
         "a=rtpmap:101 telephone-event/8000\r\n")
TEXT = "TEXTMARKER meet me at the old mill at four"


def csum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def frame(src, dst, sport, dport, payload, ident):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ident, 0, 64, 17, 0, bytes(src), bytes(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + hdr + udp


def sip(start, cseq, method, body=b"", ctype=None, to_tag=True, reverse=False):
    frm = "<sip:+15550001111@example.net>;tag=alice1"
    to = "<sip:+15550002222@example.org>" + (";tag=bob1" if to_tag else "")
    lines = [start, "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK%d%s" % (cseq, method),
             "From: " + frm, "To: " + to, "Call-ID: content-call-1@192.0.2.10", "CSeq: %d %s" % (cseq, method)]
    if ctype:
        lines.append("Content-Type: " + ctype)
    lines += ["Content-Length: %d" % len(body), "", ""]
    return "\r\n".join(lines).encode() + body


def rtp_event(seq, ts, digit, end):
    """RFC 4733 telephone-event, payload type 101."""
    hdr = struct.pack("!BBHII", 0x80, 101 | (0x80 if seq == 0 else 0), seq, ts, 0x11223344)
    return hdr + struct.pack("!BBH", digit, (0x80 if end else 0) | 10, 800 if end else 400)


def main():
    ruri = "sip:+15550002222@example.org"
    pkts = []  # (offset_ms, src, dst, sport, dport, payload)
    t = 0
    def add(src, dst, payload, sport=5060, dport=5060, dt=20):
        nonlocal t
        t += dt
        pkts.append((t, src, dst, sport, dport, payload))
    add(A, B, sip("INVITE %s SIP/2.0" % ruri, 1, "INVITE", SDP_A.encode(), "application/sdp", to_tag=False))
    add(B, A, sip("SIP/2.0 180 Ringing", 1, "INVITE"))
    cseq = 2
    for d in PRE_ANSWER_DIGITS:  # overlap dialling before the answer: addressing
        add(A, B, sip("INFO %s SIP/2.0" % ruri, cseq, "INFO", ("Signal=%s\r\nDuration=160\r\n" % d).encode(),
                      "application/dtmf-relay"))
        cseq += 1
    add(B, A, sip("SIP/2.0 200 OK", 1, "INVITE", SDP_B.encode(), "application/sdp"), dt=500)
    add(A, B, sip("ACK %s SIP/2.0" % ruri, 1, "ACK"))
    for i, d in enumerate(POST_ANSWER_DIGITS):  # after the answer: content, never kept
        if i % 2:
            body, ct = ("Signal=%s\r\nDuration=160\r\n" % d).encode(), "application/dtmf-relay"
        else:
            body, ct = ("%s\r\n" % d).encode(), "application/dtmf"
        add(A, B, sip("INFO %s SIP/2.0" % ruri, cseq, "INFO", body, ct), dt=300)
        add(B, A, sip("SIP/2.0 200 OK", cseq, "INFO"))
        cseq += 1
        for k in range(3):  # the same digit as RFC 4733 events on the media stream
            add(A, B, rtp_event(i * 3 + k, 8000 * i, int(d), k == 2), 49170, 3456, dt=50)
    add(A, B, sip("MESSAGE %s SIP/2.0" % ruri, cseq, "MESSAGE", TEXT.encode(), "text/plain;charset=UTF-8"))
    add(B, A, sip("SIP/2.0 200 OK", cseq, "MESSAGE"))
    cseq += 1
    add(A, B, sip("BYE %s SIP/2.0" % ruri, cseq, "BYE"), dt=2000)
    add(B, A, sip("SIP/2.0 200 OK", cseq, "BYE"))
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for n, (ms, src, dst, sp, dp, payload) in enumerate(pkts):
            data = frame(src, dst, sp, dp, payload, n + 1)
            f.write(struct.pack("<IIII", T0 + ms // 1000, (ms % 1000) * 1000, len(data), len(data)))
            f.write(data)


if __name__ == "__main__":
    main()
