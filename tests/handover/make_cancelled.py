#!/usr/bin/env python3
"""A SIP call cancelled before it was answered (INVITE, 100, 180, CANCEL, 200, 487, ACK)
between +15550000001 at 192.0.2.1 and +15550000002 at 198.51.100.2, over UDP 5060, for
the handover's tshark test: no captured golden case has a cancelled call. Deterministic.

Usage: make_cancelled.py OUT.pcap
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from gen_sip_calls import frame  # noqa: E402

T0 = 1700000000
A, B = [192, 0, 2, 1], [198, 51, 100, 2]
HEAD = ("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKcancel1\r\n"
        "From: <sip:+15550000001@ims.example>;tag=a1\r\n"
        "To: <sip:+15550000002@ims.example>{to_tag}\r\n"
        "Call-ID: cancelled-1@ims.example\r\n"
        "CSeq: 1 {method}\r\n")


def msg(first, method, to_tag=""):
    return (first + "\r\n" + HEAD.format(to_tag=to_tag, method=method) +
            "Contact: <sip:+15550000001@192.0.2.1:5060>\r\nContent-Length: 0\r\n\r\n").encode()


def main():
    ruri = "sip:+15550000002@ims.example"
    steps = [
        (0.00, A, B, msg(f"INVITE {ruri} SIP/2.0", "INVITE")),
        (0.05, B, A, msg("SIP/2.0 100 Trying", "INVITE")),
        (0.30, B, A, msg("SIP/2.0 180 Ringing", "INVITE", ";tag=b1")),
        (4.00, A, B, msg(f"CANCEL {ruri} SIP/2.0", "CANCEL")),
        (4.05, B, A, msg("SIP/2.0 200 OK", "CANCEL", ";tag=b1")),
        (4.06, B, A, msg("SIP/2.0 487 Request Terminated", "INVITE", ";tag=b1")),
        (4.10, A, B, msg(f"ACK {ruri} SIP/2.0", "ACK", ";tag=b1")),
    ]
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, (t, src, dst, payload) in enumerate(steps):
            pkt = frame(src, dst, payload, i + 1)
            sec, usec = T0 + int(t), int(round((t % 1) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(pkt), len(pkt)) + pkt)


if __name__ == "__main__":
    main()
