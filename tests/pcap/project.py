#!/usr/bin/env python3
"""Narrows JSON-lines records to the given fields and prints them sorted, one per line,
so golden files stay small and deterministic. Usage: project.py FIELD,FIELD < in.jsonl"""
import json
import sys

fields = sys.argv[1].split(",")
rows = []
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    rec = json.loads(line)
    rows.append(json.dumps({f: rec.get(f) for f in fields if f in rec}, sort_keys=True))
for row in sorted(rows):
    print(row)
