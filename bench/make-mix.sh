#!/usr/bin/env bash
# Builds benchmark workload A: real captures (nDPI's test captures of SIP, WhatsApp,
# Telegram, Signal and an iPhone) repeated ROUNDS times (default 100), each round with
# its 192.168/16 addresses moved to 10.K/16 and its timestamps shifted 1000 s per
# round, so flows do not collapse into each other. The same recipe as the project's
# shared/bench/make-mix.sh (default 100 rounds: 147,116,524 bytes, 548,300 packets).
#
# Usage: bench/make-mix.sh OUT.pcap [ROUNDS] [CAPTURE_DIR]
#   CAPTURE_DIR: where the seven captures are; default $PENTRAP_PCAPS, else
#   ../shared/pcaps/ndpi beside the repository (read only: nothing is written there).
# Needs: tcpreplay (tcprewrite), wireshark-common (mergecap) — bench/install-deps.sh.
set -euo pipefail
out=${1:?usage: make-mix.sh OUT.pcap [ROUNDS] [CAPTURE_DIR]}
rounds=${2:-100}
root=$(cd "$(dirname "$0")/.." && pwd)
src=${3:-${PENTRAP_PCAPS:-$root/../shared/pcaps/ndpi}}
captures=(whatsapp_login_call telegram signal iphone sip wa_voice whatsapp)
for c in "${captures[@]}"; do
  [ -f "$src/$c.pcap" ] || { echo "make-mix.sh: $src/$c.pcap not found (give CAPTURE_DIR or PENTRAP_PCAPS)" >&2; exit 2; }
done
for t in tcprewrite mergecap; do
  command -v $t >/dev/null || { echo "make-mix.sh: needs $t (bench/install-deps.sh)" >&2; exit 2; }
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mergecap -F pcap -a -w "$tmp/round.pcap" $(for c in "${captures[@]}"; do echo "$src/$c.pcap"; done)
for k in $(seq 1 "$rounds"); do
  tcprewrite --pnat=192.168.0.0/16:10.$((k % 250)).0.0/16 --infile="$tmp/round.pcap" --outfile="$tmp/t.pcap"
  editcap -t $((k * 1000)) "$tmp/t.pcap" "$tmp/r_$k.pcap"
done
mergecap -F pcap -a -w "$out" $(for k in $(seq 1 "$rounds"); do echo "$tmp/r_$k.pcap"; done)
echo "$out: $(stat -c %s "$out") bytes"
