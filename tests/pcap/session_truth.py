#!/usr/bin/env python3
"""Checks pentrap's data.session records against tshark's truth for every capture in
tests/pcap/{gtp,radius,diameter}/*/ that has a capture.*.truth.tsv.

The sessions that bind an address to a subscriber are read from the truth alone:
  GTPv1 / GTPv0  a Create PDP Context Request (IMSI, MSISDN, APN) and the response from
                 the other end addressed to the request's TEID-C (GTPv0: the next
                 response between the same ends) carrying an End User Address;
  GTPv2          a Create Session Request (IMSI, MSISDN, APN) and the response addressed
                 to the request's first F-TEID carrying a PAA address;
  RADIUS         an Accounting-Request Start (a begin) or Stop (an end) with a
                 Framed-IP-Address (255.255.255.254/255 and 0.0.0.0 are not addresses);
                 Access-Accept only binds, it gives no record;
  Diameter       a CCR-Initial with a Framed-IP-Address and an answer of the same
                 Session-Id from the other end.
For each, an order naming the subscriber (its MSISDN; again its IMSI; its address when
it has neither) must give a data.session record with that address in `contact`, the
response's frame in the evidence, `from` the subscriber's party (MSISDN, else IMSI,
else the RADIUS User-Name) and `to` the APN / Called-Station-Id. The parties are
normalised here from tshark's fields, independently of pentrap. An order naming nobody
in the capture gives no record. An order naming every address gets exactly one
data.session.begin per distinct session of the truth (so none for a look-alike; a case
with a file `lookalike` must also have none in the truth and no data.session record at all).

A case may list frames to leave out in `truth_skip` (one "frame reason" per line): a
fuzzed packet tshark reads past a broken attribute that pentrap rightly refuses.

Usage: session_truth.py PENTRAP CASES_DIR (tests/pcap)"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

SECTIONS = ("gtpv1c", "gtpv2c", "radius", "diameter")


def read_truth(path):
    """{section: [row dict]} for the sections we read."""
    out, cols = {s: [] for s in SECTIONS}, {}
    current = None
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("#section="):
            current = line[len("#section="):]
        elif line.startswith("#cols=") and current:
            cols[current] = line[len("#cols="):].split("\t")
        elif current in SECTIONS and line.startswith(current + "\t"):
            fields = line.split("\t")
            if len(fields) != len(cols[current]) or not fields[1].isdigit():
                continue  # a field holding a newline (the fuzzed capture) split the row
            out[current].append(dict(zip(cols[current], fields)))
    return out


def first(v):
    return v.split(",")[0] if v else ""


def ipv4_ok(a):
    return bool(re.fullmatch(r"\d+\.\d+\.\d+\.\d+", a)) and a not in ("0.0.0.0", "255.255.255.255",
                                                                        "255.255.255.254")


def ends(row):
    src = row.get("ip.src") or row.get("ipv6.src")
    dst = row.get("ip.dst") or row.get("ipv6.dst")
    return first(src), first(dst)


def digits(s, lo, hi):
    return s if re.fullmatch(r"[0-9]{%d,%d}" % (lo, hi), s or "") else ""


def gtp_sessions(truth):
    """(party, imsi, msisdn, apn, addr, response frame, kind) for GTPv0/v1 and v2."""
    out = []
    rows = truth["gtpv1c"]
    for i, req in enumerate(rows):
        if req["gtp.message"] != "0x10":
            continue
        a, b = ends(req)
        teid_c = first(req["gtp.teid_cp"])
        for resp in rows[i + 1:]:
            if resp["gtp.message"] != "0x11" or ends(resp) != (b, a):
                continue
            if teid_c and resp["gtp.teid"] != teid_c:
                continue
            addr = first(resp["gtp.user_ipv4"])
            if ipv4_ok(addr):
                msisdn = first(req["e164.msisdn"]) or first(req["gsm_map.msisdn"])
                out.append(("gtp", digits(first(req["e212.imsi"]), 6, 15), digits(msisdn, 1, 15),
                            first(req["gtp.apn"]).lower(), addr, int(resp["frame.number"]), "begin"))
            break
    rows = truth["gtpv2c"]
    for i, req in enumerate(rows):
        if req["gtpv2.message_type"] != "32":
            continue
        a, b = ends(req)
        fteid = first(req["gtpv2.f_teid_gre_key"])
        for resp in rows[i + 1:]:
            if resp["gtpv2.message_type"] != "33" or ends(resp) != (b, a) or resp["gtpv2.teid"] != fteid:
                continue
            addr = first(resp["gtpv2.pdn_addr_and_prefix.ipv4"])
            if ipv4_ok(addr):
                out.append(("gtp", digits(first(req["e212.imsi"]), 6, 15), digits(first(req["e164.msisdn"]), 1, 15),
                            first(req["gtpv2.apn"]).lower(), addr, int(resp["frame.number"]), "begin"))
            break
    return out


def radius_sessions(truth):
    out = []
    for row in truth["radius"]:
        if row["radius.code"] != "4" or row["radius.Acct_Status_Type"] not in ("1", "2"):
            continue
        addr = first(row["radius.Framed-IP-Address"])
        if not ipv4_ok(addr) or not row["radius.Acct_Session_Id"]:
            continue
        user = row["radius.User_Name"]
        imsi = digits(row["radius.3GPP_IMSI"], 6, 15)
        m = re.fullmatch(r"[016]([0-9]{6,15})@.*\.3gppnetwork\.org", user, re.I)
        if not imsi and m:
            imsi = m.group(1)
        calling = row["radius.Calling_Station_Id"]
        msisdn = ""
        m = re.fullmatch(r"(\+|00)?([0-9]{6,15})", calling)
        if m:
            msisdn = ("+" if m.group(1) else "") + m.group(2)
        kind = "begin" if row["radius.Acct_Status_Type"] == "1" else "end"
        out.append(("radius", imsi, msisdn, row["radius.Called_Station_Id"], addr,
                    int(row["frame.number"]), kind, user))
    return out


def diameter_sessions(truth):
    out = []
    rows = truth["diameter"]
    for i, req in enumerate(rows):
        if req["diameter.cmd.code"] != "272" or req["diameter.flags.request"] != "1" \
                or first(req["diameter.CC-Request-Type"]) != "1":
            continue
        addr = first(req["diameter.Framed-IP-Address.IPv4"])
        if not ipv4_ok(addr):
            continue
        a, b = ends(req)
        for resp in rows[i + 1:]:
            if resp["diameter.cmd.code"] == "272" and resp["diameter.flags.request"] == "0" \
                    and resp["diameter.Session-Id"] == req["diameter.Session-Id"] and ends(resp) == (b, a):
                types = req["diameter.Subscription-Id-Type"].split(",")
                data = req["diameter.Subscription-Id-Data"].split(",")
                ids = dict(zip(types, data))
                out.append(("diameter", digits(ids.get("1", ""), 6, 15), digits(ids.get("0", ""), 5, 15),
                            first(req["diameter.Called-Station-Id"]), addr, int(resp["frame.number"]), "begin"))
                break
    return out


def party(s):
    proto, imsi, msisdn = s[0], s[1], s[2]
    if msisdn:
        return msisdn if proto == "radius" else "+" + msisdn
    if imsi:
        return "imsi:" + imsi
    return s[7] if len(s) > 7 else ""


def orders_for(s):
    """(what, target line) for each way an order can name the subscriber."""
    proto, imsi, msisdn, addr = s[0], s[1], s[2], s[4]
    out = []
    if msisdn:
        out.append(("msisdn", f'    - msisdn: "+{msisdn.lstrip("+")}"'))
    if imsi:
        out.append(("imsi", f'    - imsi: "{imsi}"'))
    if not out:
        out.append(("ip", f"    - ip: {addr}/32"))
    return out


def run(pentrap, capture, targets, work):
    order = os.path.join(work, "order.yaml")
    with open(order, "w") as f:
        f.write("order:\n  id: TRUTH\n  kind: both\n  valid_from: 1970-01-02T00:00:00Z\n"
                "  valid_until: 2099-12-31T00:00:00Z\n  targets:\n" + "\n".join(targets) + "\n")
    out = subprocess.run([pentrap, "run", "--no-db", "-q", "--order", order, "-r", capture, "--jsonl", "-"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{capture}: pentrap exited {out.returncode}: {out.stderr.strip()}")
    return [json.loads(l) for l in out.stdout.splitlines() if l.strip()]


def main():
    pentrap, cases = sys.argv[1], sys.argv[2]
    passed = failed = sessions = 0
    with tempfile.TemporaryDirectory() as work:
        truths = []
        for proto in ("gtp", "radius", "diameter"):
            truths += sorted(glob.glob(os.path.join(cases, proto, "*", "capture.*.truth.tsv")))
        for truth_path in truths:
            capture = truth_path[:-len(".truth.tsv")]
            case = os.path.dirname(truth_path)
            name = os.path.relpath(case, cases)
            skip = set()
            if os.path.exists(os.path.join(case, "truth_skip")):
                skip = {int(l.split()[0]) for l in open(os.path.join(case, "truth_skip")) if l.strip()}
            truth = read_truth(truth_path)
            found = [s for s in gtp_sessions(truth) + radius_sessions(truth) + diameter_sessions(truth)
                     if s[5] not in skip]
            for s in found:
                sessions += 1
                want_type = "data.session." + s[6]
                # One subscriber on one address seen on two interfaces (S11 and S5) is one
                # session: its record may carry either response's frame.
                frames = {o[5] for o in found if (o[0], o[1], o[2], o[4], o[6]) == (s[0], s[1], s[2], s[4], s[6])}
                for what, target in orders_for(s):
                    recs = run(pentrap, capture, [target], work)
                    hit = [r for r in recs if r["type"] == want_type and r["protocol"].startswith(s[0])
                           and frames & set(r["evidence"].get("frames", []))]
                    ok = [r for r in hit if s[4] in [c.split("/")[0] for c in r.get("contact", "").split(",")]
                          and r["from"] == party(s) and r["to"] == s[3]]
                    if len(ok) == 1:
                        passed += 1
                    else:
                        failed += 1
                        print(f"FAIL {name}: frame {s[5]} naming {what}: want {want_type} {party(s)} -> "
                              f"{s[3]} on {s[4]}, got {[(r['type'], r['from'], r['to'], r.get('contact')) for r in hit]}")
            # No more sessions than the truth has: an order naming every address gets one
            # data.session.begin per distinct subscriber session (none for a look-alike).
            recs = run(pentrap, capture, ["    - ip: 0.0.0.0/1", "    - ip: 128.0.0.0/1", "    - ip: ::/1",
                                          "    - ip: 8000::/1"], work)
            begins = {tuple(r["evidence"].get("frames", [])) for r in recs if r["type"] == "data.session.begin"}
            groups = {(s[0], s[1], s[2], s[4]) for s in found if s[6] == "begin"}
            lookalike = os.path.exists(os.path.join(case, "lookalike"))
            if len(begins) != len(groups) or (lookalike and (found or any(r["type"].startswith("data.session")
                                                                          for r in recs))):
                failed += 1
                print(f"FAIL {name}: {len(begins)} data.session.begin records for every address, "
                      f"{len(groups)} sessions in the truth{' (a look-alike)' if lookalike else ''}")
            else:
                passed += 1
            recs = run(pentrap, capture, ['    - msisdn: "+19995550100"', '    - imsi: "001019999999999"'], work)
            if recs:
                failed += 1
                print(f"FAIL {name}: {len(recs)} records for an order naming nobody in the capture")
            else:
                passed += 1
    print(f"session_truth: {sessions} sessions in the truth; {passed} passed, {failed} failed")
    if not passed:
        print(f"FAIL {__file__}: nothing was checked (no cases found?)")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
