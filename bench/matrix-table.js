// Formats the JSON lines of bench/matrix.sh as a Markdown table: Cairn and Mosquitto side by side, the mean of
// the repeats per cell, the ratio, and whether the targets of the load-tools issue hold.
// Usage: node bench/matrix-table.js results.jsonl
'use strict';
const fs = require('fs');
const runs = fs.readFileSync(process.argv[2], 'utf8').split('\n')
  .filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const fmt = (x, digits = 0) => (Number.isFinite(x)
  ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const of = (broker, pred) => runs.filter((r) => r.label === broker && pred(r));
const allOk = (rs) => rs.length > 0 && rs.every((r) => r.ok !== false);

const lines = [];
let targetsMet = true;
lines.push('| cell | Cairn msg/s | Mosquitto msg/s | ratio | Cairn CPU | Mosquitto CPU | target |');
lines.push('|---|---:|---:|---:|---:|---:|---|');
const cells = [];
for (const r of runs) {
  if (['pair', 'fanin', 'fanout', 'mesh'].includes(r.scenario)) {
    const key = `${r.scenario} qos${r.qos} c${r.clients}`;
    if (!cells.some((c) => c.key === key)) cells.push({ key, scenario: r.scenario, qos: r.qos, clients: r.clients });
  }
}
for (const c of cells) {
  const same = (r) => r.scenario === c.scenario && r.qos === c.qos && r.clients === c.clients;
  const a = of('cairn', same);
  const b = of('mosquitto', same);
  const ra = mean(a.map((r) => r.msgs_per_s));
  const rb = mean(b.map((r) => r.msgs_per_s));
  const ratio = ra / rb;
  const verdict = !allOk(a) ? 'FAILED RUN' : ratio >= 2 ? 'met (>= 2x)' : ratio >= 1.5 ? 'below 2x' : 'below 1.5x';
  if (verdict !== 'met (>= 2x)') targetsMet = false;
  const label = { pair: c.clients === 1 ? '1:1' : `${c.clients} pairs`, fanin: `${c.clients}:1 fan-in`,
    fanout: `1:${c.clients} fan-out`, mesh: `${c.clients}-client mesh` }[c.scenario];
  lines.push(`| ${label} QoS ${c.qos} | ${fmt(ra)} | ${fmt(rb)} | ${fmt(ratio, 2)}x | `
    + `${fmt(mean(a.map((r) => r.broker_cpu_cores)), 2)} | ${fmt(mean(b.map((r) => r.broker_cpu_cores)), 2)} | ${verdict} |`);
}

const lat = (broker) => of(broker, (r) => r.scenario === 'latency');
const la = lat('cairn');
const lb = lat('mosquitto');
if (la.length || lb.length) {
  lines.push('');
  lines.push('| latency (round trip, µs) | rate msg/s | p50 | p90 | p99 | p99.9 | max |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const [name, rs] of [['Cairn', la], ['Mosquitto', lb]]) {
    const q = (k) => fmt(mean(rs.map((r) => r.latency_us[k])));
    lines.push(`| ${name} | ${fmt(mean(rs.map((r) => r.rate)))} | ${q('p50')} | ${q('p90')} | ${q('p99')} | `
      + `${q('p999')} | ${q('max')} |`);
  }
  const met = allOk(la) && mean(la.map((r) => r.latency_us.p99)) < mean(lb.map((r) => r.latency_us.p99));
  if (!met) targetsMet = false;
  lines.push(`\np99 target (Cairn below Mosquitto): ${met ? 'met' : 'NOT met'}`);
}

const conns = (broker) => of(broker, (r) => r.scenario === 'conns');
const ca = conns('cairn');
const cb = conns('mosquitto');
if (ca.length || cb.length) {
  lines.push('');
  lines.push('| idle connections | connections | connects/s | RSS per connection KiB | pair msg/s while held | failed |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const [name, rs] of [['Cairn', ca], ['Mosquitto', cb]]) {
    lines.push(`| ${name} | ${fmt(mean(rs.map((r) => r.connections)))} | ${fmt(mean(rs.map((r) => r.connects_per_s)))} | `
      + `${fmt(mean(rs.map((r) => r.rss_per_conn_kib)), 2)} | ${fmt(mean(rs.map((r) => r.pair_msgs_per_s)))} | `
      + `${fmt(mean(rs.map((r) => r.failed)))} |`);
  }
  const kib = mean(ca.map((r) => r.rss_per_conn_kib));
  const rate = mean(ca.map((r) => r.connects_per_s)) >= mean(cb.map((r) => r.connects_per_s));
  const met = allOk(ca) && kib < 4 && rate;
  if (!met) targetsMet = false;
  lines.push(`\nconnection targets (< 4 KiB each, accepted at least as fast as Mosquitto): ${met ? 'met' : 'NOT met'}`);
}
lines.push(`\nall targets: ${targetsMet ? 'met' : 'NOT all met'}`);
console.log(lines.join('\n'));
