#!/usr/bin/env bash
# pair (4 pairs) and fan-out (1 -> 10) QoS 1, 64 B: no interceptor / the example with a rule no message matches
# (a pass-through) / the example with a rule every message matches (identity rewrite computed per message).
# Broker on core 0 (bin/cairn -d, which returns once the broker is ready), tool on core 1.
# Usage: bench/interceptors.sh <runtime folder> <bench jar>   (runtime: distribution/target/cairn, or a copy)
set -u
home=$1; bench=$2
run() {
  local label=$1
  for scenario in "pair --clients 4" "fanout --clients 10"; do
    r=$(taskset -c 1 java -jar "$bench" $scenario --qos 1 --warmup 3 --duration 10 2>&1 | grep -o '"msgs_per_s":[0-9.]*' | cut -d: -f2)
    echo "$label ${scenario%% *} $r"
  done
}
setup() {
  rm -f "$home"/deploy/cairn-example-topic-rewrite-*.jar "$home"/etc/io.cairn.example.rewrite-*.cfg
  case $1 in
    none) ;;
    pass) printf 'from = nomatch/#\nto = x/{#}\n' > "$home/etc/io.cairn.example.rewrite-bench.cfg"
          cp "$home"/plugins/cairn-example-topic-rewrite-*.jar "$home/deploy/" ;;
    match) printf 'from = bench/#\nto = bench/{#}\n' > "$home/etc/io.cairn.example.rewrite-bench.cfg"
           cp "$home"/plugins/cairn-example-topic-rewrite-*.jar "$home/deploy/" ;;
  esac
}
for round in 1 2; do
  for cfg in none pass match; do
    setup $cfg
    rm -rf "$home/data/store"
    taskset -c 0 "$home/bin/cairn" -d > /dev/null 2>&1
    run "round$round $cfg"
    "$home/bin/cairn" stop > /dev/null 2>&1
  done
done
setup none
