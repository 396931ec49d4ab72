#!/usr/bin/env python3
"""Compares what tshark decodes from `pentrap deliver -o` (HI2 IRI, its -T fields output
with the FIELDS below, one line per frame) with the records they were made from (JSON
lines, seq order), field by field. The expected values are worked out here from the
records by the mapping of docs/handover.md, independently of the C encoder.

Usage: check_fields.py RECORDS.jsonl TSHARK_FIELDS.tsv LIID    exit 1 on any difference
"""
import datetime
import ipaddress
import json
import sys

FIELDS = ["iRIContent", "domainID", "iRIversion", "lawfulInterceptionIdentifier",
          "communication_Identity_Number", "utcTime", "intercepted_Call_Direct", "party_Qualifier",
          "msISDN", "imsi", "sip_uri", "tel_url", "nature_Of_The_intercepted_call",
          "conversationDuration", "release_Reason_Of_Intercepted_Call", "initiator", "transfer_status"]

IRI = {"call.attempt": 1, "ott.call.begin": 1, "ott.session.begin": 1, "data.session.begin": 1,
       "call.answer": 3,
       "call.end": 2, "ott.call.end": 2, "ott.session.end": 2, "data.session.end": 2}
KIND = {"call.attempt": "call", "call.answer": "call", "call.end": "call",
        "ott.call.begin": "ott.call", "ott.call.end": "ott.call",
        "ott.session.begin": "ott.session", "ott.session.end": "ott.session",
        "data.session.begin": "data.session", "data.session.end": "data.session"}
CAUSE = {"answered": "8090", "cancelled": "8090", "busy": "8091", "no-answer": "8093", "failed": "809f"}


def hexs(s):
    return s.encode().hex()


def tbcd(digits):
    out = ""
    for i in range(0, len(digits), 2):
        pair = digits[i:i + 2]
        hi = pair[1] if len(pair) == 2 else "f"
        out += hi + pair[0]
    return out


def identity(parties):
    """The identity fields one party's texts give, the first of each kind winning."""
    ident = {}
    for p in parties:
        if not p:
            continue
        if p.startswith("+") and p[1:].isdigit() and len(p) <= 17:
            ident.setdefault("msISDN", "91" + tbcd(p[1:]))
        elif p.isdigit() and len(p) <= 16:
            ident.setdefault("msISDN", "81" + tbcd(p))
        elif p.startswith("imsi:") and p[5:].isdigit() and 5 <= len(p) - 5 <= 16:
            ident.setdefault("imsi", tbcd(p[5:]))
        elif p.startswith("sip:") or p.startswith("sips:"):
            ident.setdefault("sip_uri", hexs(p))
        elif p.startswith("tel:"):
            ident.setdefault("tel_url", hexs(p))
        else:
            address = p[:-3] if p.endswith("/32") else p[:-4] if p.endswith("/128") else p
            try:
                ident.setdefault("ip", str(ipaddress.ip_address(address)))
            except ValueError:
                pass  # no identity field: a national parameter
    return ident


def parties(r):
    """[(party-Qualifier, identity)] as the IRI of r holds them."""
    if r["type"].startswith("data.session"):
        ident = identity([r.get("from", ""), r.get("target", ""), r.get("contact", "")])
        return [(3, ident)] if ident or r.get("to") else []
    service = "service:" + r.get("service", "")
    frm = r.get("from", "") if r.get("from", "") != service else ""
    to = r.get("to", "") if r.get("to", "") != service else ""
    out = r.get("direction") == "out"
    counterpart = r.get("counterpart", "")
    a = identity([frm] + ([r["target"]] if out else [counterpart if not frm else ""]))
    b = identity([to] + ([counterpart if not to else ""] if out else [r["target"]]))
    return [(q, i) for q, i in ((0, a), (1, b)) if i]


def utc(ts):
    t = datetime.datetime.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S")
    return t.strftime("%y-%m-%d %H:%M:%S (UTC)")


def bcd_duration(seconds):
    s = min(int(seconds + 0.5), 99 * 3600 + 59 * 60 + 59)
    return "".join(f"{v // 10}{v % 10}" for v in (s // 3600, s // 60 % 60, s % 60))


def expected(records, liid):
    open_calls = {}
    for r in records:
        kind = KIND.get(r["type"])
        cin = r["seq"]
        if kind:
            if r.get("call_id"):
                key = (r["target"], kind, r["call_id"])
            else:
                key = (r["target"], kind, r.get("from", ""), r.get("to", ""), r.get("service", ""),
                       r.get("contact", "") if kind == "data.session" else "")
            if key in open_calls:
                cin = open_calls[key]
                if r["type"].endswith(".end"):
                    del open_calls[key]
            elif not r["type"].endswith(".end"):
                open_calls[key] = r["seq"]
        sms = r["type"] == "sms"
        times = 2 if sms else 1
        ps = parties(r)
        e = {
            "iRIContent": str(IRI.get(r["type"], 4)),
            "domainID": "0.4.0.2.2.1.11",
            "iRIversion": "8",
            "lawfulInterceptionIdentifier": hexs(liid),
            "communication_Identity_Number": ",".join([hexs(str(cin % 100000000))] * times),
            "utcTime": ",".join([utc(r["ts"])] * times),
            "intercepted_Call_Direct": {"out": "1", "in": "2"}[r["direction"]],
            "party_Qualifier": ",".join(str(q) for q, _ in ps),
            "nature_Of_The_intercepted_call": "1" if sms else "5" if r["type"].startswith("data.session") else "",
            "conversationDuration": bcd_duration(r["duration_s"]) if r["type"] == "call.end" and "duration_s" in r else "",
            "release_Reason_Of_Intercepted_Call": CAUSE.get(r.get("outcome", ""), "") if r["type"] == "call.end" else "",
            "initiator": ("0" if r["direction"] == "out" else "1") if sms else "",
            "transfer_status": ({"accepted": "0", "delivered": "0", "failed": "1", "rejected": "1"}.get(r.get("outcome", ""), "2")) if sms else "",
        }
        for f in ("msISDN", "imsi", "sip_uri", "tel_url"):
            e[f] = ",".join(i[f] for _, i in ps if f in i)
        yield r, e


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    records = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[2])]
    bad = 0
    if len(rows) != len(records):
        print(f"FAIL: {len(rows)} IRI for {len(records)} records")
        bad += 1
    for (r, e), row in zip(expected(records, sys.argv[3]), rows):
        got = dict(zip(FIELDS, row + [""] * (len(FIELDS) - len(row))))
        for f in FIELDS:
            if got[f] != e[f]:
                print(f"FAIL: record {r['seq']} ({r['type']}): {f} is '{got[f]}', the record says '{e[f]}'")
                bad += 1
    print(f"{len(records)} records, {len(rows)} IRI, {bad} differences")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
