#!/usr/bin/env bash
# Measures how many bytes a running Cairn broker allocates on its heap per message, with JFR's per-thread
# allocation counters (jdk.ThreadAllocationStatistics) read at the start and the end of one load-tool run.
#
#   bench/alloc.sh <broker-pid> <port> [load-tool options]     default options: pair --qos 0 --size 64
#
# A first run warms the broker up (JIT), the second is measured with no warm-up of its own, so every message
# it counts was handled inside the recording. Prints bytes per delivered message for the broker's I/O threads
# and for the whole process (JFR's own threads excluded). Needs the JDK's jcmd and jfr, node, and a built
# bench/target/cairn-bench.jar.
set -euo pipefail
root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
(( $# >= 2 )) || { echo "usage: bench/alloc.sh <broker-pid> <port> [load-tool options]" >&2; exit 2; }
pid=$1 port=$2
shift 2
args=("$@")
(( ${#args[@]} > 0 )) || args=(pair --qos 0 --size 64 --clients 1)
jar=$root/bench/target/cairn-bench.jar
[[ -f $jar ]] || { echo "alloc: $jar not found: build with 'mvn -B -q package -DskipTests'" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/alloc.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">everyChunk</setting></event>
</configuration>
JFC
load=(java -jar "$jar" "${args[@]}" --port "$port")
command -v taskset >/dev/null && (( $(nproc) >= 2 )) && load=(taskset -c 1 "${load[@]}")
"${load[@]}" --warmup 0 --duration 5 >/dev/null
jcmd "$pid" JFR.start name=cairn-alloc settings="$work/alloc.jfc" filename="$work/alloc.jfr" >/dev/null
out=$("${load[@]}" --warmup 0 --duration 10)
jcmd "$pid" JFR.stop name=cairn-alloc >/dev/null
jfr print --json --events jdk.ThreadAllocationStatistics "$work/alloc.jfr" >"$work/alloc.json"
grep -v '^{' <<<"$out"
RUN=$(grep '^{' <<<"$out") node -e '
const rec = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).recording.events;
const run = JSON.parse(process.env.RUN);
const first = new Map(), last = new Map();
for (const e of rec) {
  const name = e.values.thread ? e.values.thread.javaName : null;
  if (!name || name.startsWith("JFR")) continue;
  if (!first.has(name)) first.set(name, e.values.allocated);
  last.set(name, e.values.allocated);
}
let io = 0, all = 0;
for (const [name, end] of last) {
  const d = end - (first.get(name) || 0);
  all += d;
  if (name.startsWith("cairn-io")) io += d;
}
const n = run.received;
console.log(`broker heap allocation: ${(io / n).toFixed(1)} bytes per delivered message on the I/O threads, `
  + `${(all / n).toFixed(1)} for the whole process (${n} messages, ${(all / 1048576).toFixed(1)} MiB)`);
' "$work/alloc.json"
