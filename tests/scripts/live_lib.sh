# Helpers for the live-capture tests (sourced after lib.sh, not run): a network
# namespace of the test's own with a veth pair in it, pentrap capturing on one end and
# tcpreplay sending test captures into the other. Nothing has an IP address, nothing is
# routed: the frames go from one end of the pair to the other and stop there.
#
#   live_require                 skip the test (lib.sh skip: 77, a failure in CI) unless root with ip netns and tcpreplay
#   live_setup                   make the namespace $NS with veth ends $TX (send) and $RX (capture)
#                                (MTU 9000: some captures hold frames their NIC had coalesced)
#   live_start OUT ARGS...       start `pentrap run ARGS -i $RX` in it, stderr to OUT.err, wait until it captures
#                                (with LIVE_J=N in the environment, `-j N` too: test_live_workers.sh)
#   live_replay FILE...          send the captures onto $TX, as fast as they go
#   live_wait_received N         wait until the sensor has received N packets (asks with SIGUSR1)
#   live_stop                    SIGTERM, wait; sets SENSOR_STATUS
#   narrow FILE                  a JSON lines file's records narrowed and sorted (project.py)

NS="pt-test-$$"
TX=pta
RX=ptb
SENSOR_PID=""
SENSOR_ERR=""
SENSOR_STATUS=""
LIVE_USER=""

live_require() {
  local why=""
  [ "$(id -u)" = 0 ] || why="needs root / ip netns"
  command -v ip > /dev/null || why="needs root / ip netns (iproute2)"
  command -v tcpreplay > /dev/null || why="needs tcpreplay"
  [ -z "$why" ] || skip "$why"
}

live_cleanup() {
  if [ -n "$SENSOR_PID" ] && kill -0 "$SENSOR_PID" 2> /dev/null; then
    kill -KILL "$SENSOR_PID" 2> /dev/null; wait "$SENSOR_PID" 2> /dev/null
  fi
  ip netns del "$NS" 2> /dev/null
  [ -n "$LIVE_USER" ] && userdel "$LIVE_USER" 2> /dev/null
  rm -rf "$WORK"
}

live_setup() {
  trap live_cleanup EXIT
  ip netns add "$NS" || { echo "FAIL: cannot make network namespace $NS"; exit 1; }
  # no IPv6 either: the kernel would send its own router and neighbour solicitations
  ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip netns exec "$NS" ip link add "$TX" type veth peer name "$RX" &&
    ip netns exec "$NS" ip link set "$TX" mtu 9000 up && ip netns exec "$NS" ip link set "$RX" mtu 9000 up ||
    { echo "FAIL: cannot make the veth pair in $NS"; exit 1; }
}

# A throwaway system user for -Z; removed on exit.
live_make_user() {
  LIVE_USER="ptl$$"
  useradd --system --no-create-home --shell /usr/sbin/nologin "$LIVE_USER" ||
    { echo "FAIL: useradd $LIVE_USER"; LIVE_USER=""; exit 1; }
}

live_start() {
  SENSOR_ERR="$1.err"; shift
  : > "$SENSOR_ERR"
  # `ip netns exec` execs the command: $! is pentrap itself
  ip netns exec "$NS" "$PENTRAP" run "$@" ${LIVE_J:+-j "$LIVE_J"} -i "$RX" 2> "$SENSOR_ERR" &
  SENSOR_PID=$!
  for _ in $(seq 100); do
    grep -q "pentrap: capturing on" "$SENSOR_ERR" && return 0
    kill -0 "$SENSOR_PID" 2> /dev/null || break
    sleep 0.1
  done
  echo "FAIL: the sensor did not start"; sed 's/^/  | /' "$SENSOR_ERR"; exit 1
}

live_replay() {
  local f
  for f in "$@"; do
    ip netns exec "$NS" tcpreplay -q -i "$TX" --topspeed "$f" > "$WORK/tcpreplay.out" 2>&1 ||
      { echo "FAIL: tcpreplay $f"; sed 's/^/  | /' "$WORK/tcpreplay.out"; exit 1; }
  done
}

# Packets in captures (what live_wait_received waits for).
live_count() {
  local n=0 f
  for f in "$@"; do n=$((n + $(capinfos -M -c -T -r "$f" | cut -f2))); done
  echo "$n"
}

live_received() {
  grep -o 'received [0-9]*' "$SENSOR_ERR" | tail -1 | cut -d' ' -f2
}

live_wait_received() {
  local want=$1 got=0
  for _ in $(seq 50); do
    kill -USR1 "$SENSOR_PID"
    sleep 0.2
    got=$(live_received); got=${got:-0}
    [ "$got" -ge "$want" ] && return 0
  done
  echo "FAIL: the sensor received $got packets, expected $want"; return 1
}

live_stop() {
  kill -TERM "$SENSOR_PID"
  wait "$SENSOR_PID"
  SENSOR_STATUS=$?
  SENSOR_PID=""
}

narrow() {
  python3 "$SRC/tests/pcap/project.py" type,target,direction,from,to,call_id,outcome "" < "$1"
}

# An order for the targets given ("sip: ..." lines), valid from 1970 until $UNTIL (default 2099).
write_order() {
  local file=$1 id=$2; shift 2
  {
    printf 'order:\n  id: %s\n  kind: both\n  valid_from: 1970-01-02T00:00:00Z\n' "$id"
    printf '  valid_until: %s\n  targets:\n' "${UNTIL:-2099-12-31T00:00:00Z}"
    for t in "$@"; do printf '    - %s\n' "$t"; done
  } > "$file"
}
