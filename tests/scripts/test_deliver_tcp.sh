#!/usr/bin/env bash
# The handover over TCP (docs/handover.md): a test LEMF on loopback (tests/handover/lemf.py,
# an ephemeral port, so suites can run side by side) receives an order's IRI as ROSE
# invocations and acknowledges each. Shown here:
#   - a delivery whose connection the LEMF cuts after 150 of 600 IRI is resumed on a new
#     connection, and the LEMF holds every IRI exactly once, in order: byte for byte what
#     `deliver -o` writes;
#   - a second delivery sends nothing (the store remembers what was acknowledged);
#   - --follow picks up the records a sensor writes into the store while it runs;
#   - a LEMF that closes at once, and an unreachable one: one line, exit 1, and nothing
#     lost (a later delivery to that LEMF gets everything, once);
#   - TLS with a client certificate (openssl), and a LEMF that refuses our certificate.
source "$(dirname "$0")/lib.sh"
command -v python3 > /dev/null || { echo "SKIP: no python3"; exit 77; }
PENTRAP=$(realpath "$PENTRAP")
size() { stat -c %s "$1" 2> /dev/null || echo 0; }
LEMF=$SRC/tests/handover/lemf.py
GEN=$SRC/tests/scripts/gen_sip_calls.py
cd "$WORK" || exit 1
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null; done; rm -rf "$WORK"; }
trap cleanup EXIT

# start_lemf NAME ARGS...: a LEMF writing NAME.ber; its port in $PORT
start_lemf() {
  local name=$1; shift
  rm -f "$name.port"
  python3 "$LEMF" --port-file "$name.port" --out "$name.ber" --stop-after 60 "$@" 2> "$name.log" &
  PIDS+=($!)
  for _ in $(seq 100); do [ -s "$name.port" ] && break; sleep 0.05; done
  PORT=$(cat "$name.port")
}

cat > order.yaml <<'YAML'
order:
  id: TEST-handover-tcp
  kind: both
  valid_from: 2023-01-01T00:00:00Z
  valid_until: 2024-12-31T23:59:59Z
  liid: LI-TCP-1
  targets:
    - msisdn: "+15550000001"
YAML
python3 "$GEN" calls.pcap 200 > /dev/null
"$PENTRAP" run --order order.yaml -r calls.pcap --db store.db 2> run.log || { fail "run"; cat run.log; }
"$PENTRAP" deliver --db store.db --order order.yaml -o expected.ber 2> /dev/null || fail "deliver -o"

# 1. cut mid-way and restored: every IRI exactly once, in order
start_lemf cut --cut-after 150
expect_run "cut and resumed" 0 "600 IRI of order TEST-handover-tcp under LIID LI-TCP-1 to 127.0.0.1:$PORT, 150 delivered before|600 IRI .*2 connections" \
  -- deliver --db store.db --order order.yaml --to "127.0.0.1:$PORT"
grep -q "cut the connection after 150 IRI" cut.log || fail "the LEMF did not cut the connection"
cmp -s expected.ber cut.ber && pass || fail "the LEMF does not hold every IRI exactly once in order ($(stat -c %s cut.ber) bytes, expected $(stat -c %s expected.ber))"
# 2. again: nothing new to send
expect_run "resumed delivery sends nothing twice" 0 "0 IRI .* 600 delivered before" \
  -- deliver --db store.db --order order.yaml --to "127.0.0.1:$PORT"
cmp -s expected.ber cut.ber && pass || fail "a second delivery changed what the LEMF holds"

# 3. --follow: records a sensor writes while the delivery runs
python3 "$GEN" more.pcap 40 > /dev/null
"$PENTRAP" run --order order.yaml -r more.pcap --db follow.db 2> /dev/null
start_lemf follow
"$PENTRAP" deliver --db follow.db --order order.yaml --to "127.0.0.1:$PORT" --follow --poll-ms 100 2> follow.err &
DPID=$!
PIDS+=($DPID)
for _ in $(seq 200); do [ "$(size follow.ber)" -gt 0 ] && break; sleep 0.05; done
"$PENTRAP" run --order order.yaml -r calls.pcap --db follow.db 2> /dev/null || fail "a second sensor run into the followed store"
"$PENTRAP" deliver --db follow.db --order order.yaml -o follow.expected.ber 2> /dev/null
for _ in $(seq 200); do
  [ "$(size follow.ber)" -ge "$(size follow.expected.ber)" ] && break; sleep 0.05
done
kill -TERM "$DPID"; wait "$DPID"; status=$?
[ "$status" = 0 ] && pass || { fail "--follow ended with status $status"; cat follow.err; }
cmp -s follow.expected.ber follow.ber && pass || fail "--follow: the LEMF does not hold the 720 IRI exactly once in order"
grep -q "720 IRI" follow.err && pass || { fail "--follow summary"; cat follow.err; }

# 4. a LEMF that closes at once: one line, exit 1; later the same LEMF gets everything once
start_lemf closer --close-at-once 2
# (whether the close is seen on our send or on our read depends on timing: both are right)
expect_run "LEMF closes at once" 1 "127.0.0.1:$PORT: (cannot send: )?the LEMF (closed|reset) the connection.*gave up after 2 attempts" \
  -- deliver --db store.db --order order.yaml --to "127.0.0.1:$PORT" --retries 2
[ ! -s closer.ber ] && pass || fail "the closing LEMF got IRI"
expect_run "nothing lost after the LEMF closed" 0 "600 IRI" \
  -- deliver --db store.db --order order.yaml --to "127.0.0.1:$PORT"
cmp -s expected.ber closer.ber && pass || fail "after the closes the LEMF does not hold every IRI once"

# 5. unreachable: a port nobody listens on any more
kill "${PIDS[-1]}" 2> /dev/null; wait "${PIDS[-1]}" 2> /dev/null
expect_run "unreachable LEMF" 1 "cannot connect to 127.0.0.1:$PORT: Connection refused .*gave up after 2 attempts" \
  -- deliver --db store.db --order order.yaml --to "127.0.0.1:$PORT" --retries 2 --again

# 6. TLS with a client certificate
if command -v openssl > /dev/null; then
  mkcert() { # NAME CN [extensions]
    openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -subj "/CN=$2" -out "$1.csr" 2> /dev/null
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -out "$1.crt" \
      -extfile <(printf '%s\n' "${3:-basicConstraints=CA:FALSE}") 2> /dev/null
  }
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -subj "/CN=pentrap test CA" -days 2 -out ca.crt 2> /dev/null
  mkcert lemf 127.0.0.1 "subjectAltName=IP:127.0.0.1"
  mkcert client "pentrap sensor"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -subj "/CN=other" -days 2 -out other.crt 2> /dev/null
  start_lemf tls --tls lemf.crt lemf.key ca.crt
  expect_run "TLS with a client certificate" 0 "600 IRI" \
    -- deliver --db store.db --order order.yaml --to "127.0.0.1:$PORT" --tls --ca ca.crt --cert client.crt --key client.key
  cmp -s expected.ber tls.ber && pass || fail "TLS: the LEMF does not hold every IRI once"
  expect_run "TLS: a LEMF certificate we do not trust" 1 "certificate is not trusted" \
    -- deliver --db store.db --order order.yaml --to "127.0.0.1:$PORT" --tls --ca other.crt --retries 1 --again
  expect_run "TLS: a client certificate the LEMF refuses" 1 "127.0.0.1:$PORT" \
    -- deliver --db store.db --order order.yaml --to "127.0.0.1:$PORT" --tls --ca ca.crt --cert other.crt --key other.key --retries 1 --again
elif [ "${CI:-}" = true ]; then
  fail "no openssl command for the TLS part (scripts/install-deps.sh --test installs it)"
fi
finish
