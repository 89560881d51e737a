#!/usr/bin/env bash
# Measures what TLS costs, on this machine, and prints a table with ratios:
#   (a) full TLS handshakes per second: conns --tls (every connection a full handshake: the load tool resumes no
#       session), against plain TCP connects;
#   (b) pair throughput at QoS 0 and QoS 1 over TLS against plain TCP;
# for Cairn with its TLS provider OPENSSL and with JDK, and for Mosquitto as the reference.
#
#   bench/tls.sh                                  about 10 minutes (defaults below)
#   DURATION=2 WARMUP=1 REPEAT=1 CONNS=200 bench/tls.sh    a check that everything runs (about 2 minutes)
#
# One Cairn (a copy of the distribution under test, which ships transport-tls and netty-tcnative) serves
# three listeners: TCP on CAIRN_PORT, TLS with provider OPENSSL on CAIRN_PORT+1 and TLS with provider JDK on
# CAIRN_PORT+2; one Mosquitto serves TCP on MOSQUITTO_PORT and TLS on MOSQUITTO_PORT+1. Both brokers are pinned to
# core BROKER_CPU, the load tool to LOAD_CPU. Each cell runs every variant once per repeat, in turn (Cairn TCP,
# Cairn OpenSSL, Cairn JDK, Mosquitto TCP, Mosquitto TLS), so drift of the machine hits all alike. The certificate
# is a self-signed P-256 one made by openssl; TLS 1.3 unless TLS_PROTOCOL=TLSv1.2. The load tool's own TLS
# provider is CLIENT_TLS_PROVIDER (default openssl, the cheaper client, so that the broker side shows).
# Environment: DURATION, WARMUP (seconds per run), REPEAT (rounds per cell), CONNS (connections per conns run),
# RUN_TIMEOUT (seconds before one run is killed), OUT, BROKER_CPU, LOAD_CPU, CAIRN_PORT, MOSQUITTO_PORT, MOSQUITTO,
# BROKERS ("cairn mosquitto"), CLIENT_TLS_PROVIDER, TLS_PROTOCOL.
# Needs: a built project (mvn -B -q package -DskipTests), mosquitto, openssl, taskset, node.
set -euo pipefail

root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
REPEAT=${REPEAT:-3}
CONNS=${CONNS:-2000}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
BROKER_CPU=${BROKER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
CAIRN_PORT=${CAIRN_PORT:-22883}
MOSQUITTO_PORT=${MOSQUITTO_PORT:-22983}
MOSQUITTO=${MOSQUITTO:-$(command -v mosquitto || echo /usr/sbin/mosquitto)}
BROKERS=${BROKERS:-cairn mosquitto}
CLIENT_TLS_PROVIDER=${CLIENT_TLS_PROVIDER:-openssl}
OUT=${OUT:-$root/bench/target/tls-$(date +%Y%m%d-%H%M%S)}

jar=$root/bench/target/cairn-bench.jar
dist=$root/distribution/target/cairn
fail() { echo "tls: $*" >&2; exit 2; }
[[ -f "$jar" ]] || fail "$jar not found: build first with 'mvn -B -q package -DskipTests'"
for b in $BROKERS; do
  [[ $b == cairn || $b == mosquitto ]] || fail "BROKERS: $b is neither cairn nor mosquitto"
done
with() { [[ " $BROKERS " == *" $1 "* ]]; }
! with cairn || [[ -x "$dist/bin/cairn" ]] || fail "$dist not found: build first with 'mvn -B -q package -DskipTests'"
! with mosquitto || [[ -x "$MOSQUITTO" ]] || fail "mosquitto not found: install it with 'apt-get install mosquitto'"
[[ -z "${TLS_PROTOCOL:-}" || $TLS_PROTOCOL == TLSv1.3 || $TLS_PROTOCOL == TLSv1.2 ]] \
  || fail "TLS_PROTOCOL: $TLS_PROTOCOL is neither TLSv1.3 nor TLSv1.2"
command -v taskset >/dev/null || fail "taskset not found (package util-linux)"
command -v node >/dev/null || fail "node not found: it formats the table"
(( $(nproc) >= 2 )) || fail "needs two cores: one for the brokers, one for the load tool"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(( $(ulimit -n) > CONNS + 200 )) || fail "open-file limit $(ulimit -n) is too low for CONNS=$CONNS"
java -jar "$jar" --version | grep -q 'OpenSSL (' || [[ $CLIENT_TLS_PROVIDER == jdk ]] \
  || fail "the load tool cannot load OpenSSL: $(java -jar "$jar" --version | tail -1); CLIENT_TLS_PROVIDER=jdk uses the JDK's"

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
mkdir -p "$CERT_DIR"
make_cert "$CERT_DIR"

await_port() {
  for _ in $(seq 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  fail "nothing listens on port $1 after 30 s (see $OUT/*.log)"
}

variants=()
cairn_pid=none
if with cairn; then
  cp -r "$dist" "$work/cairn"
  sed -i "s/^port = .*/port = $CAIRN_PORT/" "$work/cairn/etc/io.cairn.transport.tcp-default.cfg"
  printf 'maxQueuedMessages = 10000\nmaxInflight = 65535\n' >>"$work/cairn/etc/io.cairn.kernel.cfg"
  sed -i "s/^persistence = .*/persistence = memory/" "$work/cairn/etc/io.cairn.kernel.cfg" # as Mosquitto below
  cairn_tls_listener "$work/cairn" openssl $((CAIRN_PORT + 1)) OPENSSL
  cairn_tls_listener "$work/cairn" jdk $((CAIRN_PORT + 2)) JDK
  (cd "$work/cairn" && exec taskset -c "$BROKER_CPU" bin/cairn) >"$OUT/cairn.log" 2>&1 &
  cairn_pid=$!
  pids+=("$cairn_pid")
  variants+=("cairn-tcp $CAIRN_PORT tcp" "cairn-openssl $((CAIRN_PORT + 1)) tls" "cairn-jdk $((CAIRN_PORT + 2)) tls")
fi
mosquitto_pid=none
if with mosquitto; then
  # user root: Mosquitto started as root reads the key after dropping to its own user, who cannot read $work
  cat >"$work/mosquitto.conf" <<CONF
$(mosquitto_listener tcp "$MOSQUITTO_PORT")
$(mosquitto_listener tls $((MOSQUITTO_PORT + 1)))
user root
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
  variants+=("mosquitto-tcp $MOSQUITTO_PORT tcp" "mosquitto-tls $((MOSQUITTO_PORT + 1)) tls")
fi
if with cairn; then
  await_port "$CAIRN_PORT"
  cairn_await_tls "$OUT/cairn.log" openssl OPENSSL
  cairn_await_tls "$OUT/cairn.log" jdk JDK
fi
! with mosquitto || { await_port "$MOSQUITTO_PORT"; await_port $((MOSQUITTO_PORT + 1)); }
echo "tls: Cairn pid $cairn_pid (TCP $CAIRN_PORT, TLS OpenSSL $((CAIRN_PORT + 1)), TLS JDK $((CAIRN_PORT + 2))), Mosquitto" \
  "pid $mosquitto_pid (TCP $MOSQUITTO_PORT, TLS $((MOSQUITTO_PORT + 1))), on core $BROKER_CPU; load on core $LOAD_CPU" \
  "(client TLS provider $CLIENT_TLS_PROVIDER${TLS_PROTOCOL:+, $TLS_PROTOCOL only}); ${DURATION}s runs after ${WARMUP}s" \
  "warm-up, $REPEAT round(s); conns: $CONNS connections"
echo "tls: results in $OUT"

failures=0
bench() { # label port pid transport scenario args...
  local label=$1 port=$2 pid=$3 transport=$4
  shift 4
  local extra=()
  if [[ $transport == tls ]]; then
    extra=(--tls --cafile "$CERT_DIR/server.pem" --tls-provider "$CLIENT_TLS_PROVIDER" ${TLS_PROTOCOL:+--tls-protocol "$TLS_PROTOCOL"})
  fi
  local log
  log=$(timeout --kill-after=10 "$RUN_TIMEOUT" taskset -c "$LOAD_CPU" java -Xms1g -Xmx1g -jar "$jar" "$@" \
        --port "$port" --broker-pid "$pid" --label "$label" "${extra[@]}" 2>>"$OUT/bench-stderr.log") \
    || { failures=$((failures + 1)); echo "  ($label: run failed)"; }
  grep -v '^{' <<<"$log" | sed "s/^/  $label: /" || true
  grep '^{' <<<"$log" >>"$results" || true
}
cell() { # args for the load tool; every variant once per round
  echo "== $*"
  for _ in $(seq "$REPEAT"); do
    for v in "${variants[@]}"; do
      read -r label port transport <<<"$v"
      local pid=$cairn_pid
      [[ $label == mosquitto-* ]] && pid=$mosquitto_pid
      bench "$label" "$port" "$pid" "$transport" "$@"
    done
  done
}

cell conns --clients "$CONNS" --hold 0 --warmup "$WARMUP" --keepalive 60
for qos in 0 1; do
  cell pair --clients 1 --qos "$qos" --size 64 --warmup "$WARMUP" --duration "$DURATION"
done

node "$root/bench/tls-table.js" "$results" | tee "$OUT/table.md"
if (( failures > 0 )); then
  echo "tls: $failures run(s) failed (see $OUT/bench-stderr.log)" >&2
  exit 1
fi
