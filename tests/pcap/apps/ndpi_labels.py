#!/usr/bin/env python3
"""ndpi_labels.py RESULT.out > LABELS.tsv: the per-flow labels of one nDPI expected result
(nDPI's tests/cfgs/default/result/*.out, as copied to ../shared/pcaps/*/result/), one line a
flow: transport, client address and port, server address and port, nDPI's label.

nDPI prints a flow as "PROTO A:pa <-> B:pb [proto: ID/Label]...". Which side is the client
(the device whose app it is): the only private side (RFC 1918, 100.64/10, link-local, ULA)
when one side is private and the other not; else the side whose port is 1024 or more when
the other's is below; else the side nDPI lists first (the one that sent first)."""
import ipaddress
import re
import sys

LINE = re.compile(r"^\s+\d+\s+(\S+)\s+(\S+):(\d+)\s+(?:<->|->|<-)\s+(\S+):(\d+)\s+(?:\[VLAN: \d+\])?\s*"
                  r"\[proto: (?:[A-Z]+:)?([^\]]+)\]")


def private(a):
    ip = ipaddress.ip_address(a.strip("[]"))
    return ip.is_private or ip in ipaddress.ip_network("100.64.0.0/10")


def main():
    print("#l4\tclient\tclient_port\tserver\tserver_port\tlabel")
    for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
        m = LINE.match(line)
        if not m:
            continue
        l4, a, pa, b, pb, proto = m.groups()
        label = proto.split("/", 1)[1] if "/" in proto else proto
        pa, pb = int(pa), int(pb)
        first = True
        if private(a) != private(b):
            first = private(a)
        elif (pa < 1024) != (pb < 1024):
            first = pb < 1024
        c, cp, s, sp = (a, pa, b, pb) if first else (b, pb, a, pa)
        print(f"{l4}\t{c.strip('[]')}\t{cp}\t{s.strip('[]')}\t{sp}\t{label}")


main()
