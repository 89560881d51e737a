#!/usr/bin/env bash
# Runs the benchmark matrix against Cairn and Eclipse Mosquitto on this machine and prints a table with ratios.
#
#   bench/matrix.sh            the whole matrix (about 15 minutes)
#   QUICK=1 bench/matrix.sh    shorter runs, one repeat (about 4 minutes), for a first look
#
# Each cell runs A B A B (Cairn, Mosquitto, Cairn, Mosquitto) so that drift of the machine hits both alike. Both
# brokers run for the whole matrix, pinned to core BROKER_CPU (0); the load tool is pinned to LOAD_CPU (1).
# Both brokers get the same limits: no limit on QoS 1/2 messages in flight per client (the load tool's window
# bounds them), 10,000 queued per client, TCP_NODELAY on every connection; both log at their default levels
# (connects and disconnects included).
# CELLS="pair conns" runs only the cells of those scenarios.
#
# MQTT 5: PROTOCOL=5 runs the whole matrix at MQTT 5 (the load tool's --protocol; default 4, MQTT 3.1.1).
# PROTOCOLS="4 5" runs every cell at both levels in one matrix, each repeat Cairn and Mosquitto at 3.1.1, then
# both at 5 (so drift hits both levels alike; twice the time), and the table adds a comparison of the levels per
# cell: MQTT 5 against 3.1.1, with whether Cairn's figures at 5 are within 10% of those at 3.1.1.
# PROTOCOL_CELLS="pair" limits the extra levels to the cells of those scenarios (the others run at the first
# level only). BROKERS=cairn runs Cairn only (default "cairn mosquitto"), for a comparison of the levels alone.
# The table of earlier runs can be made again, or two result folders compared (for example a PROTOCOL=5 run with
# a 3.1.1 one): node bench/matrix-table.js A/results.jsonl B/results.jsonl
# CAIRN_ACL=<file> installs the file authorization plugin (plugins/cairn-auth-file) into Cairn with that ACL file
# (Mosquitto syntax; bench/make-acl.sh writes one of N rules): run once with and once without it to see what an
# authorization check costs on the publish path.
# TRANSPORT=tls runs the matrix over TLS (default tcp): Cairn gets a TLS listener
# (etc/io.cairn.transport.tls-bench.cfg in its copy, with provider TLS_PROVIDER, OPENSSL (default) or JDK),
# Mosquitto a listener with certfile/keyfile, both with a P-256 certificate made by openssl in the run's work
# folder; the load tool connects with --tls --cafile and CLIENT_TLS_PROVIDER (auto, jdk or openssl; default auto).
# TRANSPORT=ws or wss: MQTT over WebSocket (--ws /mqtt): Cairn gets etc/io.cairn.transport.ws-bench.cfg (wss with
# TLS_PROVIDER), Mosquitto a websockets listener. Over TLS the conns cell opens CONNS=2000 connections unless
# CONNS says otherwise (each is a full handshake). bench/tls.sh compares TLS with TCP and the two TLS providers in
# one run.
# CAIRN_STORE=file runs Cairn on its durable store (default memory, like Mosquitto's 'persistence false' here;
# bench/persistence.sh compares the stores with persistent sessions).
# Environment: DURATION, WARMUP (seconds per run), REPEAT (A B pairs per cell), CONNS (idle connections for
# the conns cell), CONNS_REPEAT (its A B pairs; REPEAT + 1, as its rate varies more from run to run), SOURCES
# (loopback source addresses for it), OUT (result folder), BROKER_CPU, LOAD_CPU, CAIRN_PORT, MOSQUITTO_PORT,
# MOSQUITTO (the broker binary).
# Needs: a built project (mvn -B -q package -DskipTests), mosquitto (apt-get install mosquitto), taskset, node.
set -euo pipefail

root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
if [[ -n "${QUICK:-}" ]]; then
  DURATION=${DURATION:-5}; WARMUP=${WARMUP:-2}; REPEAT=${REPEAT:-1}
fi
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
REPEAT=${REPEAT:-2}
TRANSPORT=${TRANSPORT:-tcp}
TLS_PROVIDER=${TLS_PROVIDER:-OPENSSL}
if [[ $TRANSPORT == tcp ]]; then CONNS=${CONNS:-19000}; else CONNS=${CONNS:-2000}; fi
CONNS_REPEAT=${CONNS_REPEAT:-$((REPEAT + 1))}
SOURCES=${SOURCES:-4}
BROKER_CPU=${BROKER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
CAIRN_PORT=${CAIRN_PORT:-21883}
MOSQUITTO_PORT=${MOSQUITTO_PORT:-21884}
MOSQUITTO=${MOSQUITTO:-$(command -v mosquitto || echo /usr/sbin/mosquitto)}
CAIRN_STORE=${CAIRN_STORE:-memory}
PROTOCOLS=${PROTOCOLS:-${PROTOCOL:-4}}
BROKERS=${BROKERS:-cairn mosquitto}
OUT=${OUT:-$root/bench/target/matrix-$(date +%Y%m%d-%H%M%S)}

jar=$root/bench/target/cairn-bench.jar
dist=$root/distribution/target/cairn
fail() { echo "matrix: $*" >&2; exit 2; }
[[ -f "$jar" ]] || fail "$jar not found: build first with 'mvn -B -q package -DskipTests'"
[[ -x "$dist/bin/cairn" ]] || fail "$dist not found: build first with 'mvn -B -q package -DskipTests'"
for level in $PROTOCOLS; do
  [[ $level == [345] ]] || fail "PROTOCOLS/PROTOCOL: $level is not a protocol level (3 = MQTT 3.1, 4 = 3.1.1, 5 = 5.0)"
done
[[ -n "${PROTOCOLS// /}" ]] || fail "PROTOCOLS is empty"
for b in $BROKERS; do
  [[ $b == cairn || $b == mosquitto ]] || fail "BROKERS: $b is neither cairn nor mosquitto"
done
[[ -n "${BROKERS// /}" ]] || fail "BROKERS is empty"
with() { [[ " $BROKERS " == *" $1 "* ]]; }
[[ $TRANSPORT == tcp || $TRANSPORT == tls || $TRANSPORT == ws || $TRANSPORT == wss ]] \
  || fail "TRANSPORT: $TRANSPORT is none of tcp, tls, ws, wss"
[[ $TLS_PROVIDER == OPENSSL || $TLS_PROVIDER == JDK ]] || fail "TLS_PROVIDER: $TLS_PROVIDER is neither OPENSSL nor JDK"
! with mosquitto || [[ -x "$MOSQUITTO" ]] || fail "mosquitto not found: install it with 'apt-get install mosquitto'"
command -v taskset >/dev/null || fail "taskset not found (package util-linux)"
command -v node >/dev/null || fail "node not found: it formats the table"
(( $(nproc) >= 2 )) || fail "needs two cores: one for the broker, one for the load tool"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(( $(ulimit -n) > CONNS + 200 )) || fail "open-file limit $(ulimit -n) is too low for CONNS=$CONNS"

mkdir -p "$OUT"
work=$(mktemp -d)
results=$OUT/results.jsonl
: >"$results"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=bench/listeners.sh
source "$root/bench/listeners.sh"
CERT_DIR=$work/tls
if [[ $TRANSPORT != tcp ]]; then
  mkdir -p "$CERT_DIR"
  make_cert "$CERT_DIR"
fi
read -r -a client_opts <<<"$(client_options "$TRANSPORT")"

await_port() {
  for _ in $(seq 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  fail "nothing listens on port $1 after 30 s (see $OUT/*.log)"
}

# Cairn: the default distribution, on its own port, queue limit raised like Mosquitto's below
cairn_pid=none
if with cairn; then
  cp -r "$dist" "$work/cairn"
  sed -i "s/^port = .*/port = $CAIRN_PORT/" "$work/cairn/etc/io.cairn.transport.tcp-default.cfg"
  printf 'maxQueuedMessages = 10000\nmaxInflight = 65535\n' >>"$work/cairn/etc/io.cairn.kernel.cfg"
  # like Mosquitto's 'persistence false' below: clean sessions and no store on disk (bench/persistence.sh
  # measures the stores)
  sed -i "s/^persistence = .*/persistence = $CAIRN_STORE/" "$work/cairn/etc/io.cairn.kernel.cfg"
  if [[ -n "${CAIRN_ACL:-}" ]]; then
    [[ -f "$CAIRN_ACL" ]] || fail "CAIRN_ACL: $CAIRN_ACL is not a file"
    cp "$CAIRN_ACL" "$work/cairn/etc/bench.acl"
    printf 'aclFile = etc/bench.acl\n' >"$work/cairn/etc/io.cairn.auth.file-bench.cfg"
    cp "$work"/cairn/plugins/cairn-auth-file-*.jar "$work/cairn/deploy/"
  fi
  if [[ $TRANSPORT != tcp ]]; then
    # the TLS or WebSocket listener takes CAIRN_PORT; the TCP listener moves out of the way
    sed -i "s/^port = .*/port = 0/" "$work/cairn/etc/io.cairn.transport.tcp-default.cfg"
  fi
  case $TRANSPORT in
    tls) cairn_tls_listener "$work/cairn" bench "$CAIRN_PORT" "$TLS_PROVIDER" ;;
    ws) cairn_ws_listener "$work/cairn" bench "$CAIRN_PORT" false "$TLS_PROVIDER" ;;
    wss) cairn_ws_listener "$work/cairn" bench "$CAIRN_PORT" true "$TLS_PROVIDER" ;;
  esac
  (cd "$work/cairn" && exec taskset -c "$BROKER_CPU" bin/cairn) >"$OUT/cairn.log" 2>&1 &
  cairn_pid=$!
  pids+=("$cairn_pid")
fi

mosquitto_pid=none
if with mosquitto; then
  # user root: Mosquitto started as root reads the key after dropping to its own user, who cannot read $work;
  # over WebSocket an unused plain listener too: Mosquitto 2.0.11 exits ("Unable to start any listening sockets")
  # when all its listeners are websockets ones
  cat >"$work/mosquitto.conf" <<CONF
$(mosquitto_listener "$TRANSPORT" "$MOSQUITTO_PORT")
$([[ $TRANSPORT == tcp ]] || echo "user root")
$([[ $TRANSPORT != ws* ]] || echo "listener $((MOSQUITTO_PORT + 1)) 127.0.0.1")
allow_anonymous true
persistence false
set_tcp_nodelay true
max_inflight_messages 0
max_queued_messages 10000
max_connections -1
log_dest stderr
CONF
  taskset -c "$BROKER_CPU" "$MOSQUITTO" -c "$work/mosquitto.conf" >"$OUT/mosquitto.log" 2>&1 &
  mosquitto_pid=$!
  pids+=("$mosquitto_pid")
fi

tls_note=
[[ $TRANSPORT != tls && $TRANSPORT != wss ]] \
  || tls_note="(Cairn's TLS provider $TLS_PROVIDER, the load tool's ${CLIENT_TLS_PROVIDER:-auto})"
! with cairn || await_port "$CAIRN_PORT"
! with cairn || [[ $TRANSPORT != tls ]] || cairn_await_tls "$OUT/cairn.log" bench "$TLS_PROVIDER"
! with cairn || [[ $TRANSPORT != ws* ]] || cairn_await_ws "$OUT/cairn.log" bench "$TRANSPORT"
if with cairn && [[ -n "${CAIRN_ACL:-}" ]]; then
  for _ in $(seq 150); do
    if grep -q "ACL file .*bench.acl loaded" "$OUT/cairn.log"; then break; fi
    sleep 0.2
  done
  grep -q "ACL file .*bench.acl loaded" "$OUT/cairn.log" || fail "Cairn did not load $CAIRN_ACL in 30 s (see $OUT/cairn.log)"
  echo "matrix: Cairn authorizes with $(grep -vc '^\s*\(#\|$\)' "$CAIRN_ACL") ACL rules from $CAIRN_ACL"
fi
! with mosquitto || await_port "$MOSQUITTO_PORT"
echo "matrix: Cairn pid $cairn_pid on port $CAIRN_PORT, Mosquitto pid $mosquitto_pid on port $MOSQUITTO_PORT," \
  "both on core $BROKER_CPU; load on core $LOAD_CPU; ${DURATION}s runs after ${WARMUP}s warm-up, $REPEAT x A B;" \
  "protocol level(s) $PROTOCOLS${PROTOCOL_CELLS:+ (beyond the first: $PROTOCOL_CELLS only)}; transport" \
  "$TRANSPORT${tls_note:+ $tls_note}"
echo "matrix: results in $OUT"

failures=0
bench() { # broker-label port pid protocol-level scenario args...
  local label=$1 port=$2 pid=$3 level=$4
  shift 4
  local log
  log=$(taskset -c "$LOAD_CPU" java -Xms1g -Xmx1g -jar "$jar" "$@" --protocol "$level" --port "$port" \
        --broker-pid "$pid" --label "$label" "${client_opts[@]}" 2>>"$OUT/bench-stderr.log") \
    || { failures=$((failures + 1)); echo "  ($label: run failed)"; }
  grep -v '^{' <<<"$log" | sed "s/^/  $label: /" || true
  grep '^{' <<<"$log" >>"$results" || true
}
cell() { # args for the load tool, run A B A B (with several protocol levels: A B at each level, then again)
  if [[ -n "${CELLS:-}" && " $CELLS " != *" $1 "* ]]; then
    return
  fi
  local levels=($PROTOCOLS)
  if [[ -n "${PROTOCOL_CELLS:-}" && " $PROTOCOL_CELLS " != *" $1 "* ]]; then
    levels=("${levels[0]}")
  fi
  echo "== $* (protocol ${levels[*]})"
  local repeat=$REPEAT
  [[ $1 == conns ]] && repeat=$CONNS_REPEAT
  for _ in $(seq "$repeat"); do
    for level in "${levels[@]}"; do
      ! with cairn || bench cairn "$CAIRN_PORT" "$cairn_pid" "$level" "$@"
      ! with mosquitto || bench mosquitto "$MOSQUITTO_PORT" "$mosquitto_pid" "$level" "$@"
    done
  done
}

common=(--size 64 --warmup "$WARMUP" --duration "$DURATION")
for qos in 0 1; do
  cell pair --clients 1 --qos "$qos" "${common[@]}"
  cell fanin --clients 20 --qos "$qos" "${common[@]}"
  cell fanout --clients 20 --qos "$qos" "${common[@]}"
  cell mesh --clients 20 --qos "$qos" "${common[@]}"
done
cell pair --clients 1 --qos 2 "${common[@]}"
cell latency --clients 1 --qos 0 --rate 20000 "${common[@]}"
cell conns --clients "$CONNS" --sources "$SOURCES" --keepalive 60 --hold "$DURATION" --with-pair --qos 0 --size 64

node "$root/bench/matrix-table.js" "$results" | tee "$OUT/table.md"
if (( failures > 0 )); then
  echo "matrix: $failures run(s) failed (lost, duplicated or out-of-order messages, or no connection)" >&2
  exit 1
fi
