// Formats the JSON lines of bench/persistence.sh as a Markdown table: the mean msg/s of each broker per cell and
// its ratio to Cairn on the memory store.
// Usage: node bench/persistence-table.js results.jsonl
'use strict';
const fs = require('fs');
const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/persistence-table.js results.jsonl');
  process.exit(2);
}
const runs = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const fmt = (x, digits = 0) => (Number.isFinite(x)
  ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const brokers = ['memory', 'file', 'periodic', 'mosquitto'].filter((b) => runs.some((r) => r.label === b));
const names = { memory: 'Cairn memory', file: 'Cairn file (sync)', periodic: 'Cairn file (periodic)',
  mosquitto: 'Mosquitto (persistence true)' };
const cells = [];
for (const r of runs) {
  const key = `${r.scenario} ${r.clients} ${r.qos}`;
  if (!cells.some((c) => c.key === key)) cells.push({ key, scenario: r.scenario, clients: r.clients, qos: r.qos });
}
const lines = [];
lines.push(`| cell | ${brokers.map((b) => `${names[b]} msg/s`).join(' | ')} | ${brokers.filter((b) => b !== 'memory')
  .map((b) => `${names[b]} / memory`).join(' | ')} |`);
lines.push(`|---|${brokers.map(() => '---:').join('|')}|${brokers.filter((b) => b !== 'memory').map(() => '---:').join('|')}|`);
for (const c of cells) {
  const rate = (b) => mean(runs.filter((r) => r.label === b && r.scenario === c.scenario && r.clients === c.clients
    && r.qos === c.qos && r.ok !== false).map((r) => r.msgs_per_s));
  const base = rate('memory');
  const name = c.scenario === 'pair' ? `1:1 QoS ${c.qos}` : `${c.clients}:1 fan-in QoS ${c.qos}`;
  lines.push(`| ${name} | ${brokers.map((b) => fmt(rate(b))).join(' | ')} | ${brokers.filter((b) => b !== 'memory')
    .map((b) => `${fmt(rate(b) / base, 2)}`).join(' | ')} |`);
}
console.log(lines.join('\n'));
