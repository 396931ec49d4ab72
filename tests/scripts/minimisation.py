#!/usr/bin/env python3
"""Minimisation (docs/evidence.md): nothing about a non-target is written anywhere.

For every public capture with calls or SMS (tests/pcap/*/*/capture.* with a truth.tsv
whose SIP, SMS-over-IMS or SMPP sections show an INVITE, a MESSAGE or a short message),
and for every party of those communications in turn: an order naming that one party;
pentrap runs with a store, JSON lines, the table on stdout and the summary on stderr.
Then every byte it wrote (the store's file and `sqlite3 .dump`, the JSON lines, stdout,
stderr) is searched for every identity, address and Call-ID that the truth shows only in
communications the target is not part of. The target's own communications (its direct
contacts, and the addresses its signalling used) may be written: that is what a pen
register records. The truth is tshark's, so this is an oracle, not a copy of pentrap.

Control: for one party per capture, a second order also names a party of a communication
the first is not in; that party's identities must then be found, so the search can see a
leak. Usage: minimisation.py PENTRAP SRC WORK"""
import glob
import ipaddress
import os
import re
import subprocess
import sys

# Columns whose values name a party, and columns that are network addresses.
IDENTITY_COLS = ["sip.from.user", "sip.to.user", "sip.from.addr", "sip.to.addr", "sip.r-uri.user",
                 "sip.P-Asserted-Identity", "gsm_sms.tp-oa", "gsm_sms.tp-da", "gsm_a.dtap.clg_party_bcd_num",
                 "gsm_a.dtap.cld_party_bcd_num", "smpp.source_addr", "smpp.destination_addr"]
ADDRESS_COLS = ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst"]
SECTIONS = ("sip", "sms_over_ims", "smpp")
MIN_TOKEN = 4  # shorter user parts ("0", "101") are searched only inside full addresses


def truth_rows(path):
    """(section, row dict) for the sections that carry communications."""
    section, cols = None, None
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("#section="):
            section, cols = line[len("#section="):], None
        elif line.startswith("#cols="):
            cols = line[len("#cols="):].split("\t")
        elif not line.startswith("#") and cols and section in SECTIONS:
            yield section, dict(zip(cols, line.split("\t")))


def communications(truth):
    """{key: {"parties": set, "ids": set, "addrs": set, "callid": str, "kind": str}}."""
    comms = {}
    for n, (section, row) in enumerate(truth_rows(truth)):
        cid = row.get("sip.Call-ID", "")
        if section == "smpp":
            if not (row.get("smpp.source_addr") or row.get("smpp.destination_addr")):
                continue
            key = ("smpp", n)
        elif cid:
            key = ("sip", cid)
        else:
            continue
        c = comms.setdefault(key, {"parties": set(), "ids": set(), "addrs": set(), "callid": cid, "kind": set()})
        method = row.get("sip.Method", "")
        if method or section == "smpp":
            c["kind"].add(method or "SMPP")
        for col in IDENTITY_COLS:
            for v in filter(None, (x.strip() for x in row.get(col, "").split(","))):
                c["ids"].add(v)
                p = party(v)
                if p:
                    c["parties"].add(p)
        for col in ADDRESS_COLS:
            for v in filter(None, (x.strip() for x in row.get(col, "").split(","))):
                c["addrs"].add(ipaddress.ip_address(v).compressed)
    return comms


def party(v):
    """A value in a record's form: a SIP or tel URI normalised; bare digits as +digits."""
    if v.startswith(("sip:", "sips:", "tel:", "<")):
        return normalise(v)
    if re.fullmatch(r"\+?[0-9]{5,15}", v):
        return "+" + v.lstrip("+")
    return None


def forms(v):
    """The texts under which an identity could be written."""
    out = {v}
    p = party(v)
    if p:
        out.add(p)
        if p.startswith("+"):
            out.add(p[1:])
        if p.startswith("sip:"):
            out.add(p[4:])
    if v.startswith(("sip:", "sips:")):
        user = v.split(":", 1)[1].split("@")[0].split(";")[0]
        if "@" in v:
            out.add(user)
    return {f for f in out if len(f) >= MIN_TOKEN}


def found(text, needle):
    pat = r"(?<![A-Za-z0-9])" + re.escape(needle) + r"(?![A-Za-z0-9])"
    if re.fullmatch(r"[0-9.]+", needle):  # an IPv4 address or a number: no '.digit' either side
        pat = r"(?<![A-Za-z0-9.])" + re.escape(needle) + r"(?![A-Za-z0-9]|\.[0-9])"
    return re.search(pat.encode(), text, re.IGNORECASE) is not None


def run(pentrap, capture, targets, work, tag):
    d = os.path.join(work, tag)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "o.yaml"), "w") as f:
        f.write("order:\n  id: MIN-1\n  kind: both\n  valid_from: 1970-01-02T00:00:00Z\n"
                "  valid_until: 2099-12-31T00:00:00Z\n  targets:\n" + "\n".join(targets) + "\n")
    os.symlink(os.path.abspath(capture), os.path.join(d, "in" + os.path.splitext(capture)[1]))
    p = subprocess.run([pentrap, "run", "--order", "o.yaml", "--db", "r.db", "--jsonl", "r.jsonl", "--table",
                        "--note", "minimisation test", "-r", "in" + os.path.splitext(capture)[1]],
                       cwd=d, capture_output=True)
    if p.returncode != 0:
        raise SystemExit(f"{capture}: pentrap exited {p.returncode}: {p.stderr.decode(errors='replace')}")
    dump = subprocess.run(["sqlite3", "r.db", ".dump"], cwd=d, capture_output=True, check=True).stdout
    outputs = {"stdout": p.stdout, "stderr": p.stderr, "sqlite3 .dump": dump}
    for name in ("r.db", "r.db-wal", "r.jsonl"):
        if os.path.exists(os.path.join(d, name)):
            outputs[name] = open(os.path.join(d, name), "rb").read()
    nrec = len([l for l in outputs["r.jsonl"].splitlines() if l.strip()])
    return outputs, nrec


def leaks(outputs, forbidden):
    hits = []
    for what, needle in sorted(forbidden):
        for name, data in outputs.items():
            if found(data, needle):
                hits.append(f"{what} {needle!r} in {name}")
    return hits


def main():
    pentrap, src, work = sys.argv[1], sys.argv[2], sys.argv[3]
    sys.path.insert(0, os.path.join(src, "tests", "pcap"))
    global normalise
    from sip_truth import normalise, target_line as tl  # the oracle's own normalisation

    def target_line(p):  # a party an order can name (an E.164 number has 5 to 15 digits)
        if re.fullmatch(r"\+[0-9]{0,4}", p) or (p.startswith("sip:") and
                                                not re.fullmatch(r"sip:[^@\s<>\"]+@[A-Za-z0-9.\-\[\]:]+", p)):
            return None
        return tl(p)
    passed = failed = 0
    truths = sorted(glob.glob(os.path.join(src, "tests", "pcap", "*", "*", "capture.*.truth.tsv")))
    for ti, truth in enumerate(truths):
        capture = truth[:-len(".truth.tsv")]
        name = "/".join(truth.split(os.sep)[-3:-1])
        comms = communications(truth)
        comms = {k: c for k, c in comms.items() if c["kind"] & {"INVITE", "MESSAGE", "SMPP"}}
        if not comms:
            continue
        # every party of a call or message that an order can name
        parties = sorted({p for c in comms.values() for p in c["parties"] if target_line(p)})
        controlled = False
        for pi, target in enumerate(parties):
            mine = [c for c in comms.values() if target in c["parties"]]
            others = [c for c in comms.values() if target not in c["parties"]]
            allowed_ids = {f for c in mine for v in c["ids"] for f in forms(v)}
            allowed_addrs = {a for c in mine for a in c["addrs"]}
            forbidden = set()
            for c in others:
                forbidden |= {("identity", f) for v in c["ids"] for f in forms(v) if f not in allowed_ids}
                forbidden |= {("address", a) for a in c["addrs"] if a not in allowed_addrs}
                if c["callid"] and len(c["callid"]) >= MIN_TOKEN:
                    forbidden.add(("call-id", c["callid"]))
            # a forbidden text that is part of an allowed one cannot be told apart
            forbidden = {(w, f) for w, f in forbidden
                         if not any(found(a.encode(), f) for a in allowed_ids | allowed_addrs)}
            outputs, nrec = run(pentrap, capture, [target_line(target)], work, f"{ti}-{pi}")
            hits = leaks(outputs, forbidden)
            if hits:
                failed += 1
                print(f"FAIL {name}: order naming {target} ({nrec} records) wrote about non-targets:")
                for h in hits[:10]:
                    print("   ", h)
            else:
                passed += 1
                print(f"ok   {name}: {target}: {nrec} records, {len(forbidden)} non-target texts absent")
            # the control: name also a party of another communication; it must be found
            if not controlled and nrec and others:
                other = next((p for c in others for p in sorted(c["parties"])
                              if target_line(p) and p != target and ("identity", p) in forbidden), None)
                if other:
                    controlled = True
                    outputs, _ = run(pentrap, capture, [target_line(target), target_line(other)], work, f"{ti}-{pi}-c")
                    if leaks(outputs, {("identity", other)}):
                        passed += 1
                    else:
                        failed += 1
                        print(f"FAIL {name}: control: naming {other} too, the search does not find it")
    print(f"minimisation: {passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
