# Throwaway servers for the tests that need them (sourced after lib.sh): a PostgreSQL
# cluster and a RabbitMQ node of Debian's packages (scripts/install-deps.sh --test),
# started by the test itself on loopback, without systemd, and stopped at exit.
#
# Several test suites run at once on one machine, so everything is the test's own:
# ports asked of the kernel at run time, directories from mktemp, a node name with the
# test's pid, RabbitMQ's Erlang distribution port and epmd on ports of their own too.
# Each test script starts one broker and one cluster and runs all its cases on them.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
RMQ_BIN=${RMQ_BIN:-/usr/lib/rabbitmq/bin}
SERVERS_STOP=()

# lib.sh's skip, for a lib.sh that has none yet: exit 77 (ctest: skipped), but fail in CI.
if ! declare -F skip > /dev/null; then
  skip() {
    if [ "${CI:-}" = true ]; then echo "FAIL: cannot run in CI, where it must: $*"; exit 1; fi
    echo "SKIPPED: $*"; exit 77
  }
fi

# servers_stop: stops what was started, last first. servers_stop_all, the EXIT trap: and
# lib.sh's cleanup (a test with a trap of its own calls servers_stop in it).
servers_stop() {
  local i
  for ((i = ${#SERVERS_STOP[@]} - 1; i >= 0; i--)); do eval "${SERVERS_STOP[$i]}" > /dev/null 2>&1; done
  SERVERS_STOP=()
}
servers_stop_all() {
  servers_stop
  rm -rf "$WORK"
}
trap servers_stop_all EXIT

# free_port: a TCP port nothing listens on now (the kernel's choice).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# need_servers [pg] [rmq]: skips (exit 77; fails in CI) when a server or root is missing.
need_servers() {
  [ "$(id -u)" = 0 ] || skip "needs root (the servers run as their own users)"
  command -v python3 > /dev/null || skip "needs python3"
  local w
  for w in "$@"; do
    case $w in
      pg) [ -x "$PG_BIN/initdb" ] && id postgres > /dev/null 2>&1 || skip "needs Debian's postgresql (scripts/install-deps.sh --test)" ;;
      rmq) [ -x "$RMQ_BIN/rabbitmq-server" ] || skip "needs Debian's rabbitmq-server (scripts/install-deps.sh --test)" ;;
    esac
  done
}

# pg_start: a new cluster as the unprivileged user postgres, listening on 127.0.0.1:$PG_PORT
# and a socket in its own directory; sets PG_URL (database pentrap, user pentrap, trust).
pg_start() {
  PG_DIR=$(mktemp -d /tmp/pentrap-pg.XXXXXX)
  chown postgres "$PG_DIR"
  PG_PORT=$(free_port)
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U pentrap --no-sync -E UTF8 \
    > "$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
  SERVERS_STOP+=("runuser -u postgres -- '$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m immediate -w stop; rm -rf '$PG_DIR'")
  pg_up || return 1
  psql -q -h 127.0.0.1 -p "$PG_PORT" -U pentrap -d postgres -c 'CREATE DATABASE pentrap' > /dev/null || return 1
  PG_URL="postgresql://pentrap@127.0.0.1:$PG_PORT/pentrap"
}

# pg_up / pg_down: start and stop the cluster made by pg_start (fsync off, a test machine,
# unless PG_FSYNC=on: the benchmark; PG_OPTS: more server options, "-c name=value ...").
pg_up() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 \
    -o "-k $PG_DIR -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} ${PG_OPTS:-}" start > /dev/null
}
pg_down() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop > /dev/null
}

# pg_sql SQL: runs SQL in the test database, unaligned output without headers.
pg_sql() {
  psql -X -q -A -t -h 127.0.0.1 -p "$PG_PORT" -U pentrap -d pentrap -c "$1"
}

# rmq_start: a RabbitMQ node of its own (node name, ports, directories, Erlang cookie,
# epmd), user pentrap / password $RMQ_PASS with full rights on vhost /; sets RMQ_URL.
rmq_start() {
  RMQ_DIR=$(mktemp -d /tmp/pentrap-rmq.XXXXXX)
  RMQ_PORT=$(free_port)
  RMQ_DIST_PORT=$(free_port)
  RMQ_EPMD_PORT=$(free_port)
  RMQ_NODE="pentrap$$@localhost"
  RMQ_PASS="pw$$"
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$RMQ_DIR/.erlang.cookie"
  chmod 400 "$RMQ_DIR/.erlang.cookie"
  echo "[]." > "$RMQ_DIR/enabled_plugins"
  cat > "$RMQ_DIR/rabbitmq.conf" << EOF
listeners.tcp.1 = 127.0.0.1:$RMQ_PORT
loopback_users = none
log.file.level = warning
EOF
  rmq_up || return 1
  SERVERS_STOP+=("rmq_env '$RMQ_BIN/rabbitmqctl' -n '$RMQ_NODE' shutdown; rmq_env epmd -port '$RMQ_EPMD_PORT' -kill; rm -rf '$RMQ_DIR'")
  rmq_ctl add_user pentrap "$RMQ_PASS" > /dev/null &&
    rmq_ctl set_permissions -p / pentrap '.*' '.*' '.*' > /dev/null || return 1
  RMQ_URL="amqp://pentrap:$RMQ_PASS@127.0.0.1:$RMQ_PORT/%2f"
}

# rmq_env CMD...: runs CMD with the node's environment (in the network namespace
# $SERVERS_NETNS when set: a live test's sensors reach the broker on its loopback).
rmq_env() {
  ${SERVERS_NETNS:+ip netns exec "$SERVERS_NETNS"} env HOME="$RMQ_DIR" ERL_EPMD_PORT="$RMQ_EPMD_PORT" \
    RABBITMQ_NODENAME="$RMQ_NODE" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RMQ_PORT" \
    RABBITMQ_DIST_PORT="$RMQ_DIST_PORT" RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia" RABBITMQ_LOG_BASE="$RMQ_DIR/log" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins" RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq" \
    RABBITMQ_PID_FILE="$RMQ_DIR/pid" "$@"
}

rmq_ctl() {
  rmq_env "$RMQ_BIN/rabbitmqctl" -q -n "$RMQ_NODE" "$@"
}

# rmq_up / rmq_down: start the node (in the background, waiting until it serves) and stop it;
# its queues and messages stay in its directory across.
rmq_up() {
  rm -f "$RMQ_DIR/pid"
  rmq_env "$RMQ_BIN/rabbitmq-server" > "$RMQ_DIR/server.log" 2>&1 &
  RMQ_SERVER_PID=$!
  rmq_ctl wait --timeout 120 "$RMQ_DIR/pid" > /dev/null 2>&1 &&
    rmq_ctl await_startup --timeout 120 > /dev/null 2>&1 ||
    { echo "rabbitmq did not start:"; tail -20 "$RMQ_DIR/server.log"; return 1; }
}
rmq_down() {
  rmq_ctl stop > /dev/null 2>&1
  wait "$RMQ_SERVER_PID" 2> /dev/null
}
