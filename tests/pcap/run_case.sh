#!/usr/bin/env bash
# Runs one golden pcap case: tests/pcap/<protocol>/<case>/
#   args               the arguments of `pentrap run` after --jsonl (paths relative to the case)
#   expected.jsonl     the expected records, narrowed to the fields in `fields`, sorted
#   fields             (optional) comma-separated record fields to compare
#                      (default: type,direction,target,from,to,call_id,outcome)
#   types              (optional) comma-separated record types to compare (default: all)
#   expected_status    (optional) the exit status, default 0
# With UPDATE_EXPECTED=1 it rewrites expected.jsonl instead of comparing (check the
# result against the capture's truth.tsv before committing it).
# Then the same run with two worker threads (run -j 2, run/workers.h) must give the
# same records, every field (in any order), and the same counts in its summary.
set -euo pipefail
pentrap=$(realpath "$1"); case_dir=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fields=type,direction,target,from,to,call_id,outcome
[ -f "$case_dir/fields" ] && fields=$(tr -d ' \n' < "$case_dir/fields")
types=""
[ -f "$case_dir/types" ] && types=$(tr -d ' \n' < "$case_dir/types")
want_status=0
[ -f "$case_dir/expected_status" ] && want_status=$(tr -d ' \n' < "$case_dir/expected_status")
read -r -a args < "$case_dir/args"
set +e
(cd "$case_dir" && "$pentrap" run --no-db --jsonl "$work/out.jsonl" "${args[@]}") 2> "$work/stderr"
status=$?
set -e
if [ "$status" != "$want_status" ]; then
  echo "FAIL: exit status $status, expected $want_status"; cat "$work/stderr"; exit 1
fi
touch "$work/out.jsonl"
python3 "$here/project.py" "$fields" "$types" < "$work/out.jsonl" > "$work/got.jsonl"
if [ "${UPDATE_EXPECTED:-}" = 1 ]; then
  cp "$work/got.jsonl" "$case_dir/expected.jsonl"; echo "updated $case_dir/expected.jsonl"; exit 0
fi
if ! diff -u "$case_dir/expected.jsonl" "$work/got.jsonl"; then
  echo "FAIL: records differ from $case_dir/expected.jsonl"; exit 1
fi

set +e
(cd "$case_dir" && "$pentrap" run --no-db --jsonl "$work/j2.jsonl" -j 2 "${args[@]}") 2> "$work/j2.stderr"
j2_status=$?
set -e
if [ "$j2_status" != "$status" ]; then
  echo "FAIL: -j 2: exit status $j2_status, -j 1 gave $status"; cat "$work/j2.stderr"; exit 1
fi
touch "$work/j2.jsonl"
if ! diff -u <(python3 "$here/unordered.py" < "$work/out.jsonl") <(python3 "$here/unordered.py" < "$work/j2.jsonl"); then
  echo "FAIL: -j 2 made other records than -j 1"; exit 1
fi
counts() { grep -E '^  (packets|flows|events|sms|map ops|tcap|anomalies|ott|targets) ' "$1" | sed 's/ in [0-9.]* s$//'; }
if ! diff -u <(counts "$work/stderr") <(counts "$work/j2.stderr"); then
  echo "FAIL: -j 2 counted otherwise than -j 1"; exit 1
fi
echo "ok: $(wc -l < "$work/got.jsonl") records match, and with -j 2"
