#!/usr/bin/env bash
# What a Cairn bridge costs: QoS 1 throughput from publishers on Cairn, through a bridge, to a subscriber on an
# upstream Mosquitto, as a ratio to the same publishers connected to Mosquitto directly.
#
#   bench/bridge.sh           pair and 10:1 fan-in, QoS 1, 64-byte messages, MQTT 5 and 3.1.1 bridges, ~4 minutes
#   QUICK=1 bench/bridge.sh   shorter runs, one repeat
#
# Both brokers are pinned to core BROKER_CPU (0): in the bridged runs Cairn and Mosquitto share it, in the direct
# runs Mosquitto has it alone; the load tool is pinned to LOAD_CPU (1). Cairn runs the default distribution on the
# memory store with a bridge etc/io.cairn.bridge-bench.cfg (mapping bench/# out 1). Each cell runs direct and
# bridged in turn, REPEAT times, so that drift of the machine hits both alike. The table gives the mean msg/s at
# the upstream subscriber and the ratio bridged / direct.
# Environment: DURATION, WARMUP, REPEAT, BROKER_CPU, LOAD_CPU, BASE_PORT (22100: Cairn MQTT 5 bridge, +1 Cairn
# MQTT 3.1.1 bridge, +2 Mosquitto), MAX_INFLIGHT (the bridges' maxInflight, 1000), OUT, MOSQUITTO.
# Needs: a built project (mvn -B -q package -DskipTests), mosquitto (apt-get install mosquitto), taskset, node.
set -euo pipefail

root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
if [[ -n "${QUICK:-}" ]]; then
  DURATION=${DURATION:-5}; WARMUP=${WARMUP:-2}; REPEAT=${REPEAT:-1}
fi
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
REPEAT=${REPEAT:-2}
BROKER_CPU=${BROKER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
BASE_PORT=${BASE_PORT:-22100}
MAX_INFLIGHT=${MAX_INFLIGHT:-1000}
MOSQUITTO=${MOSQUITTO:-$(command -v mosquitto || echo /usr/sbin/mosquitto)}
OUT=${OUT:-$root/bench/target/bridge-$(date +%Y%m%d-%H%M%S)}

jar=$root/bench/target/cairn-bench.jar
dist=$root/distribution/target/cairn
fail() { echo "bridge: $*" >&2; exit 2; }
[[ -f "$jar" ]] || fail "$jar not found: build first with 'mvn -B -q package -DskipTests'"
[[ -x "$dist/bin/cairn" ]] || fail "$dist not found: build first with 'mvn -B -q package -DskipTests'"
[[ -x "$MOSQUITTO" ]] || fail "mosquitto not found: install it with 'apt-get install mosquitto'"
command -v taskset >/dev/null || fail "taskset not found (package util-linux)"
command -v node >/dev/null || fail "node not found: it formats the table"

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

await_port() {
  for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  fail "nothing listens on port $1 after 60 s (see $OUT/*.log)"
}
await_line() { # file pattern
  for _ in $(seq 300); do
    if grep -q "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  fail "no line '$2' in $1 after 60 s"
}

mq_port=$((BASE_PORT + 2))
cat >"$work/mosquitto.conf" <<CONF
listener $mq_port 127.0.0.1
allow_anonymous true
persistence false
set_tcp_nodelay true
max_inflight_messages 0
max_queued_messages 100000
log_dest stderr
CONF
taskset -c "$BROKER_CPU" "$MOSQUITTO" -c "$work/mosquitto.conf" >"$OUT/mosquitto.log" 2>&1 &
mq_pid=$!
pids+=("$mq_pid")

declare -A port pid
port[v5]=$BASE_PORT; port[v311]=$((BASE_PORT + 1))
for b in v5 v311; do
  home=$work/cairn-$b
  cp -r "$dist" "$home"
  sed -i "s/^port = .*/port = ${port[$b]}/" "$home/etc/io.cairn.transport.tcp-default.cfg"
  sed -i "s/^persistence = .*/persistence = memory/" "$home/etc/io.cairn.kernel.cfg"
  protocol=mqttv5
  [[ $b == v311 ]] && protocol=mqttv311
  # out only: neither bridge takes anything back from Mosquitto, so the two Cairns never see each other's runs
  cat >"$home/etc/io.cairn.bridge-bench.cfg" <<CFG
address = 127.0.0.1:$mq_port
protocol = $protocol
clientId = cairn-bench-$b
maxInflight = $MAX_INFLIGHT
topic.1 = bench/# out 1 "" ""
CFG
  (cd "$home" && exec taskset -c "$BROKER_CPU" bin/cairn) >"$OUT/cairn-$b.log" 2>&1 &
  pid[$b]=$!
  pids+=("${pid[$b]}")
done
await_port "$mq_port"
for b in v5 v311; do
  await_port "${port[$b]}"
  await_line "$OUT/cairn-$b.log" "Bridge bench: connected to"
done
echo "bridge: Mosquitto on $mq_port, Cairn with an MQTT 5 bridge on ${port[v5]} and an MQTT 3.1.1 bridge on" \
  "${port[v311]} (maxInflight $MAX_INFLIGHT), core $BROKER_CPU; load on core $LOAD_CPU; ${DURATION}s runs after" \
  "${WARMUP}s warm-up, $REPEAT x each"
echo "bridge: results in $OUT"

failures=0
run() { # label broker-pid args...
  local label=$1 bpid=$2
  shift 2
  local log
  log=$(taskset -c "$LOAD_CPU" java -Xms1g -Xmx1g -jar "$jar" "$@" --broker-pid "$bpid" --label "$label" \
        2>>"$OUT/bench-stderr.log") || { failures=$((failures + 1)); echo "  ($label: run failed)"; }
  grep -v '^{' <<<"$log" | sed "s/^/  $label: /" || true
  grep '^{' <<<"$log" >>"$results" || true
}
cell() { # scenario clients
  local scenario=$1 clients=$2
  echo "== $scenario --clients $clients --qos 1"
  local common=(--clients "$clients" --qos 1 --size 64 --warmup "$WARMUP" --duration "$DURATION")
  for _ in $(seq "$REPEAT"); do
    run direct "$mq_pid" "$scenario" "${common[@]}" --port "$mq_port"
    for b in v5 v311; do
      # published to Cairn, received from Mosquitto
      run "bridge-$b" "${pid[$b]}" "$scenario" "${common[@]}" --port "${port[$b]}" --sub-port "$mq_port"
    done
  done
}
cell pair 1
cell fanin 10

node "$root/bench/bridge-table.js" "$results" | tee "$OUT/table.md"
if (( failures > 0 )); then
  echo "bridge: $failures run(s) failed" >&2
  exit 1
fi
