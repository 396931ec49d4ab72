#!/usr/bin/env bash
# Stores on read-only media (docs/records.md, "Reading a store"): query, report and verify
# open a store read-only and never write to it —
#  1. as an unprivileged user (nobody), on a store in a folder it may not write in
#     (SQLite cannot make its -shm beside it: the store is read as immutable), and
#  2. on a read-only file system (a read-only bind mount in a mount namespace of its own).
# Nothing in the folder changes. Needs root to become nobody and to mount: skipped
# (exit 77) otherwise, failed under CI.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v setpriv > /dev/null || ! command -v unshare > /dev/null; then
  echo "test_readonly: needs root, setpriv and unshare"
  [ "${CI:-}" = true ] && exit 1 || exit 77
fi
S=$SRC/samples/imessage-story
cd "$WORK" || exit 1
mkdir -p "$WORK/ro"
"$PENTRAP" run -q --order "$S/order.yaml" -r "$S/story.pcap" --db "$WORK/ro/records.db" || fail "run"
chmod 644 "$WORK/ro/records.db"       # a copy handed out to be read
chmod 555 "$WORK/ro"                  # in a folder nobody may write in
chmod 711 "$WORK"
state() { (cd "$WORK/ro" && ls -A && stat -c '%n %s %.9Y' . records.db && sha256sum records.db); }
before=$(state)
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$PENTRAP" "$@"; }
as_nobody query --db "$WORK/ro/records.db" --target +15559545383 --format jsonl > q1.out 2> q1.err
[ "$(grep -c . q1.out)" = 41 ] && pass || { fail "query as nobody: $(grep -c . q1.out) records"; cat q1.err; }
as_nobody verify --db "$WORK/ro/records.db" > v1.out 2>&1 && grep -q '^result: verified' v1.out && pass || { fail "verify as nobody"; cat v1.out; }
as_nobody report --db "$WORK/ro/records.db" --format json -o - > r1.json 2> r1.err && \
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["verification"] == "verified" and len(d["edges"]) == 1 else 1)' r1.json \
  && pass || { fail "report as nobody"; cat r1.err; }
after=$(state)
[ "$before" = "$after" ] && pass || { fail "the read-only folder changed"; diff <(echo "$before") <(echo "$after"); }

# 2. A read-only file system.
mkdir -p "$WORK/mnt"
chmod 755 "$WORK/ro"
unshare -m bash -c '
  mount --bind "$1/ro" "$1/mnt" && mount -o remount,bind,ro "$1/mnt" || exit 99
  touch "$1/mnt/x" 2>/dev/null && exit 98
  "$2" query --db "$1/mnt/records.db" --target 100.64.0.0/24 --format jsonl > "$1/q2.out" &&
  "$2" verify --db "$1/mnt/records.db" > "$1/v2.out" 2>&1 &&
  "$2" report --db "$1/mnt/records.db" -o "$1/r2.html"' _ "$WORK" "$PENTRAP"
st=$?
[ $st = 0 ] && pass || fail "on a read-only file system: status $st"
[ "$(grep -c . "$WORK/q2.out" 2>/dev/null)" = 48 ] && grep -q '^result: verified' "$WORK/v2.out" && \
  grep -q 'Record chain: verified' "$WORK/r2.html" && pass || fail "read-only file system: query, verify, report"
finish
