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

# skip WHY: this test cannot run here (a tool, root). Exits 77, which ctest reports as
# skipped (SKIP_RETURN_CODE, tests/CMakeLists.txt). Under CI=true it fails instead: CI
# runs as root with every package of scripts/install-deps.sh --test, so a test that
# skips there has lost what it checks.
skip() {
  if [ "${CI:-}" = true ]; then
    echo "FAIL: cannot run in CI, where it must: $*"
    exit 1
  fi
  echo "SKIPPED: $*"
  exit 77
}

# wait_stopped PID: waits (up to 60 s) until the process has stopped itself
# (PENTRAP_TEST_HOOK=STOP@...); fails, and returns 1, when it ended or did not stop.
wait_stopped() {
  local state
  for _ in $(seq 1200); do
    state=$(awk '{print $3}' "/proc/$1/stat" 2> /dev/null) || state=""
    case "$state" in
      T) return 0 ;;
      ''|Z) break ;;
    esac
    sleep 0.05
  done
  fail "process $1 did not stop itself (state '${state:-gone}')"
  return 1
}

# finish: the tally; fails when a check failed, or when none ran (a test that checked
# nothing, say because its cases were not found, must not pass).
finish() {
  echo "$(basename "$0" .sh): $PASSED passed, $FAILED failed"
  [ "$PASSED" -gt 0 ] || echo "FAIL: nothing was checked"
  [ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
}
