#!/usr/bin/env bash
# Installs what bench/run needs besides the build dependencies (scripts/install-deps.sh),
# from Debian's packages, non-interactively (Debian 12, as root or with sudo):
#   tcpdump (the libpcap read floor), libndpi-bin (ndpiReader, nDPI 4.2), tshark and
#   wireshark-common (capinfos, mergecap, editcap), tcpreplay (tcprewrite, for workload A),
#   time (GNU time: peak memory), python3 (the order and the accuracy report),
#   python3-cryptography (bench/memory.sh's QUIC attack, tests/bad/make_attacks.py),
#   valgrind (bench/tunnel-cost.sh counts instructions with callgrind).
set -euo pipefail
pkgs=(tcpdump libndpi-bin tshark wireshark-common tcpreplay time python3 python3-cryptography valgrind)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
