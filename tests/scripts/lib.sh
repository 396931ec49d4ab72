# Shared helpers for the script tests (sourced, not run). Each test script gets the
# pentrap executable as $1 and PENTRAP_SRC from ctest.
set -uo pipefail
PENTRAP=${1:?usage: $0 PENTRAP}
SRC=${PENTRAP_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }

# expect_run NAME STATUS REGEX -- ARGS...: runs pentrap, checks status and that stderr
# has exactly one line matching REGEX (for failures) or matches REGEX (for success).
expect_run() {
  local name=$1 want=$2 pattern=$3; shift 4
  "$PENTRAP" "$@" > "$WORK/stdout" 2> "$WORK/stderr"
  local got=$?
  if [ "$got" != "$want" ]; then
    fail "$name: exit status $got, expected $want"; sed 's/^/  | /' "$WORK/stderr"; return
  fi
  if ! grep -Eq -- "$pattern" "$WORK/stderr"; then
    fail "$name: stderr does not match /$pattern/"; sed 's/^/  | /' "$WORK/stderr"; return
  fi
  if [ "$want" != 0 ]; then
    local lines; lines=$(grep -c . "$WORK/stderr")
    if [ "$lines" != 1 ]; then fail "$name: $lines lines on stderr, expected one"; sed 's/^/  | /' "$WORK/stderr"; return; fi
  fi
  pass
}

finish() {
  echo "$(basename "$0" .sh): $PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
