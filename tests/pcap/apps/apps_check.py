#!/usr/bin/env python3
"""apps_check.py RECORDS.jsonl LABELS.tsv [KNOWN.tsv CAPTURE]: pentrap's records of one capture
against nDPI's labels of its flows (LABELS.tsv, made from nDPI's expected result by
ndpi_labels.py). The records must come from a run whose order names every client of
LABELS.tsv (apps_order.py). Checks, per client nDPI names an app for:

  session  every app nDPI names for a client (a flow label, or its last part: TLS.Zoom,
           STUN.Skype_TeamsCall) is recorded for that client with pentrap's service name:
           an ott.session.begin or an ott.call.begin of that service from that device;
  call     every call nDPI names (a label ending in Call, Voip or _Voice, or STUN, DTLS or
           SRTP of an app) gives an ott.call.begin of that service for that client;
  foreign  no record names a service nDPI does not see in the capture (DNS lookups of an
           app count as seeing it: the name is there);
  calls    every ott.call.begin is of a service nDPI names on a UDP flow of that client
           (its media): on streaming, games and chat, where nDPI names no UDP app, no call
           at all, of any service, `unknown` included.

A line of KNOWN.tsv (capture, client, service, check, reason) whose capture is CAPTURE
accepts one check that fails for a documented reason; it is printed as "known", and a
known line that no longer fails is itself a failure (so the list cannot go stale).
Prints one line per check and a summary; exits 1 on any failure."""
import json
import sys

# nDPI's app names -> pentrap's service names (docs/signatures.md)
SERVICE = {
    "Zoom": "zoom", "Teams": "teams", "Skype_Teams": "teams", "Skype": "teams", "Skype_TeamsCall": "teams",
    "SkypeCall": "teams", "GoogleMeet": "googlemeet", "GoogleDuo": "googlemeet", "Viber": "viber",
    "ViberVoip": "viber", "Line": "line", "LineCall": "line", "WeChat": "wechat", "Snapchat": "snapchat",
    "SnapchatCall": "snapchat", "Discord": "discord", "Threema": "threema", "KakaoTalk": "kakaotalk",
    "KakaoTalk_Voice": "kakaotalk", "IMO": "imo", "Webex": "webex", "Messenger": "messenger",
    "Jabber": "xmpp", "TeamSpeak": "teamspeak", "Mumble": "mumble", "WhatsApp": "whatsapp",
    "WhatsAppCall": "whatsapp", "WhatsAppFiles": "whatsapp", "ApplePush": "apple-push", "Signal": "signal",
    "SignalVoip": "signal", "Telegram": "telegram", "TelegramVoip": "telegram", "FaceTime": "facetime",
}
# services that ride on another's flows, so seeing that one is seeing them
ALSO = {"apple-push": {"imessage", "facetime"}, "Apple": {"apple-ids"}, "AppleiCloud": {"apple-ids"},
        "AppleiTunes": {"apple-ids"}, "AppleStore": {"apple-ids"}}
MEDIA_MASTERS = {"STUN", "DTLS", "SRTP"}


def app_of(label):
    parts = label.split(".")
    return parts[-1], parts[0] if len(parts) > 1 else ""


def is_call(label):
    app, master = app_of(label)
    return app in SERVICE and (app.endswith("Call") or app.endswith("Voip") or app.endswith("_Voice")
                               or master in MEDIA_MASTERS)


def main():
    recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    labels = []
    for line in open(sys.argv[2]):
        if line.startswith("#") or not line.strip():
            continue
        l4, c, cp, s, sp, label = line.rstrip("\n").split("\t")
        labels.append((l4, c, label))
    known = []
    if len(sys.argv) > 4:
        for line in open(sys.argv[3]):
            if line.startswith("#") or not line.strip():
                continue
            cap, c, svc, check, reason = line.rstrip("\n").split("\t")
            if cap == sys.argv[4]:
                known.append([c, svc, check, reason, False])

    def device(r):
        return r.get("evidence", {}).get("src")

    have = {}
    for r in recs:
        if r["type"] in ("ott.session.begin", "ott.call.begin"):
            have.setdefault((device(r), r.get("service")), set()).add(r["type"])
    seen, need_session, need_call, media = set(), set(), set(), set()
    for l4, c, label in labels:
        app, master = app_of(label)
        for name in (app, master):
            if name in SERVICE:
                seen.add(SERVICE[name])
                seen |= ALSO.get(SERVICE[name], set())
            seen |= ALSO.get(name, set())
        if app not in SERVICE or master == "DNS":
            continue
        if l4 == "UDP":
            media.add((c, SERVICE[app]))
        need_session.add((c, SERVICE[app]))
        if is_call(label):
            need_call.add((c, SERVICE[app]))

    checks = fails = 0
    out = []

    def report(ok, c, svc, check, what):
        nonlocal checks, fails
        checks += 1
        for k in known:
            if k[0] == c and k[1] == svc and k[2] == check:
                if ok:
                    out.append(f"FAIL {check} {c} {svc}: listed as a known miss but recorded now ({k[3]})")
                    fails += 1
                else:
                    out.append(f"known {check} {c} {svc}: {k[3]}")
                k[4] = True
                return
        if not ok:
            fails += 1
        out.append(("ok   " if ok else "FAIL ") + f"{check} {c} {svc}: {what}")

    for c, svc in sorted(need_session):
        report(bool(have.get((c, svc))), c, svc, "session", "nDPI names it; pentrap records a session or call")
    for c, svc in sorted(need_call):
        report("ott.call.begin" in have.get((c, svc), set()), c, svc, "call", "nDPI names a call; pentrap records one")
    named = {}
    for r in recs:
        svc = r.get("service")
        if r["type"].startswith("ott.") and svc and svc != "unknown":
            named.setdefault(svc, r)
    for svc, r in sorted(named.items()):
        report(svc in seen, device(r), svc, "foreign", "a service nDPI sees in this capture")
    calls = [(device(r), r.get("service")) for r in recs if r["type"] == "ott.call.begin"]
    bad = sorted({k for k in calls if k not in media})
    report(not bad, "-", "-", "calls", f"{len(calls)} calls, each of an app nDPI names on UDP for that client"
           + (": not " + ", ".join(f"{c} {s}" for c, s in bad) if bad else ""))
    for k in known:
        if not k[4]:
            out.append(f"FAIL known miss not checked here: {k[0]} {k[1]} {k[2]}")
            fails += 1
    print("\n".join(out))
    unknown = sum(1 for r in recs if r["type"] == "ott.call.begin" and r.get("service") == "unknown")
    print(f"{checks} checks, {fails} failed; {unknown} calls of no known app")
    sys.exit(1 if fails else 0)


main()
