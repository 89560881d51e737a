#!/usr/bin/env bash
# The cost of one publish interceptor, paired: one broker runs throughout, and the topic-rewrite example (as a
# pass-through: a rule no message matches) is deployed and removed in turn, PAIRS times; each state is measured
# right after the other (pair, 4 publishers to 4 subscribers, QoS 1, 64 B, flat out). Slow drift of a shared
# machine then hits both sides of a pair alike: the median of the per-pair ratios is the figure, with its range.
# Broker on core 0 (bin/cairn -d), load tool on core 1.
#
#   bench/interceptors-paired.sh <runtime folder> [pairs (default 10)] [seconds per measurement (default 5)]
#
# Needs: a built load tool (bench/target/cairn-bench.jar), taskset. Uses port 1883.
set -u
root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
home=$(cd -- "${1:?usage: bench/interceptors-paired.sh <runtime folder> [pairs] [seconds]}" && pwd -P)
pairs=${2:-10}; seconds=${3:-5}
bench=$root/bench/target/cairn-bench.jar
[[ -f "$bench" ]] || { echo "interceptors-paired: $bench not found: build first" >&2; exit 2; }
jar=$(ls "$home"/plugins/cairn-example-topic-rewrite-*.jar | head -1)
deployed=$home/deploy/$(basename "$jar")
events=$home/log/events.log
rm -f "$deployed"
printf 'from = nomatch/#\nto = x/{#}\n' > "$home/etc/io.cairn.example.rewrite-bench.cfg"
rm -rf "$home/data/store"
taskset -c 0 "$home/bin/cairn" -d > /dev/null 2>&1 || { echo "interceptors-paired: the broker did not start" >&2; exit 1; }
pid=$(cat "$home/data/cairn.pid")
# waits until the event log has one more line matching $1 than it had when $2 was counted
await_event() {
  for (( i = 0; i < 100; i++ )); do
    (( $(grep -c "$1" "$events") > $2 )) && return 0
    sleep 0.1
  done
  echo "interceptors-paired: no '$1' in $events" >&2; exit 1
}
measure() {
  local json rate cores
  json=$(taskset -c 1 java -jar "$bench" pair --clients 4 --qos 1 --warmup 1 --duration "$seconds" --broker-pid "$pid" 2>/dev/null)
  rate=$(grep -o '"msgs_per_s":[0-9.]*' <<< "$json" | cut -d: -f2)
  cores=$(grep -o '"broker_cpu_cores":[0-9.]*' <<< "$json" | cut -d: -f2)
  awk -v c="$cores" -v r="$rate" 'BEGIN { printf "%d %.3f", r, c * 1e6 / r }'
}
taskset -c 1 java -jar "$bench" pair --clients 4 --qos 1 --warmup 0 --duration 10 > /dev/null 2>&1 # JIT warm-up
results=$(mktemp)
for (( p = 1; p <= pairs; p++ )); do
  none=$(measure)
  n=$(grep -c 'rewrite .* started' "$events")
  cp "$jar" "$deployed"
  await_event 'rewrite .* started' "$n"
  pass=$(measure)
  n=$(grep -c 'rewrite .* uninstalled' "$events")
  rm -f "$deployed"
  await_event 'rewrite .* uninstalled' "$n"
  echo "$p none $none pass $pass" | tee -a "$results"
done
"$home/bin/cairn" stop > /dev/null 2>&1
rm -f "$home/etc/io.cairn.example.rewrite-bench.cfg"
awk '{ print $6 / $3 }' "$results" | sort -g | awk '{ r[NR] = $1 } END {
  printf "throughput pass/none per pair: median %.3f, range %.3f-%.3f (%d pairs)\n", r[int((NR + 1) / 2)], r[1], r[NR], NR }'
awk '{ print $7 / $4 }' "$results" | sort -g | awk '{ r[NR] = $1 } END {
  printf "broker CPU per message pass/none per pair: median %.3f, range %.3f-%.3f\n", r[int((NR + 1) / 2)], r[1], r[NR] }'
rm -f "$results"
