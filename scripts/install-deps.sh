#!/usr/bin/env bash
# Installs what pentrap needs to build and test, from Debian's packages (Debian 12, as root).
# Usage: scripts/install-deps.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail
pkgs=(build-essential cmake pkg-config libpcap-dev libsqlite3-dev libyaml-dev libssl-dev sqlite3 graphviz
      libpq-dev librabbitmq-dev)   # the central store (PostgreSQL) and the broker (RabbitMQ): docs/scale.md
if [ "${1:-}" = "--test" ]; then
  pkgs+=(python3 clang-14 libclang-rt-14-dev chromium)
  pkgs+=(tshark openssl)   # test_content.sh: the oracle for SDP; test_gen_tshark.sh; test_tamper.sh: re-signing
  pkgs+=(tcpreplay iproute2 passwd)   # test_live*.sh: replay onto a veth pair in a network namespace; -Z's user
  pkgs+=(python3-cryptography)        # tests/bad/make_attacks.py: QUIC Initials protected as RFC 9001 says
  pkgs+=(rabbitmq-server postgresql)  # test_scale*.sh: a throwaway broker and database cluster on loopback
  pkgs+=(python3-scapy)               # test_tunnels.sh: the tunnelled captures (tests/tunnel/make_tunnels.py)
  pkgs+=(debhelper dpkg-dev fakeroot lintian man-db groff-base bash-completion)  # test_install.sh, test_deb.sh: the package, the manual
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # tshark's wireshark-common asks whether non-root users may capture: answer it up front
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
