#!/usr/bin/env python3
"""ndpi_check.py RECORDS.jsonl TRUTH.tsv DEVICE: checks pentrap's OTT records for one
device against the nDPI labels in a capture's truth file (ndpi_flows section, made by
ndpiReader 4.2; see ../../../../shared/pcaps/MANIFEST.md).

For every flow of DEVICE that nDPI labels with an app pentrap has signatures for:
  - a session label (WhatsApp, ApplePush, Signal, Telegram, and TLS.* of them) needs an
    ott.session.begin of the same service for that flow's addresses and ports (or, on
    UDP, a call of the service as below: nDPI 4.2 labels Telegram's relays "Telegram");
  - a call label (STUN.WhatsAppCall, SRTP.WhatsAppCall, STUN.SignalVoip,
    STUN.TelegramVoip) needs an ott.call.begin of the service for the device, and no
    `flow` record for that flow (pentrap writes flow records only for flows it could
    not name; a call's flows are named by the call).
For every flow nDPI labels as Apple but not ApplePush (iCloud, iTunes, Apple), there
must be no apple-push session and no imessage message on it: the look-alike.
Prints one line per check and exits 1 on any failure."""
import json
import sys

SESSION = {"WhatsApp": "whatsapp", "WhatsAppFiles": "whatsapp", "ApplePush": "apple-push", "Signal": "signal",
           "Telegram": "telegram"}
CALL = {"WhatsAppCall": "whatsapp", "SignalVoip": "signal", "TelegramVoip": "telegram"}
LOOKALIKE = {"Apple", "AppleiCloud", "AppleiTunes", "AppleStore"}

def main():
    recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    device = sys.argv[3]
    rows, cols = [], None
    for line in open(sys.argv[2]):
        line = line.rstrip("\n")
        if line.startswith("#cols="):
            cur = line[6:].split("\t")
            continue
        if line.startswith("ndpi_flows\t"):
            rows.append(dict(zip(cur, line.split("\t"))))
    def ends(r):
        e = r["evidence"]
        return {(e.get("src"), e.get("sport"), e.get("dst"), e.get("dport")), (e.get("dst"), e.get("dport"), e.get("src"), e.get("sport"))}
    sessions = [r for r in recs if r["type"] == "ott.session.begin"]
    calls = {r.get("service") for r in recs if r["type"] == "ott.call.begin"}
    flows = [r for r in recs if r["type"] == "flow"]
    messages = [r for r in recs if r["type"] == "ott.message"]
    fails = checks = 0
    for row in rows:
        if device not in (row["src_ip"], row["dst_ip"]):
            continue
        label = row["ndpi_proto"]
        app = label.split(".")[-1]
        master = label.split(".")[0]
        if master == "DNS":
            continue
        key = (row["src_ip"], int(row["src_port"]), row["dst_ip"], int(row["dst_port"]))
        what = f"{label} {key[0]}:{key[1]} -> {key[2]}:{key[3]}"
        in_call = lambda svc: svc in calls and not any(key in ends(f) for f in flows)
        if app in CALL:
            want = CALL[app] + " call"
            ok = in_call(CALL[app])
        elif app in SESSION:
            # nDPI 4.2 also gives a bare "Telegram" to call relays over UDP: a call of the
            # service names those as well
            want = SESSION[app]
            ok = any(key in ends(s) and s.get("service") == want for s in sessions) or \
                (row["l4proto"] == "17" and in_call(want))
        elif app in LOOKALIKE:
            want = "no apple-push session, no imessage"
            ok = not any(key in ends(s) and s.get("service") == "apple-push" for s in sessions) and \
                 not any(key in ends(m) for m in messages)
        else:
            continue
        checks += 1
        fails += not ok
        print(("ok   " if ok else "FAIL ") + what + " : " + want)
    print(f"{checks} checks, {fails} failed")
    sys.exit(1 if fails else 0)

main()
