#!/usr/bin/env bash
# Tunnels in captures nobody here wrote (docs/tunnels.md): the public captures in the
# tree that carry VLAN stacks, PPPoE, GTP-U and Linux cooked headers, run with an order
# that takes every address. tshark is the oracle (tests/tunnel/check_public.py): each
# record's evidence.tunnel is the path tshark dissects in one of the record's frames
# (none where those frames have no tunnel), and the DNS names, SNIs and Call-IDs a
# tunnelled record read are ones tshark reads inside a tunnel. Each capture must give at
# least the number of tunnelled records it gives today, so losing them fails. /work's
# shared captures hold no GRE, ERSPAN, VXLAN, Geneve, MPLS or NSH capture: those are
# tested on the scapy-made captures of test_tunnels.sh.
# Then the oracle itself must be able to fail: one record's path changed is caught.
# Needs tshark; skipped (77) without it.
. "$(dirname "$0")/lib.sh"
command -v tshark > /dev/null || skip "tshark is not installed"
CHECK="python3 $SRC/tests/tunnel/check_public.py"
cat > "$WORK/order.yaml" <<'YAML'
order:
  id: TEST-tunnels-public
  authority: tests/scripts/test_tunnels_public.sh (test, no real order)
  kind: both
  valid_from: 1970-01-01T00:00:00Z
  valid_until: 2099-12-31T23:59:59Z
  targets:
    - ip: 0.0.0.0/1
    - ip: 128.0.0.0/1
    - ip: ::/1
    - ip: 8000::/1
YAML

# capture (each with its PROVENANCE.md), the tunnelled records it gives at least, and what it has
while read -r cap min _; do
  out=$WORK/$(echo "$cap" | tr / _).jsonl
  "$PENTRAP" run --no-db -q --order "$WORK/order.yaml" -r "$SRC/$cap" --jsonl "$out" 2> "$WORK/err" ||
    { fail "$cap: pentrap failed: $(head -1 "$WORK/err")"; continue; }
  if msg=$($CHECK "$SRC/$cap" "$out" "$min" 2>&1); then pass
  else fail "$cap:"; echo "$msg" | head -20 | sed 's/^/  | /'; fi
done <<'LIST'
tests/pcap/tunnel/ndpi_dns_pppoe_vlan/capture.pcap 2 two VLANs and PPPoE (nDPI)
tests/pcap/gtp/ndpi_gtp_prime/capture.pcapng 2 two VLANs (nDPI)
tests/pcap/apps/zoom/capture.pcap 1 two VLANs and GTP-U (nDPI)
tests/pcap/apps/rtmp/capture.pcap 4 two VLANs and GTP-U (nDPI)
tests/pcap/gtp/open5gs_srsenb/capture.pcapng 81 Linux cooked, GTP-U (open5gs)
tests/pcap/gtp/magma_roaming/capture.pcapng 2 GTP-U (magma)
tests/unit/data/gtp__zeek__gtp1_gn_normal_incl_fragmentation.pcap 2 GTP-U, fragments (Zeek)
LIST

# the oracle can fail: a VLAN id off by one, and a tunnel dropped from a record
cap=tests/pcap/gtp/ndpi_gtp_prime/capture.pcapng
out=$WORK/$(echo "$cap" | tr / _).jsonl
sed '0,/"tunnel":"vlan 100/s//"tunnel":"vlan 101/' "$out" > "$WORK/wrong.jsonl"
$CHECK "$SRC/$cap" "$WORK/wrong.jsonl" 1 > /dev/null 2>&1 && fail "a wrong VLAN id passed the oracle" || pass
sed 's/,"tunnel":"[^"]*"//' "$out" > "$WORK/lost.jsonl"
$CHECK "$SRC/$cap" "$WORK/lost.jsonl" 0 > /dev/null 2>&1 && fail "records that lost their tunnel passed the oracle" || pass

finish
