#!/usr/bin/env bash
# Broker CPU per connection: the CPU time a running broker process spends while the load tool opens N
# connections (conns --hold 0; with --tls each is a full TLS handshake), read from /proc/PID/stat before and after,
# after WARMUP_RUNS (default 8) warm-up runs of N connections each: a JVM broker compiles its connection path
# meanwhile, and counted before that its JIT compiler threads dominate (Cairn's plain connections cost 466 us of
# CPU after two runs of 3,000, 85 us after nine). Pin the broker and use LOAD_CPU for the tool, as matrix.sh does.
#
#   bench/handshake-cpu.sh PID PORT [N] [load tool options...]
#   bench/handshake-cpu.sh "$(pgrep -f io.cairn.distribution)" 8883 3000 --tls --cafile etc/tls/server.pem
#
# Needs: a built load tool (bench/target/cairn-bench.jar), taskset, Linux /proc.
set -euo pipefail
root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
fail() { echo "handshake-cpu: $*" >&2; exit 2; }
(( $# >= 2 )) || fail "usage: bench/handshake-cpu.sh PID PORT [N] [load tool options...]"
pid=$1; port=$2; n=${3:-3000}
shift $(( $# >= 3 ? 3 : 2 ))
jar=$root/bench/target/cairn-bench.jar
[[ -f "$jar" ]] || fail "$jar not found: build first with 'mvn -B -q package -DskipTests'"
[[ -r "/proc/$pid/stat" ]] || fail "no process $pid"
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; } # user + system, in clock ticks
run() { taskset -c "${LOAD_CPU:-1}" java -jar "$jar" conns --port "$port" --clients "$1" --hold 0 --warmup 0 "${@:2}"; }
for (( i = 0; i < ${WARMUP_RUNS:-8}; i++ )); do
  run "$n" "$@" >/dev/null 2>&1
done
before=$(ticks)
line=$(run "$n" "$@" 2>/dev/null | grep ' connected in ' | head -1)
after=$(ticks)
hz=$(getconf CLK_TCK)
echo "$line"
echo "broker cpu: $(( (after - before) * 1000 / hz )) ms for $n connections," \
  "$(( (after - before) * 1000000 / hz / n )) us per connection"
