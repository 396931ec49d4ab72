#!/usr/bin/env python3
"""Records as an unordered set, for comparing runs whose records come in another order:
each JSON line without what numbering gives (seq, hash, prev_hash), keys sorted, lines
sorted. Usage: unordered.py < records.jsonl"""
import json
import sys

lines = []
for line in sys.stdin:
    if not line.strip():
        continue
    rec = json.loads(line)
    for key in ("seq", "hash", "prev_hash"):
        rec.pop(key, None)
    lines.append(json.dumps(rec, sort_keys=True))
sys.stdout.write("".join(l + "\n" for l in sorted(lines)))
