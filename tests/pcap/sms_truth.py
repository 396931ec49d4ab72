#!/usr/bin/env python3
"""Checks pentrap's sms records against tshark's decoding of every SMS capture in
tests/pcap/sms/*/ (capture.pcap.sms.tsv, written by tests/pcap/sms/make_sms_truth.py).

From tshark's fields alone, with the record rules re-implemented here (an oracle, not a
copy of pentrap's code), the expected messages are derived:

  SMPP  every submit_sm, deliver_sm, data_sm, and every destination of a submit_multi;
        parties by type of number (1: "+digits", 5: text, else the digits), a
        distribution list as "dl:NAME"; outcome from the response with the same sequence
        number the other way (status 0 "accepted", else or generic_nack "failed", a
        destination in submit_multi_resp's unsuccessful list "failed", none: no
        outcome); call_id the receipted_message_id, else the response's message_id, else
        "seq:N"; subtype from esm_class and the command
  SIP   every MESSAGE (retransmissions, and the retry after a 401/407, are the same
        message); typing indicators and RP-ACK/RP-ERROR/RP-SMMA bodies are none; for
        application/vnd.3gpp.sms the RP and TP layers name the parties (MO: PAI or From
        to TP-DA; MT: TP-OA, or TP-RA of a status report, to To); outcome from the final
        response (2xx "accepted", other >= 300 "failed")

Then, per capture:
  - an order naming every address (IP prefixes covering all) gives exactly one sms event
    per expected message, with the same parties, call_id, outcome and subtype;
  - an order naming every party an order can name (a number of 5+ digits, a SIP
    address) gives, per target, exactly the sms records of the messages it sent (out)
    and received (in);
  - an order naming nobody in the capture gives no record.
Usage: sms_truth.py PENTRAP CASES_DIR"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

SMS_REQ = {0x04: "submit_sm", 0x05: "deliver_sm", 0x103: "data_sm", 0x21: "submit_multi"}
RESP, NACK = 0x80000000, 0x80000000


def sections(path):
    cols, rows = {}, {}
    current = None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#section="):
            current = line[len("#section="):]
        elif line.startswith("#cols=") and current:
            cols[current] = line[len("#cols="):].split("\t")
        elif line and not line.startswith("#"):
            f = line.split("\t")
            rows.setdefault(f[0], []).append(dict(zip(cols.get(f[0], []), f[1:])))
    return rows


def lst(v):
    return [x for x in v.split(",")] if v else []


def smpp_party(ton, addr):
    ton = int(ton, 16) if ton else 0
    if ton != 5 and re.fullmatch(r"\+?[0-9]+", addr or ""):
        return addr if addr.startswith("+") or ton != 1 else "+" + addr
    return "".join(c for c in addr if " " <= c < "\x7f").rstrip(" ")


def smpp_messages(rows):
    """Expected records (from, to, call_id, outcome, subtype) of the SMPP rows."""
    pending, out = [], []
    for r in rows:
        cmds = [int(c, 16) for c in lst(r["smpp.command_id"])]
        seqs = [int(s) for s in lst(r["smpp.sequence_number"])]
        statuses = [int(s, 16) for s in lst(r["smpp.command_status"])]
        reqs = [i for i, c in enumerate(cmds) if c in SMS_REQ]
        resps = [i for i, c in enumerate(cmds) if c == NACK or (c & RESP and (c & ~RESP) in SMS_REQ)]
        if len(reqs) > 1 or (len(resps) > 1 and r["smpp.message_id"]):
            raise SystemExit(f"frame {r['frame.number']}: more than one message PDU; the oracle cannot pair fields")
        for i in reqs:
            cmd = cmds[i]
            frm = smpp_party(r["smpp.source_addr_ton"], r["smpp.source_addr"])
            msg_type = int(r["smpp.esm.submit.msg_type"] or "0", 16)
            subtype = ("delivery-receipt" if msg_type in (0x01, 0x02, 0x08) else "user-ack" if msg_type == 0x04
                       else "submit-multi" if cmd == 0x21 else "")
            tons, addrs = lst(r["smpp.dest_addr_ton"]), lst(r["smpp.destination_addr"])
            tos = [smpp_party(t, a) for t, a in zip(tons, addrs)] + ["dl:" + d for d in lst(r["smpp.dl_name"])]
            for to in tos:
                pending.append({"dir": (r["tcp.srcport"], r["tcp.dstport"]), "seq": seqs[i], "from": frm, "to": to,
                                "ref": r["smpp.receipted_message_id"], "subtype": subtype, "outcome": "",
                                "msgid": "", "open": True})
        for i in resps:
            back = (r["tcp.dstport"], r["tcp.srcport"])
            refused = [smpp_party(t, a) for t, a in zip(lst(r["smpp.dest_addr_ton"]), lst(r["smpp.destination_addr"]))]
            for p in pending:
                if p["open"] and p["dir"] == back and p["seq"] == seqs[i]:
                    ok = statuses[i] == 0 and cmds[i] != NACK and p["to"] not in refused
                    p.update(open=False, outcome="accepted" if ok else "failed", msgid=r["smpp.message_id"])
    for p in pending:
        call_id = p["ref"] or p["msgid"] or f"seq:{p['seq']}"
        out.append((p["from"], p["to"], call_id, p["outcome"], p["subtype"]))
    return out


def sip_party(uri):
    u = uri.strip()
    scheme, _, rest = u.partition(":")
    scheme = scheme.lower()
    if scheme == "tel":
        return re.sub(r"[-.() ]", "", rest.split(";")[0])
    if scheme in ("sip", "sips"):
        rest = rest.split("?")[0]
        user, at, host = rest.rpartition("@")
        host = host.split(";")[0].split(":")[0].lower() if not host.startswith("[") else host[:host.index("]") + 1]
        user = user.split(";")[0]
        if user.startswith("+") and re.fullmatch(r"\+[0-9]+", user):
            return user
        return f"sip:{user}@{host}" if at else f"sip:{host}"
    return u


def tp_party(ton, digits):
    return ("+" + digits) if ton == "1" else digits


def sip_messages(rows):
    msgs, out = {}, []
    for r in rows:
        cid, cseq = r["sip.Call-ID"], int(r["sip.CSeq.seq"])
        if r["sip.Method"] == "MESSAGE":
            if (cid, cseq) in msgs:
                continue  # a retransmission
            retried = [k for k, m in msgs.items() if k[0] == cid and m["challenged"] and k[1] < cseq]
            if retried:
                m = msgs.pop(retried[0])
                m["challenged"] = False
                msgs[(cid, cseq)] = m
                continue
            ct = r["sip.Content-Type"].split(";")[0].strip().lower()
            frm = sip_party(r["sip.pai.addr"] or r["sip.from.addr"])
            to = sip_party(r["sip.to.addr"] or r["sip.r-uri"])
            subtype, keep = "", True
            if ct == "application/im-iscomposing+xml":
                keep = False
            elif ct == "message/imdn+xml":
                subtype = "delivery-receipt"
            elif ct == "application/vnd.3gpp.sms":
                rp = int(r["gsm_a.rp.msg_type"] or "0", 16)
                mti = r["gsm_sms.tp-mti"]
                if rp > 1:
                    keep = False
                elif rp == 0 and r["gsm_sms.tp-da"]:
                    to = tp_party(r["gsm_sms.dis_field_addr.num_type"], r["gsm_sms.tp-da"])
                    subtype = "command" if mti == "2" else ""
                elif rp == 1 and r["gsm_sms.tp-oa"]:
                    frm = tp_party(r["gsm_sms.dis_field_addr.num_type"], r["gsm_sms.tp-oa"])
                elif rp == 1 and r["gsm_sms.tp-ra"]:
                    frm = tp_party(r["gsm_sms.dis_field_addr.num_type"], r["gsm_sms.tp-ra"])
                    subtype = "delivery-receipt"
            if keep:
                msgs[(cid, cseq)] = {"from": frm, "to": to, "call_id": cid, "outcome": "", "subtype": subtype,
                                     "challenged": False, "done": False}
        elif r["sip.Status-Code"]:
            m = msgs.get((cid, cseq))
            status = int(r["sip.Status-Code"])
            if not m or m["done"] or m["challenged"] or status < 200:
                continue
            if status in (401, 407):
                m["challenged"] = True
                continue
            m["outcome"] = "accepted" if status < 300 else "failed"
            m["done"] = True
    for m in msgs.values():
        outcome = "failed" if m["challenged"] else m["outcome"]
        out.append((m["from"], m["to"], m["call_id"], outcome, m["subtype"]))
    return out


def target_line(party):
    if re.fullmatch(r"\+?[0-9]{5,15}", party):
        return f'    - msisdn: "+{party.lstrip("+")}"'
    if party.startswith("sip:") and "@" in party:
        return f'    - sip: "{party[4:]}"'
    return None


def target_id(party):
    """The target id pentrap gives a party's target (order.md: msisdn "+DIGITS", sip "sip:...")."""
    return "+" + party.lstrip("+") if not party.startswith("sip:") else party


def run(pentrap, capture, targets, work):
    order = os.path.join(work, "order.yaml")
    with open(order, "w") as f:
        f.write("order:\n  id: SMS-TRUTH\n  kind: both\n  valid_from: 1970-01-02T00:00:00Z\n"
                "  valid_until: 2099-12-31T00:00:00Z\n  targets:\n" + "\n".join(targets) + "\n")
    out = subprocess.run([pentrap, "run", "--no-db", "-q", "--order", order, "-r", capture, "--jsonl", "-"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{capture}: pentrap exited {out.returncode}: {out.stderr.strip()}")
    return [json.loads(l) for l in out.stdout.splitlines() if l.strip()]


def key(r):
    return (r["from"], r["to"], r.get("call_id", ""), r.get("outcome", ""), r.get("subtype", ""))


ALL_IP = ['    - ip: 0.0.0.0/1', '    - ip: 128.0.0.0/1', '    - ip: "::/1"', '    - ip: "8000::/1"']


def main():
    pentrap, cases = sys.argv[1], sys.argv[2]
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL " + what)

    with tempfile.TemporaryDirectory() as work:
        for truth in sorted(glob.glob(os.path.join(cases, "*", "capture.pcap.sms.tsv"))):
            capture = truth[:-len(".sms.tsv")]
            name = os.path.basename(os.path.dirname(truth))
            rows = sections(truth)
            want = sorted(smpp_messages(rows.get("smpp", [])) + sip_messages(rows.get("sip", [])))
            # every message once, whoever the parties are (an order naming every address)
            got = sorted(key(r) for r in run(pentrap, capture, ALL_IP, work)
                         if r["type"] == "sms" and r["direction"] == "out")
            check(got == want, f"{name}: every message once: want {want}, got {got}")
            # per party: what it sent and what it received, nothing else (one order names
            # them all; each record says which target it is about)
            parties = [p for p in sorted({m[0] for m in want} | {m[1] for m in want}) if target_line(p)]
            recs = [r for r in run(pentrap, capture, [target_line(p) for p in parties], work)
                    if r["type"] == "sms"] if parties else []
            for p in parties:
                for direction, side in (("out", 0), ("in", 1)):
                    exp = sorted(m for m in want if m[side] == p)
                    got = sorted(key(r) for r in recs if r["direction"] == direction and
                                 r["target"] == target_id(p))
                    check(got == exp, f"{name}: naming {p} ({direction}): want {exp}, got {got}")
            named = {target_id(p) for p in parties}
            stray = [r for r in recs if r["target"] not in named]
            check(not stray, f"{name}: records for targets not named: {stray}")
            recs = run(pentrap, capture, ['    - msisdn: "+19995550100"', '    - sip: "nobody@example.invalid"'], work)
            check(not recs, f"{name}: {len(recs)} records for an order naming nobody in the capture")
            print(f"{name}: {len(want)} messages")
    print(f"sms_truth: {passed} passed, {failed} failed")
    if not passed:
        print(f"FAIL {__file__}: nothing was checked (no cases found?)")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
