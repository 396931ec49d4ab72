#!/usr/bin/env python3
"""The oracle for the name cache: which name each client resolved to which address, from
tshark's reading of a capture's DNS responses (TShark 4.0).

Usage: dns_names.py CAPTURE [OUT]   (OUT defaults to CAPTURE.names.tsv; -d DIR puts it in DIR)

For every NOERROR response to a standard query, each class-IN A/AAAA record of the
answer section that is reachable from the first question's name through the answer's
CNAME records gives a line
    frame  ts_us  client  address  query-name  canonical-name
(client: the innermost IP destination of the response; canonical: the record's owner
when it differs from the query name, else '-'). An A/AAAA record of the same response
that is not so reachable (additional-section glue, unrelated answers) gives a line with
'!query-name': that client must not have that address named after that query, unless
another response named it so (then no '!' line is written).
"""
import json
import os
import subprocess
import sys


def pairs(kv):
    d = {}
    for k, v in kv:
        d.setdefault(k, []).append(v)
    return d


def first(d, k, default=None):
    v = d.get(k)
    return v[0] if v else default


def last(d, k, default=None):
    v = d.get(k)
    return v[-1] if v else default


def records(section):
    """(name, type, class, ttl, data) of every record in a tshark JSON section."""
    out = []
    if not section:
        return out
    for group in section:
        for _, recs in group.items():
            for r in recs:
                if not isinstance(r, dict):
                    continue
                typ = int(first(r, "dns.resp.type", "0"))
                cls = int(first(r, "dns.resp.class", "0"), 16)
                data = first(r, "dns.a") or first(r, "dns.aaaa") or first(r, "dns.cname")
                out.append((first(r, "dns.resp.name", "").lower(), typ, cls, data))
    return out


def main():
    args = [a for a in sys.argv[1:] if a != "-d"]
    cap = args[0]
    out_path = args[1] if len(args) > 1 else cap + ".names.tsv"
    if "-d" in sys.argv:
        out_path = os.path.join(sys.argv[sys.argv.index("-d") + 1], os.path.basename(cap) + ".names.tsv")
        args = args[:1]
    js = subprocess.run(["tshark", "-n", "-r", cap, "-Y",
                         "dns.flags.response == 1 && dns.flags.rcode == 0 && dns.flags.opcode == 0",
                         "-T", "json", "-J", "frame ip ipv6 dns"],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    pkts = json.loads(js, object_pairs_hook=pairs) if js.strip() else []
    pos, neg = [], []
    for p in pkts:
        layers = first(first(p, "_source"), "layers")
        frame = first(layers, "frame")
        protos = first(frame, "frame.protocols").split(":")
        inner = max((i for i, x in enumerate(protos) if x in ("ip", "ipv6")), default=-1)
        if inner < 0:
            continue
        fam = protos[inner]
        client = last(last(layers, fam), fam + ".dst")
        sec, _, frac = first(frame, "frame.time_epoch").partition(".")
        ts = int(sec) * 1000000 + int((frac + "000000")[:6])
        for dns in layers.get("dns", []):
            queries = records_q(dns)
            if not queries:
                continue
            qname = queries[0]
            answers = records(dns.get("Answers"))
            extra = records(dns.get("Additional records")) + records(dns.get("Authoritative nameservers"))
            cnames = [(n, d.lower()) for n, t, c, d in answers if t == 5 and c & 0x7FFF == 1 and d]
            used = set()
            for n, t, c, d in answers:
                if t not in (1, 28) or c & 0x7FFF != 1:
                    continue
                name, hops = n, 0
                while name != qname and hops < 16:
                    src = [o for o, tgt in cnames if tgt == name]
                    if not src:
                        break
                    name, hops = src[0], hops + 1
                if name == qname:
                    pos.append((first(frame, "frame.number"), ts, client, d, qname, n if n != qname else "-"))
                    used.add(d)
            for n, t, c, d in answers + extra:
                if t in (1, 28) and d not in used:
                    neg.append((first(frame, "frame.number"), ts, client, d, qname))
    named = {(c, a, q) for _, _, c, a, q, _ in pos}
    with open(out_path, "w") as f:
        f.write("# %s: DNS answers per client, from tshark (tests/unit/data/dns_names.py)\n" % os.path.basename(cap))
        f.write("#frame\tts_us\tclient\taddress\tname\tcanonical\n")
        for row in pos:
            f.write("\t".join(str(x) for x in row) + "\n")
        for fr, ts, c, a, q in neg:
            if (c, a, q) not in named:
                f.write("\t".join(str(x) for x in (fr, ts, c, a, "!" + q, "-")) + "\n")


def records_q(dns):
    out = []
    for group in dns.get("Queries", []):
        for _, recs in group.items():
            for r in recs:
                if isinstance(r, dict) and first(r, "dns.qry.name") is not None:
                    out.append(first(r, "dns.qry.name").lower())
    return out


if __name__ == "__main__":
    main()
