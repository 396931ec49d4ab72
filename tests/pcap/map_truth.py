#!/usr/bin/env python3
"""Checks pentrap's MAP sms records against tshark's decoding of every capture in
tests/pcap/map/*/ (capture.pcap.map.tsv, written by tests/pcap/map/make_map_truth.py).

From tshark's fields alone, with the record rules re-implemented here (an oracle, not a
copy of pentrap's code), the expected messages are derived:

  every invoke of mo-forwardSM / forwardSM (46) or mt-forwardSM (44) that tshark decodes
  as GSM MAP (CAMEL's operations are decoded as camel, and are no SMS); the same invoke
  (OTID, invoke id, addresses) captured twice is one message;
  MO (46 with SM-RP-DA the service centre, or SM-RP-OA not the service centre): from the
        SM-RP-OA number, to the TP-DA; MT: from the TP-OA (or a status report's TP-RA),
        to the SM-RP-DA IMSI as "imsi:…" (or a v1 roaming number); numbers of
        international type (nature of address / TP type of number 1) as "+digits";
  subtype "delivery-receipt" for a status report, "command" for an SMS-COMMAND;
  call_id "tcap:" and the invoke's OTID;
  outcome: the first component answering it (DTID = its OTID, sent back the other way,
        same invoke id): returnResultLast "accepted", returnError or reject "failed";
        else an Abort of the transaction: "failed", or no record at all when its AARE
        refuses the context (the retry is the record); else no outcome.

Then, per capture:
  - an order naming every IP address gives exactly one sms event per expected message,
    with the same parties, call_id, outcome and subtype;
  - for every party an order can name (a number of 5+ digits, an IMSI), an order naming
    it gives exactly the records of the messages it sent (out) and received (in);
  - an order naming nobody in the capture gives no record.
Cases tshark cannot read (SKIP) are checked by their golden expected.jsonl only.
Usage: map_truth.py PENTRAP CASES_DIR"""
import collections
import glob
import json
import os
import subprocess
import sys
import tempfile

SKIP = {"truncated": "tshark does not dissect SCTP DATA chunks the snap length cut (see its PROVENANCE.md)"}
NOBODY = 'msisdn: "+99999999999"'


def sections(path):
    cols, rows = {}, collections.defaultdict(list)
    current = None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#section="):
            current = line[len("#section="):]
        elif line.startswith("#cols=") and current:
            cols[current] = line[len("#cols="):].split("\t")
        elif line and not line.startswith("#"):
            f = line.split("\t")
            rows[f[0]].append(dict(zip(cols.get(f[0], []), f[1:])))
    return rows


def number(digits, international):
    return ("+" + digits) if digits and international else digits


def expected_messages(rows):
    comps, tcaps = rows.get("comp", []), rows.get("tcap", [])
    out, seen = [], set()
    for i, c in enumerate(comps):
        if c["app"] != "gsm_map" or c["kind"] != "1" or c["opcode"] not in ("44", "46"):
            continue
        key = (c["otid"], c["invoke_id"], c["src"], c["dst"])
        if key in seen:
            continue
        seen.add(key)
        mo = c["opcode"] == "46" and (c["da_choice"] == "4" or c["oa_choice"] != "4")
        tp = number(c["tp_addr"], c["tp_ton"] == "1")
        if mo:
            frm, to = number(c["oa_value"], c["oa_noa"] in ("0x01", "1")), tp
            subtype = "command" if c["tp_mti"] == "2" else ""
        else:
            frm = tp
            to = ("imsi:" + c["da_value"]) if c["da_choice"] == "0" else \
                number(c["da_value"], c["da_noa"] in ("0x01", "1")) if c["da_choice"] == "3" else ""
            subtype = "delivery-receipt" if c["tp_mti"] == "2" else ""
        outcome, record = "", True
        frame = int(c["frame"])
        answer = next((a for a in comps if int(a["frame"]) >= frame and a["dtid"] == c["otid"] and
                       a["src"] == c["dst"] and a["dst"] == c["src"] and a["invoke_id"] == c["invoke_id"] and
                       a["kind"] in ("2", "3", "4")), None)
        if answer:
            outcome = "accepted" if answer["kind"] == "2" else "failed"
        else:
            close = next((t for t in tcaps if int(t["frame"]) >= frame and t["dtid"] == c["otid"] and
                          t["src"] == c["dst"] and t["type"] in ("end", "abort")), None)
            if close and close["result"] in ("1", "2"):
                record = False
            elif close and close["type"] == "abort":
                outcome = "failed"
        if record:
            out.append({"from": frm, "to": to, "call_id": "tcap:" + c["otid"], "outcome": outcome,
                        "subtype": subtype})
    return out


def run(pentrap, case_dir, targets, work):
    order = os.path.join(work, "order.yaml")
    with open(order, "w") as f:
        f.write("order:\n  id: MAP-TRUTH\n  kind: both\n  valid_from: 1970-01-02T00:00:00Z\n"
                "  valid_until: 2099-12-31T00:00:00Z\n  targets:\n")
        for t in targets:
            f.write(f"    - {t}\n")
    out = os.path.join(work, "out.jsonl")
    subprocess.run([pentrap, "run", "--order", order, "--no-db", "--jsonl", out, "-q", "-r",
                    os.path.join(case_dir, "capture.pcap")], check=True, stderr=subprocess.DEVNULL)
    return [json.loads(l) for l in open(out) if l.strip()]


def project(r):
    return (r.get("from", ""), r.get("to", ""), r.get("call_id", ""), r.get("outcome", ""), r.get("subtype", ""))


def target_of(party):
    if party.startswith("imsi:"):
        return f'imsi: "{party[5:]}"'
    if party.startswith("+") and len(party) >= 6 and party[1:].isdigit():
        return f'msisdn: "{party}"'
    return None


def main():
    pentrap, cases = sys.argv[1], sys.argv[2]
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL: " + what)

    with tempfile.TemporaryDirectory() as work:
        for tsv in sorted(glob.glob(os.path.join(cases, "*", "capture.pcap.map.tsv"))):
            case_dir = os.path.dirname(tsv)
            name = os.path.basename(case_dir)
            if name in SKIP:
                print(f"{name}: skipped: {SKIP[name]}")
                continue
            want = expected_messages(sections(tsv))
            got = [r for r in run(pentrap, case_dir, ['ip: 0.0.0.0/1', 'ip: 128.0.0.0/1', 'ip: "::/1"',
                                                      'ip: "8000::/1"'], work)
                   if r["type"] == "sms" and r["direction"] == "out"]
            check(collections.Counter(map(project, got)) == collections.Counter(map(project, want)),
                  f"{name}: every-address order: got {sorted(map(project, got))}, want {sorted(map(project, want))}")
            check(all(r["protocol"] == "map" for r in got), f"{name}: protocol")
            parties = sorted({p for m in want for p in (m["from"], m["to"]) if target_of(p)})
            for party in parties:
                recs = [r for r in run(pentrap, case_dir, [target_of(party)], work) if r["type"] == "sms"]
                want_p = collections.Counter([("out",) + project_m(m) for m in want if m["from"] == party] +
                                             [("in",) + project_m(m) for m in want if m["to"] == party])
                got_p = collections.Counter((r["direction"],) + project(r) for r in recs)
                check(got_p == want_p, f"{name}: order naming {party}: got {sorted(got_p)}, want {sorted(want_p)}")
            nobody = [r for r in run(pentrap, case_dir, [NOBODY], work) if r["type"] == "sms"]
            check(not nobody, f"{name}: an order naming nobody gave {len(nobody)} records")
            print(f"{name}: {len(want)} messages from tshark, {len(got)} sms events, {len(parties)} parties checked")
    print(f"map_truth: {passed} passed, {failed} failed")
    if not passed:
        print("FAIL map_truth: nothing was checked (no cases found?)")
    sys.exit(1 if failed or not passed else 0)


def project_m(m):
    return (m["from"], m["to"], m["call_id"], m["outcome"], m["subtype"])


if __name__ == "__main__":
    main()
