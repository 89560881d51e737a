#!/usr/bin/env bash
# How long the broker takes to come back with a full store: a file store holding RETAINED retained messages, and
# one holding SESSIONS persistent sessions (2 subscriptions and 10 queued QoS 1 messages of 64 bytes each), made
# through the persistence SPI by bench/store.sh; then the default distribution started on each (and on an empty
# store, for the baseline), pinned to core BROKER_CPU. Reported per case: the time from the start of the JVM until
# the listener accepts connections (the kernel opens it only once the store has been replayed and every session
# and retained message restored), the replay time the file store logs, the store's size on disk and the broker's
# resident memory, and what the kernel says it restored.
#
#   bench/recovery.sh                         1,000,000 retained messages and 100,000 sessions
#   RETAINED=100000 SESSIONS=10000 bench/recovery.sh
#
# Environment: RETAINED, SESSIONS, REPEAT (starts per case, default 2), BROKER_CPU (0), PORT (21950), WORK (a
# folder for the stores, default a new one under bench/target, removed at the end unless WORK is given), JAVA_OPTS
# for the broker. Needs a built project (mvn -B -q package -DskipTests).
set -euo pipefail

root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
RETAINED=${RETAINED:-1000000}
SESSIONS=${SESSIONS:-100000}
REPEAT=${REPEAT:-2}
BROKER_CPU=${BROKER_CPU:-0}
PORT=${PORT:-21950}
jar=$root/bench/target/cairn-bench.jar
dist=$root/distribution/target/cairn
fail() { echo "recovery: $*" >&2; exit 2; }
[[ -f "$jar" ]] || fail "$jar not found: build first with 'mvn -B -q package -DskipTests'"
[[ -x "$dist/bin/cairn" ]] || fail "$dist not found: build first with 'mvn -B -q package -DskipTests'"
mkdir -p "$root/bench/target"
work=${WORK:-$(mktemp -d "$root/bench/target/recovery-XXXXXX")}
mkdir -p "$work"
broker=
cleanup() {
  [[ -z "$broker" ]] || { kill "$broker" 2>/dev/null; wait "$broker" 2>/dev/null || true; }
  [[ -n "${WORK:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

echo "recovery: making the stores in $work ($(df -PT "$work" | awk 'NR==2 {print $2" on "$1}'))"
mkdir -p "$work/empty"
[[ -d "$work/retained" ]] || "$root/bench/store.sh" retained --store file --messages "$RETAINED" --size 64 \
  --seconds 600 --dir "$work/retained" --keep | grep -v '^{'
[[ -d "$work/sessions" ]] || "$root/bench/store.sh" sessions --store file --messages "$SESSIONS" --size 64 \
  --seconds 600 --dir "$work/sessions" --keep | grep -v '^{'

now_ms() { date +%s%3N; }
start_on() { # case start-number: starts the broker on $work/<case> (pid in $broker) and prints what it took
  local store=$work/$1 home=$work/home-$1
  rm -rf "$home"
  cp -r "$dist" "$home"
  sed -i "s/^port = .*/port = $PORT/" "$home/etc/io.cairn.transport.tcp-default.cfg"
  printf 'directory = %s\n' "$store" >"$home/etc/io.cairn.persistence.file.cfg"
  local t0
  t0=$(now_ms)
  (cd "$home" && exec taskset -c "$BROKER_CPU" bin/cairn) >"$home/console.log" 2>&1 &
  broker=$!
  for _ in $(seq 3000); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
    kill -0 "$broker" 2>/dev/null || fail "the broker on $1 exited (see $home/console.log)"
    sleep 0.05
  done
  local t1
  t1=$(now_ms)
  local replay rss restored
  replay=$(grep -o 'File store .* open .*' "$home/console.log" | head -1 | sed 's/.*: //')
  restored=$(grep -oE '[0-9]+ (restored|loaded) from it' "$home/console.log" | paste -sd, -)
  rss=$(awk '/VmRSS/ {print $2 " " $3}' "/proc/$broker/status")
  echo "$1 (start $2): $((t1 - t0)) ms to listening | store: $replay | kernel: $restored | broker RSS $rss |" \
    "store on disk $(du -sb "$store" | cut -f1) bytes"
}
stop_broker() {
  kill "$broker"
  wait "$broker" 2>/dev/null || true
  broker=
}

for case in empty retained sessions; do
  for r in $(seq "$REPEAT"); do
    start_on "$case" "$r"
    stop_broker
  done
done
