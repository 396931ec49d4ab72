#!/usr/bin/env python3
"""Checks pentrap's SIP call records against tshark's truth for every SIP capture in
tests/pcap/sip/*/ that has a *.truth.tsv.

For every INVITE dialog tshark shows (a distinct Call-ID with an INVITE), an order that
names the caller must give a call.attempt record (direction out) with the same caller,
callee and Call-ID; an order that names the callee must give one with direction in;
an order naming nobody in the capture must give no record at all.

The parties are normalised here independently of pentrap (docs/records.md's rules),
so this is an oracle, not a copy. Usage: sip_truth.py PENTRAP CASES_DIR"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

def normalise(uri):
    u = uri.strip()
    if "<" in u and ">" in u:
        u = u[u.index("<") + 1:u.index(">")]
    scheme, _, rest = u.partition(":")
    scheme = scheme.lower()
    if scheme == "tel":
        num = re.sub(r"[-.() ]", "", rest.split(";")[0])
        return num
    if scheme not in ("sip", "sips"):
        return u
    rest = rest.split("?")[0]
    user, at, hostpart = rest.rpartition("@")
    if not at:
        user, hostpart = "", rest
    host = hostpart.split(";")[0]
    if host.startswith("["):
        host = host[:host.index("]") + 1]
    else:
        host = host.split(":")[0]
    host = host.lower()
    user = user.split(";")[0]
    if user.startswith("+") and re.fullmatch(r"\+[0-9-.() ]+", user):
        return "+" + re.sub(r"[^0-9]", "", user)
    return f"sip:{user}@{host}" if user else f"sip:{host}"

def target_line(party):
    if party.startswith("+"):
        return f'    - msisdn: "{party}"'
    if party.startswith("sip:") and "@" in party:
        return f'    - sip: "{party[4:]}"'
    if re.fullmatch(r"[0-9]{5,15}", party):
        return f'    - msisdn: "+{party}"'
    return None

def dialogs(truth):
    """First INVITE of every Call-ID: (call_id, from, to)."""
    cols, out = None, {}
    for line in open(truth, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("#cols=") and cols is None and "sip.Method" in line:
            cols = line[len("#cols="):].split("\t")
        if not line.startswith("sip\t") or cols is None:
            continue
        row = dict(zip(cols, line.split("\t")))
        if row.get("sip.Method") != "INVITE":
            continue
        cid = row["sip.Call-ID"]
        if cid not in out:
            out[cid] = (normalise(row["sip.from.addr"]), normalise(row["sip.to.addr"]))
    return out

def run(pentrap, capture, targets, work):
    order = os.path.join(work, "order.yaml")
    with open(order, "w") as f:
        f.write("order:\n  id: TRUTH\n  kind: both\n  valid_from: 1970-01-02T00:00:00Z\n"
                "  valid_until: 2099-12-31T00:00:00Z\n  targets:\n" + "\n".join(targets) + "\n")
    out = subprocess.run([pentrap, "run", "--no-db", "-q", "--order", order, "-r", capture,
                          "--jsonl", "-"], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{capture}: pentrap exited {out.returncode}: {out.stderr.strip()}")
    return [json.loads(l) for l in out.stdout.splitlines() if l.strip()]

def main():
    pentrap, cases = sys.argv[1], sys.argv[2]
    passed = failed = 0
    with tempfile.TemporaryDirectory() as work:
        for truth in sorted(glob.glob(os.path.join(cases, "*", "capture.*.truth.tsv"))):
            capture = truth[:-len(".truth.tsv")]
            name = os.path.basename(os.path.dirname(truth))
            for cid, (caller, callee) in dialogs(truth).items():
                for who, direction in ((caller, "out"), (callee, "in")):
                    t = target_line(who)
                    if t is None:
                        continue
                    recs = run(pentrap, capture, [t], work)
                    hit = [r for r in recs if r["type"] == "call.attempt" and r["call_id"] == cid
                           and r["direction"] == direction]
                    if len(hit) == 1 and hit[0]["from"] == caller and hit[0]["to"] == callee:
                        passed += 1
                    else:
                        failed += 1
                        print(f"FAIL {name}: Call-ID {cid} naming {who} ({direction}): want "
                              f"{caller} -> {callee}, got {[(r['from'], r['to']) for r in hit]}")
            recs = run(pentrap, capture, ['    - msisdn: "+19995550100"', '    - sip: "nobody@example.invalid"'], work)
            if recs:
                failed += 1
                print(f"FAIL {name}: {len(recs)} records for an order naming nobody in the capture")
            else:
                passed += 1
    print(f"sip_truth: {passed} passed, {failed} failed")
    if not passed:
        print(f"FAIL {__file__}: nothing was checked (no cases found?)")
    return 1 if failed or not passed else 0

if __name__ == "__main__":
    sys.exit(main())
