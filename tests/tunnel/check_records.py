#!/usr/bin/env python3
"""check_records.py — what test_tunnels.sh asserts about one variant's records.

  same BASE.jsonl VARIANT.jsonl PATH_REGEX ORACLE.tsv
      the variant's records are the base's, every field (the capture's hash, the
      tunnel and the chain's hashes aside), in the same order; every record's
      evidence.tunnel matches PATH_REGEX; and the SIP Call-IDs, DNS names and SNIs in
      them are tshark's view of the variant (ORACLE.tsv, lines "kind<TAB>value" from
      oracle_tshark.sh)
  view FILE.jsonl ORACLE.tsv       the Call-IDs, DNS names and SNIs in FILE are tshark's
  count FILE.jsonl TYPE N          FILE has exactly N records of TYPE ("*": any)
  n FILE.jsonl TYPE                prints how many records of TYPE FILE has
  unordered A.jsonl B.jsonl        the same records in any order (-j 1 against -j 2)

Prints one line per problem and exits 1 when there is any.
"""
import json
import re
import sys


def load(path):
    records = []
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            ev = r.get("evidence", {})
            tunnel = ev.pop("tunnel", None)
            ev.pop("capture", None)
            r.pop("hash", None)
            r.pop("prev_hash", None)
            records.append((r, tunnel))
    return records


def pentrap_view(records):
    """What pentrap recorded of the kinds tshark is asked about."""
    seen = set()
    for r, _ in records:
        if r["protocol"] in ("sip", "sip-message") and r.get("call_id"):
            seen.add(("call-id", r["call_id"]))
        name = r["evidence"].get("name")
        if name and r["protocol"] == "dns":
            seen.add(("dns", name))
        if name and r["protocol"] in ("tls", "quic"):
            seen.add(("sni", name))
    return seen


def same(base_path, variant_path, pattern, oracle_path):
    base, var = load(base_path), load(variant_path)
    problems = []
    if len(base) != len(var):
        problems.append("%d records, the base has %d" % (len(var), len(base)))
    for i, ((b, _), (v, t)) in enumerate(zip(base, var)):
        if b != v:
            problems.append("record %d differs from the base's:\n    base    %s\n    variant %s"
                            % (i + 1, json.dumps(b, sort_keys=True), json.dumps(v, sort_keys=True)))
            break
        if t is None or not re.fullmatch(pattern, t):
            problems.append("record %d: evidence.tunnel %r does not match %r" % (i + 1, t, pattern))
            break
    return problems + view_problems(var, oracle_path)


def view_problems(records, oracle_path):
    oracle = set()
    with open(oracle_path) as f:
        for line in f:
            kind, _, value = line.rstrip("\n").partition("\t")
            if value:
                oracle.add((kind, value))
    mine = pentrap_view(records)
    problems = []
    if not oracle:
        problems.append("tshark saw nothing")
    for kind, value in sorted(oracle - mine):
        problems.append("tshark sees %s %s, pentrap recorded none" % (kind, value))
    for kind, value in sorted(mine - oracle):
        problems.append("pentrap recorded %s %s, tshark does not see it" % (kind, value))
    return problems


def view(path, oracle_path):
    return view_problems(load(path), oracle_path)


def count(path, rtype, n):
    got = sum(1 for r, _ in load(path) if rtype == "*" or r["type"] == rtype)
    return [] if got == int(n) else ["%s: %d records of type %s, expected %s" % (path, got, rtype, n)]


def n(path, rtype):
    print(sum(1 for r, _ in load(path) if rtype == "*" or r["type"] == rtype))
    return []


def unordered(a, b):
    def key(records):
        return sorted(json.dumps(r, sort_keys=True) + str(t) for r, t in records)
    ra, rb = load(a), load(b)
    for r, _ in ra + rb:
        r.pop("seq", None)
    return [] if key(ra) == key(rb) else ["%s and %s hold other records" % (a, b)]


def main():
    mode = sys.argv[1]
    problems = {"same": same, "view": view, "count": count, "n": n, "unordered": unordered}[mode](*sys.argv[2:])
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


main()
