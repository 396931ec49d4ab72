#!/usr/bin/env python3
"""apps_order.py LABELS.tsv ID > order.yaml: an order naming every client of nDPI's labels
(but multicast and broadcast), so that whatever pentrap could record about the capture's
devices is recorded, and apps_check.py can hold it against the labels."""
import ipaddress
import sys

clients = []
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    c = line.split("\t")[1]
    ip = ipaddress.ip_address(c)
    if ip.is_multicast or c == "255.255.255.255" or ip.is_unspecified or c in clients:
        continue
    clients.append(c)
print(f"order:\n  id: {sys.argv[2]}\n  kind: both\n  valid_from: 1970-01-01T00:00:00Z\n"
      f"  valid_until: 2099-12-31T00:00:00Z\n  targets:")
for c in clients:
    print(f"    - ip: \"{c}/{32 if '.' in c else 128}\"")
