#!/usr/bin/env python3
"""ott_names.py TRUTH.jsonl RECORDS.jsonl > OUT.jsonl: writes the records with every
"imsi:X" party (and target) replaced by the MSISDN the generator's truth gives that IMSI.

Why: a subscriber on Wi-Fi is known to pentrap's identity map by the IMSI its RADIUS
accounting carries (User-Name), and its records name it so; the truth names it by
MSISDN. The same subscriber, two names: this puts them side by side so bench/accuracy.py
scores the OTT inference itself (docs/accuracy.md says which numbers are which)."""
import json
import sys

names = {}
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t.get("imsi") and str(t.get("from", "")).startswith("+"):
        names["imsi:" + t["imsi"]] = t["from"]
for line in open(sys.argv[2]):
    r = json.loads(line)
    for k in ("from", "to", "target"):
        if r.get(k) in names:
            r[k] = names[r[k]]
    print(json.dumps(r))
