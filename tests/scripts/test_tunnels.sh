#!/usr/bin/env bash
# Traffic as taps deliver it (docs/tunnels.md): the same inner traffic — a SIP call, SMS
# over SIP MESSAGE and SMPP, DNS lookups, TLS and QUIC sessions (IPv4 and IPv6),
# WhatsApp chat — untunnelled and inside every encapsulation the decoder opens, one
# and nested, made with scapy by tests/tunnel/make_tunnels.py. For each:
#   - pentrap's records are the untunnelled run's, every field but the capture's hash
#     and the chain, and each names its tunnel (evidence.tunnel);
#   - tshark is the oracle: the SIP Call-IDs (calls, and MESSAGEs that carry an SMS),
#     DNS names and SNIs it sees inside the tunnel are the ones pentrap recorded;
#   - -j 2 (shards by the innermost packet) makes the same records as -j 1;
#   - past the depth cap, and for look-alikes (UDP 4789 that is not VXLAN, a keyed GRE
#     tunnel carrying garbage): no record, and the anomaly counted;
#   - the same traffic mirrored by two switches is two flows, one with --merge-mirrors.
# Needs scapy (Debian's python3-scapy) and tshark; skipped (77) without them.
. "$(dirname "$0")/lib.sh"
command -v tshark > /dev/null || skip "tshark is not installed"
PY=""
for py in python3 /usr/bin/python3; do
  if command -v "$py" > /dev/null && "$py" -c 'import scapy.all' 2> /dev/null; then PY=$py; break; fi
done
[ -n "$PY" ] || skip "no python3 with scapy (Debian's python3-scapy)"

T=$WORK/t
"$PY" "$SRC/tests/tunnel/make_tunnels.py" "$T" > "$WORK/make.log" 2>&1 || { cat "$WORK/make.log"; fail "make_tunnels.py"; exit 1; }
CHECK="python3 $SRC/tests/tunnel/check_records.py"

run() { # run NAME OUT.jsonl [ARGS...]: pentrap on $T/NAME.pcap, the summary in OUT.err
  local name=$1 out=$2; shift 2
  "$PENTRAP" run --no-db --order "$T/order.yaml" -r "$T/$name.pcap" --jsonl "$out" "$@" 2> "${out%.jsonl}.err"
}

# tshark's view inside a capture: the Call-IDs of calls and of MESSAGEs carrying an SMS
# (not RP-ACKs, nor is-composing notices: what a pen register records), the names of DNS
# queries to port 53, and the SNIs of TLS and QUIC ClientHellos.
oracle() { # oracle CAPTURE [DECODE-AS...] > kind<TAB>value lines
  local cap=$1; shift
  tshark -n -r "$cap" "$@" -Y 'sip.Method == "INVITE" or (sip.Method == "MESSAGE" and !(gsm_a.rp.msg_type == 2 or gsm_a.rp.msg_type == 3) and !(sip.Content-Type contains "iscomposing"))' \
    -T fields -e sip.Call-ID 2> /dev/null | sed '/^$/d; s/^/call-id\t/'
  tshark -n -r "$cap" "$@" -Y 'dns.flags.response == 0 and udp.port == 53' -T fields -e dns.qry.name 2> /dev/null |
    tr ',' '\n' | sed '/^$/d; s/^/dns\t/'
  tshark -n -r "$cap" "$@" -Y 'tls.handshake.extensions_server_name' -T fields -e tls.handshake.extensions_server_name 2> /dev/null |
    tr ',' '\n' | sed '/^$/d; s/^/sni\t/'
}

run base "$WORK/base.jsonl" || fail "the base run"
nbase=$(wc -l < "$WORK/base.jsonl")
[ "$nbase" -ge 40 ] && pass || fail "the base made $nbase records: the test traffic lost its events"
grep -Eq '^  anomalies +0$' "$WORK/base.err" && pass || fail "the base counted anomalies"
oracle "$T/base.pcap" | sort -u > "$WORK/base.oracle"
if msg=$($CHECK view "$WORK/base.jsonl" "$WORK/base.oracle"); then pass
else fail "the base itself: pentrap and tshark disagree:"; echo "$msg" | sed 's/^/  | /'; fi

while IFS=$'\t' read -r name expect path args anomaly decode; do
  extra=(); [ "$args" != - ] && read -r -a extra <<< "$args"
  tsh=(); [ "$decode" != - ] && read -r -a tsh <<< "$decode"
  out=$WORK/$name.jsonl
  run "$name" "$out" ${extra[@]+"${extra[@]}"} || { fail "$name: pentrap failed"; continue; }
  if [ "$expect" = same ]; then
    oracle "$T/$name.pcap" ${tsh[@]+"${tsh[@]}"} | sort -u > "$WORK/$name.oracle"
    if diff -q "$WORK/base.oracle" "$WORK/$name.oracle" > /dev/null; then pass
    else fail "$name: tshark sees other events inside the tunnel than in the base"; fi
    if msg=$($CHECK same "$WORK/base.jsonl" "$out" "$path" "$WORK/$name.oracle"); then pass
    else fail "$name:"; echo "$msg" | sed 's/^/  | /'; fi
    grep -Eq '^  anomalies +0$' "${out%.jsonl}.err" && pass || fail "$name: anomalies counted: $(grep anomalies "${out%.jsonl}.err")"
    # -j 2 shards by the innermost packet's device: the same records
    run "$name" "$WORK/$name.j2.jsonl" -j 2 ${extra[@]+"${extra[@]}"} || fail "$name: -j 2 failed"
    if msg=$($CHECK unordered "$out" "$WORK/$name.j2.jsonl"); then pass; else fail "$name -j 2: $msg"; fi
  else
    [ -s "$out" ] && fail "$name: $(wc -l < "$out") records, expected none" || pass
    grep -Eq "^  anomalies .*[(, ]${anomaly//./\\.} [1-9][0-9]*[,)]" "${out%.jsonl}.err" && pass ||
      fail "$name: anomaly $anomaly not counted: $(grep anomalies "${out%.jsonl}.err")"
  fi
done < "$T/manifest.tsv"

# Two switches mirror the same traffic: each frame twice, from two ERSPAN sources.
run two_mirrors "$WORK/mirrors.jsonl" || fail "two_mirrors"
nflows=$($CHECK n "$WORK/base.jsonl" flow)
if msg=$($CHECK count "$WORK/mirrors.jsonl" flow $((nflows * 2))); then pass; else fail "two mirrors: $msg"; fi
run two_mirrors "$WORK/merged.jsonl" --merge-mirrors || fail "two_mirrors --merge-mirrors"
for type in flow sms call.attempt call.end ott.session.begin; do
  n=$($CHECK n "$WORK/base.jsonl" "$type")
  if msg=$($CHECK count "$WORK/merged.jsonl" "$type" "$n"); then pass; else fail "--merge-mirrors: $msg"; fi
done

echo "test_tunnels: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
