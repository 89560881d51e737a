#!/usr/bin/env bash
# What durability costs: QoS 1 and QoS 2 throughput with persistent sessions on Cairn's stores, side by side.
#
#   bench/persistence.sh           pair and fan-in, QoS 1 (and pair QoS 2), about 6 minutes
#   QUICK=1 bench/persistence.sh   shorter runs, one repeat
#
# Four brokers run at once, all pinned to core BROKER_CPU (0), each cell runs them in turn (A B C D, REPEAT
# times) so that drift of the machine hits all alike; the load tool is pinned to LOAD_CPU (1):
#   memory    Cairn on persistence-mem (persistence = memory): nothing on disk, the ceiling
#   file      Cairn on persistence-file, durability = sync (the default): acknowledged only once fsynced
#   periodic  Cairn on persistence-file, durability = periodic (fsync every 1000 ms)
#   mosquitto Eclipse Mosquitto with persistence true (its default autosave: a snapshot every 1800 s), for
#             reference: it writes its state at intervals and at exit, so a crash loses what came since
# Every client has a persistent session (--persistent: clean session 0), so every QoS 1/2 message is in the
# store of its subscriber's session until acknowledged. The table gives each broker's mean msg/s and its ratio to
# memory. The data folders are the disk the store writes to: put WORK on the disk you want to measure.
# Environment: DURATION, WARMUP, REPEAT, BROKERS ("memory file periodic mosquitto"), BROKER_CPU, LOAD_CPU,
# BASE_PORT (21900: memory, +1 file, +2 periodic, +3 mosquitto), OUT, WORK, MOSQUITTO.
# Needs: a built project (mvn -B -q package -DskipTests), mosquitto (apt-get install mosquitto), taskset, node.
set -euo pipefail

root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
if [[ -n "${QUICK:-}" ]]; then
  DURATION=${DURATION:-5}; WARMUP=${WARMUP:-2}; REPEAT=${REPEAT:-1}
fi
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
REPEAT=${REPEAT:-2}
BROKERS=${BROKERS:-memory file periodic mosquitto}
BROKER_CPU=${BROKER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
BASE_PORT=${BASE_PORT:-21900}
MOSQUITTO=${MOSQUITTO:-$(command -v mosquitto || echo /usr/sbin/mosquitto)}
OUT=${OUT:-$root/bench/target/persistence-$(date +%Y%m%d-%H%M%S)}

jar=$root/bench/target/cairn-bench.jar
dist=$root/distribution/target/cairn
fail() { echo "persistence: $*" >&2; exit 2; }
[[ -f "$jar" ]] || fail "$jar not found: build first with 'mvn -B -q package -DskipTests'"
[[ -x "$dist/bin/cairn" ]] || fail "$dist not found: build first with 'mvn -B -q package -DskipTests'"
for b in $BROKERS; do
  [[ $b == memory || $b == file || $b == periodic || $b == mosquitto ]] \
    || fail "BROKERS: $b is none of memory, file, periodic, mosquitto"
done
with() { [[ " $BROKERS " == *" $1 "* ]]; }
! with mosquitto || [[ -x "$MOSQUITTO" ]] || fail "mosquitto not found: install it with 'apt-get install mosquitto'"
command -v taskset >/dev/null || fail "taskset not found (package util-linux)"
command -v node >/dev/null || fail "node not found: it formats the table"

mkdir -p "$OUT"
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
results=$OUT/results.jsonl
: >"$results"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ -n "${WORK:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

await_port() {
  for _ in $(seq 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  fail "nothing listens on port $1 after 60 s (see $OUT/*.log)"
}

declare -A port pid
port[memory]=$BASE_PORT; port[file]=$((BASE_PORT + 1)); port[periodic]=$((BASE_PORT + 2))
port[mosquitto]=$((BASE_PORT + 3))
for b in memory file periodic; do
  with "$b" || continue
  home=$work/cairn-$b
  rm -rf "$home"
  cp -r "$dist" "$home"
  sed -i "s/^port = .*/port = ${port[$b]}/" "$home/etc/io.cairn.transport.tcp-default.cfg"
  store=file
  [[ $b == memory ]] && store=memory
  sed -i "s/^persistence = .*/persistence = $store/" "$home/etc/io.cairn.kernel.cfg"
  printf 'maxQueuedMessages = 10000\nmaxInflight = 65535\n' >>"$home/etc/io.cairn.kernel.cfg"
  [[ $b == periodic ]] && printf 'durability = periodic\nfsyncIntervalMillis = 1000\n' \
    >>"$home/etc/io.cairn.persistence.file.cfg"
  (cd "$home" && exec taskset -c "$BROKER_CPU" bin/cairn) >"$OUT/cairn-$b.log" 2>&1 &
  pid[$b]=$!
  pids+=("${pid[$b]}")
done
if with mosquitto; then
  mkdir -p "$work/mosquitto"
  cat >"$work/mosquitto.conf" <<CONF
listener ${port[mosquitto]} 127.0.0.1
allow_anonymous true
persistence true
persistence_location $work/mosquitto/
set_tcp_nodelay true
max_inflight_messages 0
max_queued_messages 10000
log_dest stderr
CONF
  taskset -c "$BROKER_CPU" "$MOSQUITTO" -c "$work/mosquitto.conf" >"$OUT/mosquitto.log" 2>&1 &
  pid[mosquitto]=$!
  pids+=("${pid[mosquitto]}")
fi
for b in $BROKERS; do await_port "${port[$b]}"; done
echo "persistence: brokers $BROKERS on ports from $BASE_PORT, core $BROKER_CPU; load on core $LOAD_CPU;" \
  "${DURATION}s runs after ${WARMUP}s warm-up, $REPEAT x each; data in $work ($(df -PT "$work" | awk 'NR==2 {print $2" on "$1}'))"
echo "persistence: results in $OUT"

failures=0
bench() { # broker scenario args...
  local b=$1
  shift
  local log
  log=$(taskset -c "$LOAD_CPU" java -Xms1g -Xmx1g -jar "$jar" "$@" --persistent --port "${port[$b]}" \
        --broker-pid "${pid[$b]}" --label "$b" 2>>"$OUT/bench-stderr.log") \
    || { failures=$((failures + 1)); echo "  ($b: run failed)"; }
  grep -v '^{' <<<"$log" | sed "s/^/  $b: /" || true
  grep '^{' <<<"$log" >>"$results" || true
}
cell() {
  echo "== $*"
  for _ in $(seq "$REPEAT"); do
    for b in $BROKERS; do bench "$b" "$@"; done
  done
}

common=(--size 64 --warmup "$WARMUP" --duration "$DURATION")
cell pair --clients 1 --qos 1 "${common[@]}"
cell fanin --clients 20 --qos 1 "${common[@]}"
cell pair --clients 1 --qos 2 "${common[@]}"

for b in file periodic; do
  with "$b" || continue
  echo "persistence: $b store on disk after the runs: $(du -sb "$work/cairn-$b/data/store" | cut -f1) bytes"
done
node "$root/bench/persistence-table.js" "$results" | tee "$OUT/table.md"
if (( failures > 0 )); then
  echo "persistence: $failures run(s) failed" >&2
  exit 1
fi
