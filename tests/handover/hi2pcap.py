#!/usr/bin/env python3
"""Back-to-back BER PDUs (what `pentrap deliver -o FILE` writes) as a pcap tshark reads
with the HI2Operations dissector: link type 252 (Wireshark's exported PDU), each frame
beginning with the tag that names the dissector (EXP_PDU_TAG_PROTO_NAME = 12,
"HI2Operations"), then the end-of-options tag, then one PDU.

The split trusts nothing: a PDU must be one whole BER element with a definite length;
anything else (trailing bytes, a cut length, the indefinite form) is an error.

Usage: hi2pcap.py IN.ber OUT.pcap          exit 1 when IN is not whole PDUs
"""
import struct
import sys

LINKTYPE_WIRESHARK_UPPER_PDU = 252
EXP_PDU_TAG_PROTO_NAME = 12


def split_pdus(data):
    """The whole BER elements of data, in order; ValueError on anything else."""
    pdus, at = [], 0
    while at < len(data):
        start = at
        ident = data[at]
        at += 1
        if ident & 0x1f == 0x1f:
            while at < len(data) and data[at] & 0x80:
                at += 1
            at += 1
        if at >= len(data):
            raise ValueError(f"PDU at byte {start}: cut in its identifier or length")
        first = data[at]
        at += 1
        if first == 0x80:
            raise ValueError(f"PDU at byte {start}: indefinite length")
        if first & 0x80:
            n = first & 0x7f
            if n == 0 or n > 4 or at + n > len(data):
                raise ValueError(f"PDU at byte {start}: bad length octets")
            length = int.from_bytes(data[at:at + n], "big")
            at += n
        else:
            length = first
        if at + length > len(data):
            raise ValueError(f"PDU at byte {start}: {length} content bytes, {len(data) - at} left")
        at += length
        pdus.append(data[start:at])
    return pdus


def exported_pdu_header(name):
    value = name.encode() + b"\0"
    value += b"\0" * (-len(value) % 4)
    return struct.pack("!HH", EXP_PDU_TAG_PROTO_NAME, len(value)) + value + struct.pack("!HH", 0, 0)


def write_pcap(pdus, path, name="HI2Operations"):
    head = exported_pdu_header(name)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, LINKTYPE_WIRESHARK_UPPER_PDU))
        for i, pdu in enumerate(pdus):
            frame = head + pdu
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(frame), len(frame)))
            f.write(frame)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data = open(sys.argv[1], "rb").read()
    try:
        pdus = split_pdus(data)
    except ValueError as e:
        print(f"{sys.argv[1]}: {e}", file=sys.stderr)
        sys.exit(1)
    write_pcap(pdus, sys.argv[2])
    print(f"{len(pdus)} PDUs")


if __name__ == "__main__":
    main()
