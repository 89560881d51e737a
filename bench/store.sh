#!/usr/bin/env bash
# Persistence SPI load against one store: the workloads of io.cairn.bench.store.StoreBench (queue, fanin,
# retained, sessions) on the memory stores, the segmented log (persistence-file) or H2 MVStore.
#
#   bench/store.sh <workload> --store mem|file|mvstore [--durability sync|periodic] [options]
#   bench/store.sh queue --store mvstore --threads 4 --seconds 10
#   bench/store.sh retained --store file --durability periodic --messages 1000000
#   bench/store.sh --help
#
# Prints a human line and a JSON line (it starts with `{`) like cairn-bench. The store directory is a new
# storebench-* directory under bench/target (or --dir), removed after the run unless --keep. JAVA_OPTS is passed
# to the JVM (default: -Xms2g -Xmx8g, so that a million retained messages in memory never make the heap the
# bottleneck). Needs a built bench/target/cairn-bench.jar (mvn -B -q -pl bench -am package -DskipTests).
# See docs/persistence-engine.md for what each workload models and the figures on this machine.
set -euo pipefail
root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
jar=$root/bench/target/cairn-bench.jar
[[ -f $jar ]] || { echo "store: $jar not found: build with 'mvn -B -q -pl bench -am package -DskipTests'" >&2; exit 2; }
read -r -a opts <<<"${JAVA_OPTS:--Xms2g -Xmx8g}"
cd "$root/bench/target"
exec java "${opts[@]}" -cp "$jar" io.cairn.bench.store.StoreBench "$@"
