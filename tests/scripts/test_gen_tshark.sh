#!/usr/bin/env bash
# pentrap gen: the same seed gives the same bytes from the command line; tshark (the
# oracle) parses the captures with no malformed packet and no error-level expert info,
# and counts as many SIP, SMPP, GTPv2, MAP, RADIUS, DNS, TLS ClientHello and QUIC
# Initial messages as the truth's summary says were written; every call and SMS in the
# truth is where tshark sees it (Call-IDs, parties); and the project's shared
# make_truth.py (copied into tests/scripts/) agrees with the same counts.
source "$(dirname "$0")/lib.sh"
PENTRAP=$(cd "$(dirname "$PENTRAP")" && pwd)/$(basename "$PENTRAP")
command -v tshark > /dev/null || skip "needs tshark (scripts/install-deps.sh --test installs it)"
cd "$WORK" || exit 1
# seed 3: a small capture with every kind of message in it (the counts must not be zero)
ARGS=(--seed 3 --subscribers 30 --duration 100 --mix default)

"$PENTRAP" gen "${ARGS[@]}" -o g.pcap --truth g.jsonl -q || fail "gen failed"
"$PENTRAP" gen "${ARGS[@]}" -o g2.pcap --truth g2.jsonl -q || fail "second gen failed"
if [ "$(sha256sum < g.pcap)" = "$(sha256sum < g2.pcap)" ] && [ "$(sha256sum < g.jsonl)" = "$(sha256sum < g2.jsonl)" ]; then
  pass
else
  fail "two runs with the same seed differ"
fi

# one tshark pass gives every field the checks below need
tshark -n -r g.pcap -T fields -E separator='|' -E occurrence=a -E aggregator=, -e frame.protocols \
  -e tls.handshake.type -e quic.long.packet_type -e sip.Method -e sip.Call-ID -e gsm_sms.tp-oa -e gsm_sms.tp-da \
  -e smpp.command_id -e smpp.source_addr -e smpp.destination_addr 2>/dev/null > fields.txt
if tshark -n -r g.pcap -q -z expert 2>/dev/null | grep -q "^Errors ("; then
  fail "tshark reports error-level expert infos:"; tshark -n -r g.pcap -q -z expert,error 2>/dev/null | head -20
else
  pass
fi
out=$(python3 - <<'EOF'
import json
truth = [json.loads(l) for l in open("g.jsonl") if l.strip()]
msgs = truth[-1]["messages"]
got = dict.fromkeys(msgs, 0)
malformed = 0
invites, tpdu, smpp = set(), [], set()
for line in open("fields.txt"):
    protos, hs, qt, method, callid, oa, da, cmd, src, dst = line.rstrip("\n").split("|")
    layers = protos.split(":")
    malformed += "_ws.malformed" in layers
    for name, layer in (("sip", "sip"), ("smpp", "smpp"), ("gtpv2", "gtpv2"), ("map", "gsm_map"),
                        ("radius", "radius"), ("dns", "dns")):
        got[name] += layer in layers
    hs_types = hs.split(",")
    got["tls_client_hello"] += "1" in hs_types and "tcp" in layers
    got["quic_initial"] += "1" in hs_types and "0" in qt.split(",")
    if "INVITE" in method.split(","):
        invites.add(callid)
    if oa or da:
        tpdu.append((oa, da))
    for c, s_, d in zip(cmd.split(","), src.split(","), dst.split(",")):
        if c in ("0x00000004", "0x00000005", "4", "5"):
            smpp.add((s_, d))
bad = []
if malformed:
    bad.append(f"tshark finds {malformed} malformed packets")
for k, v in msgs.items():
    if got[k] != v or v == 0:
        bad.append(f"{k}: tshark counts {got[k]}, truth says {v}")
calls = [t for t in truth if t["type"] == "call.attempt"]
for t in calls:
    if t["call_id"] not in invites:
        bad.append("no INVITE for call " + t["call_id"])
if len(invites) != len(calls):
    bad.append(f"{len(invites)} INVITE dialogs in tshark, {len(calls)} call attempts in the truth")
sms = [t for t in truth if t["type"] == "sms"]
for t in sms:
    f, to = t["from"].lstrip("+"), t["to"].lstrip("+")
    if t["protocol"] == "smpp":
        if (f, to) not in smpp:
            bad.append("SMPP SMS not in tshark: " + json.dumps(t))
    else:
        # SMS-SUBMIT names the recipient (TP-DA), SMS-DELIVER the sender (TP-OA)
        peer = to if t["leg"] == "mo" else f
        if not any(peer in row for row in tpdu):
            bad.append("TPDU party not in tshark: " + json.dumps(t))
sip_sms = sum(1 for t in sms if t["protocol"] == "sip-message")
map_sms = sum(1 for t in sms if t["protocol"] == "map")
print(len(calls), len(sms), sip_sms, map_sms)
for b in bad:
    print("BAD", b)
EOF
)
read -r ncalls nsms nsip nmap <<< "$(echo "$out" | head -1)"
if echo "$out" | grep -q "^BAD"; then fail "truth and tshark disagree:"; echo "$out" | grep "^BAD" | head -10; else pass; fi
[ "${ncalls:-0}" -gt 0 ] && [ "${nsms:-0}" -gt 0 ] && pass || fail "the capture has no calls or no SMS (calls ${ncalls:-?}, sms ${nsms:-?})"

# noise: retransmissions, reordering and fragments still parse without malformed packets
"$PENTRAP" gen --seed 12 --subscribers 20 --duration 60 --noise retrans,reorder,frag -o n.pcap --truth n.jsonl -q \
  || fail "gen with noise failed"
malformed=$(tshark -n -r n.pcap -Y _ws.malformed 2>/dev/null | wc -l)
[ "$malformed" = 0 ] && pass || fail "noise capture: tshark finds $malformed malformed packets"
frags=$(tshark -n -r n.pcap -Y "ip.flags.mf == 1" 2>/dev/null | wc -l)
[ "$frags" -gt 0 ] && pass || fail "noise capture: no IP fragments"
# reassembled, a fragmented SIP or DNS message is still counted once
got=$(tshark -n -r n.pcap -Y sip 2>/dev/null | wc -l)
exp=$(python3 -c "import json; print(json.loads(open('n.jsonl').read().splitlines()[-1])['messages']['sip'])")
[ "$got" = "$exp" ] && pass || fail "noise capture: tshark counts $got SIP messages, truth says $exp"

# the shared ground-truth tool agrees (a copy of it: tests/scripts/make_truth.py)
MT="$SRC/tests/scripts/make_truth.py"
if python3 "$MT" g.pcap --smpp > /dev/null 2>&1 && [ -s g.pcap.truth.tsv ]; then pass; else fail "make_truth.py g.pcap failed"; fi
res=$(python3 - "$nsip" "$nmap" <<'EOF'
import json, sys
nsip, nmap = int(sys.argv[1]), int(sys.argv[2])
msgs = json.loads(open("g.jsonl").read().splitlines()[-1])["messages"]
rows = {}
for l in open("g.pcap.truth.tsv"):
    if l.startswith("#") or not l.strip():
        continue
    sec = l.split("\t", 1)[0]
    rows[sec] = rows.get(sec, 0) + 1
want = {"sip": msgs["sip"], "smpp": msgs["smpp"], "gtpv2c": msgs["gtpv2"], "sigtran": msgs["map"],
        "radius": msgs["radius"], "dns": msgs["dns"], "tls_clienthello": msgs["tls_client_hello"],
        "quic_initial": msgs["quic_initial"],
        # SIP MESSAGE requests (RP-DATA and RP-ACK: two per leg) and MAP messages with a TPDU
        "sms_over_ims": 2 * nsip + nmap}
for k, v in want.items():
    if rows.get(k, 0) != v:
        print(f"BAD make_truth {k}: {rows.get(k, 0)} rows, truth says {v}")
print("OK")
EOF
)
if [ "$res" = OK ]; then pass; else fail "make_truth.py disagrees:"; echo "$res" | grep -v "^OK" | head; fi

finish
