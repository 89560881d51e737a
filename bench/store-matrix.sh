#!/usr/bin/env bash
# The storage-engine comparison of docs/persistence-engine.md: every workload of bench/store.sh against every
# store configuration, REPEAT times in turn (one run of each configuration per round, so drift of the machine
# hits all alike), then a table of medians. Each run is a fresh JVM on a fresh store directory.
#
#   bench/store-matrix.sh                          the full comparison (about 30 minutes)
#   WORKLOADS="queue" REPEAT=1 SECONDS_PER_RUN=3 bench/store-matrix.sh      a quick look
#
# Environment: WORKLOADS ("queue fanin retained sessions"), CONFIGS ("mem file:sync file:periodic mvstore:sync
# mvstore:periodic"), REPEAT (3), SECONDS_PER_RUN (queue/fanin measured seconds, 10), WARMUP (2),
# QUEUE_THREADS (4), FANIN_THREADS (16), RETAINED (1000000), SESSIONS (100000), BULK_SECONDS (bound of the
# retained/sessions write phase, 300), FSYNC_INTERVAL_MS (periodic, 100), EXTRA_ARGS (more store.sh options for
# every run, e.g. --compact), OUT (a directory for the JSON lines and the table). Needs a built
# bench/target/cairn-bench.jar and node.
set -euo pipefail
root=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd -P)
WORKLOADS=${WORKLOADS:-queue fanin retained sessions}
CONFIGS=${CONFIGS:-mem file:sync file:periodic mvstore:sync mvstore:periodic}
REPEAT=${REPEAT:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
WARMUP=${WARMUP:-2}
QUEUE_THREADS=${QUEUE_THREADS:-4}
FANIN_THREADS=${FANIN_THREADS:-16}
RETAINED=${RETAINED:-1000000}
SESSIONS=${SESSIONS:-100000}
BULK_SECONDS=${BULK_SECONDS:-300}
FSYNC_INTERVAL_MS=${FSYNC_INTERVAL_MS:-100}
read -r -a extra <<<"${EXTRA_ARGS:-}"
OUT=${OUT:-$root/bench/target/store-matrix-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
results=$OUT/results.jsonl
: >"$results"
echo "store-matrix: results in $OUT; $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

for workload in $WORKLOADS; do
  case $workload in
    queue) args=(--threads "$QUEUE_THREADS" --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP") ;;
    fanin) args=(--threads "$FANIN_THREADS" --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP") ;;
    retained) args=(--messages "$RETAINED" --seconds "$BULK_SECONDS") ;;
    sessions) args=(--messages "$SESSIONS" --seconds "$BULK_SECONDS") ;;
    *) echo "store-matrix: unknown workload $workload" >&2; exit 2 ;;
  esac
  for round in $(seq 1 "$REPEAT"); do
    for config in $CONFIGS; do
      store=${config%%:*}
      durability=sync
      [[ $config == *:* ]] && durability=${config#*:}
      line=$("$root/bench/store.sh" "$workload" --store "$store" --durability "$durability" \
        --fsync-interval-ms "$FSYNC_INTERVAL_MS" --label "round $round" "${args[@]}" ${extra[@]+"${extra[@]}"} 2>>"$OUT/stderr.log" \
        | tee -a "$OUT/human.log" | grep '^{' || true)
      if [[ -z $line ]]; then
        echo "store-matrix: $workload $config round $round produced no result (see $OUT/stderr.log)" >&2
        continue
      fi
      echo "$line" >>"$results"
      echo "  $workload $config round $round: load $(cut -d' ' -f1 /proc/loadavg)" >&2
    done
  done
done

node - "$results" >"$OUT/table.md" <<'JS'
const fs = require("fs");
const rows = fs.readFileSync(process.argv[2], "utf8").split("\n").filter(Boolean).map(JSON.parse);
const median = a => { const s = [...a].sort((x, y) => x - y); const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const fmt = (v, d = 0) => Number.isFinite(v) ? v.toLocaleString("en-US", {maximumFractionDigits: d,
  minimumFractionDigits: d}) : "–";
const groups = new Map();
for (const r of rows) {
  const key = `${r.workload}|${r.store}|${r.durability}`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(r);
}
const metrics = {
  queue: [["msgs/s", r => r.msgs_per_s], ["sync p50 µs", r => r.sync_us.p50], ["sync p99 µs", r => r.sync_us.p99],
          ["disk MB at end", r => r.disk_bytes / 1e6, 1]],
  fanin: [["msgs/s", r => r.msgs_per_s], ["sync p50 µs", r => r.sync_us.p50], ["sync p99 µs", r => r.sync_us.p99],
          ["disk MB at end", r => r.disk_bytes / 1e6, 1]],
  retained: [["puts/s", r => r.put_per_s], ["disk bytes/msg", r => r.bytes_per_message, 1],
             ["reopen ms", r => r.open_ms], ["forEach ms", r => r.foreach_ms], ["recovery ms", r => r.recovery_ms]],
  sessions: [["sessions/s", r => r.save_per_s], ["disk bytes/queued msg", r => r.bytes_per_queued_message, 1],
             ["reopen ms", r => r.open_ms], ["forEach ms", r => r.foreach_ms], ["recovery ms", r => r.recovery_ms]],
};
for (const workload of ["queue", "fanin", "retained", "sessions"]) {
  const cols = [...groups.keys()].filter(k => k.startsWith(workload + "|"));
  if (cols.length === 0) continue;
  const name = k => { const [, s, d] = k.split("|"); return d === "none" ? s : `${s} (${d})`; };
  const first = groups.get(cols[0])[0];
  console.log(`### ${workload} (threads ${first.threads}, medians of ${groups.get(cols[0]).length})\n`);
  console.log(`| | ${cols.map(name).join(" | ")} |`);
  console.log(`|---|${cols.map(() => "---:").join("|")}|`);
  for (const [label, f, d] of metrics[workload]) {
    console.log(`| ${label} | ${cols.map(k => fmt(median(groups.get(k).map(f)), d || 0)).join(" | ")} |`);
  }
  const runs = cols.map(k => `${name(k)}: ${groups.get(k).map(r => fmt(metrics[workload][0][1](r))).join(", ")}`);
  console.log(`\nevery run, ${metrics[workload][0][0]}: ${runs.join("; ")}\n`);
}
JS
cat "$OUT/table.md"
