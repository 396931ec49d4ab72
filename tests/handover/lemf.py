#!/usr/bin/env python3
"""A small LEMF for the handover tests: listens on loopback (an ephemeral port, written
to --port-file, so several test suites can run at once), takes ROSE Invokes of HI2's
sending-of-IRI one connection at a time, appends each one's argument (the IRIsContent)
to --out, and answers each with a ROSE ReturnResult only after the IRI is written: what
it acknowledged, it holds.

  --close-at-once K   the first K connections are closed as soon as they are accepted
  --cut-after N       once N IRI are held, the connection is cut: no more is read or
                      answered on it (what the sender had in flight is lost to it),
                      and the next connection goes on
  --tls CERT KEY CA   TLS, requiring a client certificate signed by CA
  --stop-after S      exits after S seconds without a connection (default 120)

It exits 1 on anything that is not an Invoke of sending-of-IRI with a whole BER
IRIsContent as its argument.
"""
import argparse
import socket
import ssl
import sys
import time

SENDING_OF_IRI = bytes([0x06, 0x07, 0x04, 0x00, 0x02, 0x02, 0x01, 0x01, 0x01])  # {0 4 0 2 2 1 1 1}


def read_tlv(buf, at):
    """(tag byte, value start, end) of the element at buf[at:], or None when cut."""
    if at + 2 > len(buf):
        return None
    tag = buf[at]
    if tag & 0x1f == 0x1f:
        raise ValueError("high tag number where the LEMF expects none")
    first = buf[at + 1]
    pos = at + 2
    if first == 0x80:
        raise ValueError("indefinite length")
    if first & 0x80:
        n = first & 0x7f
        if n == 0 or n > 4:
            raise ValueError("bad length octets")
        if pos + n > len(buf):
            return None
        length = int.from_bytes(buf[pos:pos + n], "big")
        pos += n
    else:
        length = first
    if pos + length > len(buf):
        return None
    return tag, pos, pos + length


def parse_invoke(buf):
    """(invokeId, argument bytes, bytes used), or None when buf holds no whole PDU yet."""
    t = read_tlv(buf, 0)
    if t is None:
        return None
    tag, start, end = t
    if tag != 0xA1:
        raise ValueError(f"not a ROSE Invoke: tag {tag:#x}")
    i = read_tlv(buf, start)
    if i is None or buf[start] != 0x02:
        raise ValueError("Invoke without an invokeId")
    _, istart, iend = i
    invoke_id = int.from_bytes(buf[istart:iend], "big", signed=True)
    if buf[iend:iend + len(SENDING_OF_IRI)] != SENDING_OF_IRI:
        raise ValueError("Invoke of another operation than sending-of-IRI")
    arg_at = iend + len(SENDING_OF_IRI)
    a = read_tlv(buf, arg_at)
    if a is None or a[2] != end or buf[arg_at] != 0xA0:
        raise ValueError("the argument is not one whole IRIsContent")
    return invoke_id, bytes(buf[arg_at:end]), end


def result(invoke_id):
    body = invoke_id.to_bytes((invoke_id.bit_length() + 8) // 8 or 1, "big", signed=True)
    inner = bytes([0x02, len(body)]) + body
    return bytes([0xA2, len(inner)]) + inner


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--close-at-once", type=int, default=0)
    ap.add_argument("--cut-after", type=int, default=0)
    ap.add_argument("--tls", nargs=3, metavar=("CERT", "KEY", "CA"))
    ap.add_argument("--stop-after", type=float, default=120)
    a = ap.parse_args()

    ctx = None
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        ctx.load_verify_locations(a.tls[2])
        ctx.verify_mode = ssl.CERT_REQUIRED
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(a.stop_after)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    import os
    os.rename(a.port_file + ".tmp", a.port_file)

    held = 0
    cut_done = False
    closes_left = a.close_at_once
    out = open(a.out, "ab")
    while True:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            return 0
        if closes_left > 0:
            closes_left -= 1
            conn.close()
            print(f"lemf: closed a connection at once", file=sys.stderr)
            continue
        if ctx:
            try:
                conn = ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as e:
                print(f"lemf: TLS refused: {e}", file=sys.stderr)
                conn.close()
                continue
        conn.settimeout(a.stop_after)
        buf = bytearray()
        cut = False
        while not cut:
            try:
                data = conn.recv(65536)
            except (socket.timeout, OSError):
                break
            if not data:
                break
            buf += data
            while True:
                try:
                    p = parse_invoke(buf)
                except ValueError as e:
                    print(f"lemf: {e}", file=sys.stderr)
                    return 1
                if p is None:
                    break
                invoke_id, arg, used = p
                del buf[:used]
                if a.cut_after and not cut_done and held == a.cut_after:
                    cut = cut_done = True  # this IRI and what follows are not taken
                    break
                out.write(arg)
                out.flush()
                held += 1
                conn.sendall(result(invoke_id))
        if cut:
            # the answers sent go out first (FIN after them), then the rest is dropped
            # (FIN after them); what the sender still sends is read and dropped until it
            # closes, so no reset can overtake the answers
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(5)
            deadline = time.monotonic() + 5
            try:
                while time.monotonic() < deadline and conn.recv(65536):
                    pass
            except OSError:
                pass
            print(f"lemf: cut the connection after {held} IRI", file=sys.stderr)
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
