#!/usr/bin/env python3
"""Narrows JSON-lines records to the given fields and prints them sorted, one per line,
so golden files stay small and deterministic. Usage: project.py FIELD,FIELD [TYPE,TYPE] < in.jsonl
(a dotted FIELD, evidence.from_subscriber, picks a member of an object field; with TYPEs,
only records of those types are kept, so a case about calls is not rewritten when
another kind of record is added)"""
import json
import sys

fields = sys.argv[1].split(",")
types = set(sys.argv[2].split(",")) if len(sys.argv) > 2 and sys.argv[2] else None
rows = []
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    rec = json.loads(line)
    if types is not None and rec.get("type") not in types:
        continue
    out = {}
    for f in fields:
        # a dotted field reaches inside an object: evidence.from_subscriber
        v, ok = rec, True
        for part in f.split("."):
            if isinstance(v, dict) and part in v:
                v = v[part]
            else:
                ok = False
                break
        if ok:
            out[f] = v
    rows.append(json.dumps(out, sort_keys=True))
for row in sorted(rows):
    print(row)
