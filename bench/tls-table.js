// Formats the JSON lines of bench/tls.sh as a Markdown table: per cell the mean of the rounds of each variant
// (Cairn over TCP, over TLS with its OpenSSL provider, over TLS with its JDK provider; Mosquitto over TCP and TLS)
// and the ratios that answer what TLS costs: each TLS variant against TCP on the same broker, OpenSSL against
// JDK, and Cairn against Mosquitto over TLS.
// Usage: node bench/tls-table.js results.jsonl [more-results.jsonl ...]
'use strict';
const fs = require('fs');
const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node bench/tls-table.js results.jsonl [more-results.jsonl ...]');
  process.exit(2);
}
const runs = files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n'))
  .filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const fmt = (x, digits = 0) => (Number.isFinite(x)
  ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const ratio = (a, b) => (Number.isFinite(a / b) ? `${fmt(a / b, 2)}x` : 'n/a');

const variants = ['cairn-tcp', 'cairn-openssl', 'cairn-jdk', 'mosquitto-tcp', 'mosquitto-tls'];
const cells = [
  { name: 'connections/s (TLS: full handshakes)', pred: (r) => r.scenario === 'conns', value: (r) => r.connects_per_s },
  { name: '1:1 QoS 0 msg/s', pred: (r) => r.scenario === 'pair' && r.qos === 0, value: (r) => r.msgs_per_s },
  { name: '1:1 QoS 1 msg/s', pred: (r) => r.scenario === 'pair' && r.qos === 1, value: (r) => r.msgs_per_s },
];
const lines = [];
lines.push('| cell | Cairn TCP | Cairn TLS OpenSSL | Cairn TLS JDK | Mosquitto TCP | Mosquitto TLS '
  + '| Cairn OpenSSL/TCP | Cairn JDK/TCP | Cairn OpenSSL/JDK | Mosquitto TLS/TCP | Cairn OpenSSL/Mosquitto TLS |');
lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
let failed = 0;
for (const c of cells) {
  const m = {};
  for (const v of variants) {
    const rs = runs.filter((r) => r.label === v && c.pred(r));
    failed += rs.filter((r) => r.ok === false).length;
    m[v] = mean(rs.filter((r) => r.ok !== false).map(c.value));
  }
  lines.push(`| ${c.name} | ${variants.map((v) => fmt(m[v])).join(' | ')} `
    + `| ${ratio(m['cairn-openssl'], m['cairn-tcp'])} | ${ratio(m['cairn-jdk'], m['cairn-tcp'])} `
    + `| ${ratio(m['cairn-openssl'], m['cairn-jdk'])} | ${ratio(m['mosquitto-tls'], m['mosquitto-tcp'])} `
    + `| ${ratio(m['cairn-openssl'], m['mosquitto-tls'])} |`);
}
const tls = runs.filter((r) => r.transport === 'tls');
const protocols = [...new Set(tls.map((r) => r.tls_protocol))].join(', ');
const clients = [...new Set(tls.map((r) => r.tls_provider))].join(', ');
lines.push('');
lines.push(`TLS runs: negotiated ${protocols || 'n/a'}; the load tool's provider ${clients || 'n/a'}; `
  + 'every connection a full handshake. Means over the rounds of each variant; failed runs left out'
  + (failed ? ` (${failed} failed)` : '') + '.');
console.log(lines.join('\n'));
