#!/usr/bin/env bash
# The main job on the bundled sample: install, build, then record the sample order's
# targets from the sample capture into records.db (SQLite) and print them as a table.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
rm -f records.db
build/pentrap run --order samples/order.yaml -r samples/sample.pcap --db records.db --table
