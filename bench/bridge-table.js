// Formats the JSON lines of bench/bridge.sh as a Markdown table: the mean msg/s at the upstream subscriber, direct
// to Mosquitto and through each Cairn bridge, and the ratio bridged / direct.
// Usage: node bench/bridge-table.js results.jsonl
'use strict';
const fs = require('fs');
const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/bridge-table.js results.jsonl');
  process.exit(2);
}
const runs = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const fmt = (x, digits = 0) => (Number.isFinite(x)
  ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const labels = ['direct', 'bridge-v5', 'bridge-v311'].filter((b) => runs.some((r) => r.label === b));
const names = { direct: 'direct to Mosquitto', 'bridge-v5': 'Cairn bridge MQTT 5', 'bridge-v311': 'Cairn bridge MQTT 3.1.1' };
const cells = [];
for (const r of runs) {
  const key = `${r.scenario} ${r.clients} ${r.qos}`;
  if (!cells.some((c) => c.key === key)) cells.push({ key, scenario: r.scenario, clients: r.clients, qos: r.qos });
}
const bridged = labels.filter((b) => b !== 'direct');
const lines = [];
lines.push(`| cell | ${labels.map((b) => `${names[b]} msg/s`).join(' | ')} | ${bridged.map((b) => `${names[b]} / direct`)
  .join(' | ')} |`);
lines.push(`|---|${labels.map(() => '---:').join('|')}|${bridged.map(() => '---:').join('|')}|`);
for (const c of cells) {
  const rate = (b) => mean(runs.filter((r) => r.label === b && r.scenario === c.scenario && r.clients === c.clients
    && r.qos === c.qos && r.ok !== false).map((r) => r.msgs_per_s));
  const base = rate('direct');
  const name = c.scenario === 'pair' ? `1:1 QoS ${c.qos}` : `${c.clients}:1 fan-in QoS ${c.qos}`;
  lines.push(`| ${name} | ${labels.map((b) => fmt(rate(b))).join(' | ')} | ${bridged.map((b) => fmt(rate(b) / base, 2))
    .join(' | ')} |`);
}
console.log(lines.join('\n'));
