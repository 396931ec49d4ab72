#!/usr/bin/env python3
"""make_attacks.py — captures for the resource-bound tests (issue 3, item 5): the bundled
sample (a target's SIP call over TCP, samples/sample.pcap) with an attack mixed in, its
packets spread evenly between the sample's frames in time:

  flows.pcap   a flood of new UDP and TCP flows (one packet each, every one a new
               5-tuple), more than the flow table holds under the test's cap
  flows_first.pcap  the same flood, all of it before the call: the table is full when
               the target's call begins
  frags.pcap   first fragments of IPv4 datagrams that never complete, more than the
               fragment pool and byte budget hold
  gaps.pcap    TCP connections that look like SIP (an INVITE's first line) and then send
               single bytes every 4 KiB up to 60000 bytes ahead, around a gap that never
               fills: each makes its stream's buffer grow to the per-stream cap (64 KiB)
               and touches every page of it, for 15 bytes
  states.pcap  TCP connections that each open with an SMPP bind: every one takes
               the SMPP dissector's per-flow state (17 KiB), more than the state budget
  tls_hello.pcap  20,000 TCP connections that each send one TLS record of 1200 bytes
               starting a ClientHello that announces 16,000 bytes, and never the rest:
               each makes the TLS dissector keep the start while it waits (a gathering
               buffer of 32 KiB, proto/gather.h)
  quic_initial.pcap  20,000 QUIC connections that each send one client Initial (v1,
               protected with the keys of its DCID, as RFC 9001 says) whose CRYPTO frame
               starts a ClientHello announcing 16,000 bytes, and never the rest (a
               gathering buffer of 16 KiB each)
  all.pcap     flows, frags, gaps and states together

Usage: make_attacks.py OUTDIR SAMPLE_PCAP [SCALE]   (SCALE multiplies the attack sizes)
"""
import hashlib
import hmac
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import TCP_SYN, ether, ipv4, pcap, read_pcap, tcp4_frame, udp4_frame  # noqa: E402

OUT, SAMPLE = sys.argv[1], sys.argv[2]
SCALE = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
os.makedirs(OUT, exist_ok=True)
sample = read_pcap(open(SAMPLE, "rb").read())

N_FLOWS = int(100000 * SCALE)
N_FRAGS = int(4000 * SCALE)
N_GAPS = int(3000 * SCALE)
N_STATES = int(3000 * SCALE)
N_HELLOS = int(20000 * SCALE)
HELLO_ANNOUNCED = 16000  # the ClientHello's declared length; only its start is sent


def addr(i, net=198):
    """A distinct source address per i, from 198.18.0.0/15 (RFC 2544 benchmarking)."""
    return "%d.%d.%d.%d" % (net, 18 + (i >> 16 & 1), i >> 8 & 255, i & 255)


def flood_flows():
    for i in range(N_FLOWS):
        if i % 4 == 3:  # a quarter are TCP SYNs
            yield tcp4_frame(addr(i), "203.0.113.9", 1024 + i % 60000, 443, 1000, flags=TCP_SYN)
        else:
            yield udp4_frame(addr(i), "203.0.113.9", 1024 + i % 60000, 53 + i % 7, b"\0" * 20)


def flood_frags():
    data = b"F" * 1400  # a whole number of 8-octet units... plus MF: never the last
    for i in range(N_FRAGS):
        yield ether(ipv4(addr(i, 198), "203.0.113.10", 17, data[:1392], ident=i & 0xFFFF, flags_frag=0x2000))


def flood_gaps():
    first = b"INVITE sip:x@example.net SIP/2.0\r\nVia: SIP/2.0/TCP 198.18.0.1\r\n"
    for i in range(N_GAPS):
        src, sport = addr(i, 198), 20000 + i % 40000
        yield tcp4_frame(src, "203.0.113.11", sport, 5060, 5000, flags=TCP_SYN)
        yield tcp4_frame(src, "203.0.113.11", sport, 5060, 5001, first)
        for k in list(range(1, 15)) + [60000 // 4096]:
            yield tcp4_frame(src, "203.0.113.11", sport, 5060, 5001 + len(first) + k * 4096, b"x")


def flood_states():
    body = b"esme\0secret\0\0" + bytes([0x34, 1, 1]) + b"\0"  # system_id, password, type, version, ton, npi, range
    for i in range(N_STATES):
        src, sport = addr(i, 198), 30000 + i % 30000
        pdu = struct.pack(">IIII", 16 + len(body), 0x00000002, 0, i + 1) + body  # bind_transmitter
        yield tcp4_frame(src, "203.0.113.12", sport, 2775, 7000, flags=TCP_SYN)
        yield tcp4_frame(src, "203.0.113.12", sport, 2775, 7001, pdu)


def hello_start(n):
    """n bytes: a ClientHello's handshake header announcing HELLO_ANNOUNCED bytes, then
    the start of its body (version, random, the rest zeros)."""
    head = bytes([1]) + HELLO_ANNOUNCED.to_bytes(3, "big") + b"\x03\x03" + bytes(range(32))
    return (head + bytes(n))[:n]


def flood_tls_hellos():
    record = bytes([22, 3, 1]) + struct.pack(">H", 1200) + hello_start(1200)
    for i in range(N_HELLOS):
        src, sport = addr(i, 198), 10000 + i % 50000
        yield tcp4_frame(src, "203.0.113.13", sport, 443, 9000, flags=TCP_SYN)
        yield tcp4_frame(src, "203.0.113.13", sport, 443, 9001, record)


# QUIC v1 Initial protection (RFC 9001 section 5): keys from the client's DCID.
QUIC_V1_SALT = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")


def hkdf_expand_label(secret, label, length):
    """RFC 8446 7.1 with an empty context; one HMAC block is enough for <= 32 bytes."""
    full = b"tls13 " + label
    info = struct.pack(">HB", length, len(full)) + full + b"\x00"
    return hmac.new(secret, info + b"\x01", hashlib.sha256).digest()[:length]


def quic_initial(dcid, crypto):
    """A client Initial (packet number 0, 1 byte) with one CRYPTO frame at offset 0,
    padded to 1200 bytes, protected as RFC 9001 5.3 and 5.4 say."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    initial = hmac.new(QUIC_V1_SALT, dcid, hashlib.sha256).digest()
    client = hkdf_expand_label(initial, b"client in", 32)
    key, iv, hp = (hkdf_expand_label(client, b"quic key", 16), hkdf_expand_label(client, b"quic iv", 12),
                   hkdf_expand_label(client, b"quic hp", 16))
    frame = bytes([6, 0]) + struct.pack(">H", 0x4000 | len(crypto)) + crypto
    head_len = 1 + 4 + 1 + len(dcid) + 1 + 1 + 2 + 1
    plain = frame + bytes(max(0, 1200 - head_len - 16 - len(frame)))  # PADDING frames
    header = bytes([0xc0]) + struct.pack(">I", 1) + bytes([len(dcid)]) + dcid + b"\x00\x00" + \
        struct.pack(">H", 0x4000 | (1 + len(plain) + 16)) + b"\x00"
    sealed = AESGCM(key).encrypt(iv, plain, header)  # packet number 0: the nonce is the IV
    pkt = bytearray(header + sealed)
    pn_off = len(header) - 1
    mask = Cipher(algorithms.AES(hp), modes.ECB()).encryptor().update(bytes(pkt[pn_off + 4:pn_off + 20]))
    pkt[0] ^= mask[0] & 0x0f
    pkt[pn_off] ^= mask[1]
    return bytes(pkt)


def flood_quic_initials():
    crypto = hello_start(1000)
    for i in range(N_HELLOS):
        dcid = struct.pack(">II", 0x51c0de00, i)
        yield udp4_frame(addr(i, 198), "203.0.113.14", 10000 + i % 50000, 443, quic_initial(dcid, crypto))


def mix(attacks):
    """The sample's frames with the attack frames spread between them in time."""
    # the attacks interleaved with each other too, so no kind comes all at once
    parts = [list(gen()) for gen in attacks]
    extra = [p[k] for k in range(max(len(p) for p in parts)) for p in parts if k < len(p)]
    out, per = [], len(extra) / max(1, len(sample) - 1)
    done = 0
    for i, (ts, frame) in enumerate(sample):
        if i > 0:
            upto = int(round(per * i))
            prev = sample[i - 1][0]
            n = upto - done
            for k in range(n):
                # strictly between the two sample frames' times
                t = prev + (ts - prev) * (k + 1) // (n + 1)
                out.append((t, extra[done + k]))
            done = upto
        out.append((ts, frame))
    return out


def before(attacks):
    """The attack frames, 10 us apart, all ending just before the sample's first frame."""
    extra = [f for gen in attacks for f in gen()]
    t0 = sample[0][0] - 10 * (len(extra) + 1)
    return [(t0 + 10 * k, f) for k, f in enumerate(extra)] + sample


with open(os.path.join(OUT, "flows_first.pcap"), "wb") as f:
    f.write(pcap(before([flood_flows])))
for name, attacks in (("flows", [flood_flows]), ("frags", [flood_frags]), ("gaps", [flood_gaps]),
                      ("states", [flood_states]), ("tls_hello", [flood_tls_hellos]),
                      ("quic_initial", [flood_quic_initials]),
                      ("all", [flood_flows, flood_frags, flood_gaps, flood_states])):
    frames = mix(attacks)
    with open(os.path.join(OUT, name + ".pcap"), "wb") as f:
        f.write(pcap(frames))
print("flows %d, fragments %d, gap connections %d, stateful connections %d, unfinished hellos %d (TLS) and %d (QUIC)"
      % (N_FLOWS, N_FRAGS, N_GAPS, N_STATES, N_HELLOS, N_HELLOS))
