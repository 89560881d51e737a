#!/usr/bin/env bash
# What interceptors cost on the publish path: pair (4 pairs) and fan-out (1 -> 10), QoS 1, 64 B, with
#   none  - no interceptor,
#   pass  - the topic-rewrite example with a rule no message matches: an interceptor that passes every message,
#   match - the example with a rule every message matches (bench/# -> bench/{#}: a new topic computed per message),
# in interleaved rounds (none, pass, match, none, ...), each on a freshly started broker that first gets an
# unmeasured run. Each is measured as fast as it goes (pair, fanout) and at a fixed offered load (pair at 40,000
# msg/s, fan-out at 10,000 publications/s = 100,000 deliveries/s), where the broker batches alike in every
# configuration. Prints per run the messages delivered per second and the broker's CPU per message (its CPU seconds
# in the measured window / messages delivered), then the median of each and the ratios of the medians. On a shared
# VM the throughput of one configuration can vary 2-3x between rounds: read the ratios of the medians, and the CPU
# per message at the fixed load above all.
# Broker on core 0 (bin/cairn -d returns once it is ready), load tool on core 1.
#
#   bench/interceptors.sh <runtime folder> [rounds (default 5)]     e.g. bench/interceptors.sh distribution/target/cairn
#   CONFIGS=none bench/interceptors.sh <runtime folder> 1             only the configurations named (e.g. to compare
#                                                                    two builds without interceptors, alternately)
#
# Needs: a built load tool (bench/target/cairn-bench.jar), taskset, Linux /proc. Uses port 1883; changes the
# runtime's deploy/ and etc/ while it runs and puts them back at the end.
set -u
root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
home=$(cd -- "${1:?usage: bench/interceptors.sh <runtime folder> [rounds]}" && pwd -P); rounds=${2:-5}
bench=$root/bench/target/cairn-bench.jar
[[ -f "$bench" ]] || { echo "interceptors: $bench not found: build first with 'mvn -B -q package -DskipTests'" >&2; exit 2; }
configs=${CONFIGS:-none pass match}
results=$(mktemp)
setup() {
  rm -f "$home"/deploy/cairn-example-topic-rewrite-*.jar "$home"/etc/io.cairn.example.rewrite-bench.cfg
  case $1 in
    none) ;;
    pass) printf 'from = nomatch/#\nto = x/{#}\n' > "$home/etc/io.cairn.example.rewrite-bench.cfg"
          cp "$home"/plugins/cairn-example-topic-rewrite-*.jar "$home/deploy/" ;;
    match) printf 'from = bench/#\nto = bench/{#}\n' > "$home/etc/io.cairn.example.rewrite-bench.cfg"
           cp "$home"/plugins/cairn-example-topic-rewrite-*.jar "$home/deploy/" ;;
  esac
}
scenarios=("pair --clients 4" "fanout --clients 10" "pair --clients 4 --rate 40000" "fanout --clients 10 --rate 10000")
names=(pair fanout pair@40k fanout@10k)
for (( round = 1; round <= rounds; round++ )); do
  for cfg in $configs; do
    setup "$cfg"
    rm -rf "$home/data/store"
    taskset -c 0 "$home/bin/cairn" -d > /dev/null 2>&1 || { echo "interceptors: the broker did not start" >&2; exit 1; }
    pid=$(cat "$home/data/cairn.pid")
    # a first, unmeasured run: the JIT compiler's work on the publish path would otherwise count in the first figure
    taskset -c 1 java -jar "$bench" pair --clients 4 --qos 1 --warmup 0 --duration 8 > /dev/null 2>&1
    for (( i = 0; i < ${#scenarios[@]}; i++ )); do
      json=$(taskset -c 1 java -jar "$bench" ${scenarios[$i]} --qos 1 --warmup 2 --duration 8 --broker-pid "$pid" 2>/dev/null)
      rate=$(grep -o '"msgs_per_s":[0-9.]*' <<< "$json" | cut -d: -f2)
      cores=$(grep -o '"broker_cpu_cores":[0-9.]*' <<< "$json" | cut -d: -f2)
      us=$(awk -v c="$cores" -v r="$rate" 'BEGIN { if (r > 0) printf "%.2f", c * 1e6 / r; else print "NaN" }')
      printf '%s %s %s %s %s\n' "$round" "$cfg" "${names[$i]}" "${rate%.*}" "$us" | tee -a "$results"
    done
    "$home/bin/cairn" stop > /dev/null 2>&1
  done
done
setup none
echo "medians over $rounds rounds (msg/s delivered, broker CPU us per message delivered):"
for scenario in "${names[@]}"; do
  for cfg in $configs; do
    rates=$(awk -v c="$cfg" -v s="$scenario" '$2 == c && $3 == s { print $4 }' "$results" | sort -n)
    cpus=$(awk -v c="$cfg" -v s="$scenario" '$2 == c && $3 == s { print $5 }' "$results" | sort -g)
    n=$(wc -l <<< "$rates")
    printf '%s %s %s %s\n' "$scenario" "$cfg" "$(sed -n "$(( (n + 1) / 2 ))p" <<< "$rates")" \
      "$(sed -n "$(( (n + 1) / 2 ))p" <<< "$cpus")"
  done
done | tee "$results.medians"
awk '{ rate[$1 " " $2] = $3; cpu[$1 " " $2] = $4; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
     END { if (!((order[1] " pass") in rate) || !((order[1] " match") in rate)) exit
           for (i = 1; i <= n; i++) { s = order[i]
             printf "%s: throughput pass/none %.2f match/none %.2f match/pass %.2f; CPU per message pass/none %.2f match/none %.2f match/pass %.2f\n",
               s, rate[s " pass"] / rate[s " none"], rate[s " match"] / rate[s " none"], rate[s " match"] / rate[s " pass"],
               cpu[s " pass"] / cpu[s " none"], cpu[s " match"] / cpu[s " none"], cpu[s " match"] / cpu[s " pass"] } }' "$results.medians"
rm -f "$results" "$results.medians"
