// Formats the JSON lines of bench/matrix.sh as a Markdown table: Cairn and Mosquitto side by side, the mean of
// the repeats per cell, the ratio, and whether the targets of the load-tools issue hold. Rows of MQTT 3.1 and 5
// runs are marked with their protocol. When the runs hold more than one protocol level, a second table compares
// each level with MQTT 3.1.1 per cell, and says whether Cairn's figures at MQTT 5 are within 10% of those at 3.1.1
// (the MQTT 5 issue's target).
// Usage: node bench/matrix-table.js results.jsonl [more-results.jsonl ...]   (several files are merged, so the
// results of a PROTOCOL=5 matrix and of a 3.1.1 one can be compared)
'use strict';
const fs = require('fs');
const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node bench/matrix-table.js results.jsonl [more-results.jsonl ...]');
  process.exit(2);
}
const runs = files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n'))
  .filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
  .map((r) => ({ ...r, protocol: r.protocol || 4 })); // conns lines before MQTT 5 had no protocol: 3.1.1

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const fmt = (x, digits = 0) => (Number.isFinite(x)
  ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const of = (broker, pred) => runs.filter((r) => r.label === broker && pred(r));
const allOk = (rs) => rs.length > 0 && rs.every((r) => r.ok !== false);
const levels = [...new Set(runs.map((r) => r.protocol))].sort();
const versionOf = { 3: '3.1', 4: '3.1.1', 5: '5' };
const version = (level) => versionOf[level] || `level ${level}`;
// 3.1.1 rows keep their plain names: the default matrix's table is unchanged
const marked = (name, level) => (level === 4 ? name : `${name} (MQTT ${version(level)})`);

const lines = [];
let targetsMet = true;
lines.push('| cell | Cairn msg/s | Mosquitto msg/s | ratio | Cairn CPU | Mosquitto CPU | target |');
lines.push('|---|---:|---:|---:|---:|---:|---|');
const cells = [];
for (const r of runs) {
  if (['pair', 'fanin', 'fanout', 'mesh'].includes(r.scenario)) {
    const key = `${r.scenario} qos${r.qos} c${r.clients} p${r.protocol}`;
    if (!cells.some((c) => c.key === key)) {
      cells.push({ key, scenario: r.scenario, qos: r.qos, clients: r.clients, protocol: r.protocol });
    }
  }
}
const cellName = (c) => `${{ pair: c.clients === 1 ? '1:1' : `${c.clients} pairs`, fanin: `${c.clients}:1 fan-in`,
  fanout: `1:${c.clients} fan-out`, mesh: `${c.clients}-client mesh` }[c.scenario]} QoS ${c.qos}`;
const sameCell = (c, protocol) => (r) => r.scenario === c.scenario && r.qos === c.qos && r.clients === c.clients
  && r.protocol === protocol;
for (const c of cells) {
  const a = of('cairn', sameCell(c, c.protocol));
  const b = of('mosquitto', sameCell(c, c.protocol));
  const ra = mean(a.map((r) => r.msgs_per_s));
  const rb = mean(b.map((r) => r.msgs_per_s));
  const ratio = ra / rb;
  const verdict = !allOk(a) ? 'FAILED RUN' : !b.length ? 'no Mosquitto run'
    : ratio >= 2 ? 'met (>= 2x)' : ratio >= 1.5 ? 'below 2x' : 'below 1.5x';
  if (verdict !== 'met (>= 2x)') targetsMet = false;
  lines.push(`| ${marked(cellName(c), c.protocol)} | ${fmt(ra)} | ${fmt(rb)} | ${fmt(ratio, 2)}x | `
    + `${fmt(mean(a.map((r) => r.broker_cpu_cores)), 2)} | ${fmt(mean(b.map((r) => r.broker_cpu_cores)), 2)} | ${verdict} |`);
}

const lat = (broker, level) => of(broker, (r) => r.scenario === 'latency' && r.protocol === level);
const latLevels = levels.filter((l) => runs.some((r) => r.scenario === 'latency' && r.protocol === l));
if (latLevels.length) {
  lines.push('');
  lines.push('| latency (round trip, µs) | rate msg/s | p50 | p90 | p99 | p99.9 | max |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const level of latLevels) {
    for (const [name, rs] of [['Cairn', lat('cairn', level)], ['Mosquitto', lat('mosquitto', level)]]) {
      const q = (k) => fmt(mean(rs.map((r) => r.latency_us[k])));
      lines.push(`| ${marked(name, level)} | ${fmt(mean(rs.map((r) => r.rate)))} | ${q('p50')} | ${q('p90')} | `
        + `${q('p99')} | ${q('p999')} | ${q('max')} |`);
    }
  }
  for (const level of latLevels) {
    const la = lat('cairn', level);
    const lb = lat('mosquitto', level);
    const met = allOk(la) && mean(la.map((r) => r.latency_us.p99)) < mean(lb.map((r) => r.latency_us.p99));
    if (!met) targetsMet = false;
    lines.push(`\n${marked('p99 target', level)} (Cairn below Mosquitto): `
      + `${met ? 'met' : lb.length ? 'NOT met' : 'n/a (no Mosquitto run)'}`);
  }
}

const conns = (broker, level) => of(broker, (r) => r.scenario === 'conns' && r.protocol === level);
const connLevels = levels.filter((l) => runs.some((r) => r.scenario === 'conns' && r.protocol === l));
if (connLevels.length) {
  lines.push('');
  lines.push('| idle connections | connections | connects/s | RSS per connection KiB | pair msg/s while held | failed |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const level of connLevels) {
    for (const [name, rs] of [['Cairn', conns('cairn', level)], ['Mosquitto', conns('mosquitto', level)]]) {
      lines.push(`| ${marked(name, level)} | ${fmt(mean(rs.map((r) => r.connections)))} | `
        + `${fmt(mean(rs.map((r) => r.connects_per_s)))} | ${fmt(mean(rs.map((r) => r.rss_per_conn_kib)), 2)} | `
        + `${fmt(mean(rs.map((r) => r.pair_msgs_per_s)))} | ${fmt(mean(rs.map((r) => r.failed)))} |`);
    }
  }
  for (const level of connLevels) {
    const ca = conns('cairn', level);
    const cb = conns('mosquitto', level);
    const kib = mean(ca.map((r) => r.rss_per_conn_kib));
    const rate = mean(ca.map((r) => r.connects_per_s)) >= mean(cb.map((r) => r.connects_per_s));
    const met = allOk(ca) && kib < 4 && rate;
    if (!met) targetsMet = false;
    lines.push(`\n${marked('connection targets', level)} (< 4 KiB each, accepted at least as fast as Mosquitto): `
      + `${met ? 'met' : cb.length ? 'NOT met' : 'n/a (no Mosquitto run)'}`);
  }
}
lines.push(`\nall targets: ${targetsMet ? 'met' : 'NOT all met'}`);

// Each other level against MQTT 3.1.1 (or the lowest level present), per cell and broker: the same figures at
// both levels, the change, and for Cairn whether it stays within 10% (better or at most 10% worse).
const base = levels.includes(4) ? 4 : levels[0];
for (const level of levels.filter((l) => l !== base)) {
  const rows = []; // [name, Cairn base, Cairn level, Mosquitto base, Mosquitto level, higher is better, ok]
  const compare = (name, pick, higherIsBetter, pred) => {
    const ab = of('cairn', (r) => pred(r, base));
    const al = of('cairn', (r) => pred(r, level));
    const bb = of('mosquitto', (r) => pred(r, base));
    const bl = of('mosquitto', (r) => pred(r, level));
    if (!ab.length || !al.length) return;
    rows.push([name, mean(ab.map(pick)), mean(al.map(pick)), mean(bb.map(pick)), mean(bl.map(pick)),
      higherIsBetter, allOk(ab) && allOk(al)]);
  };
  for (const c of cells.filter((x) => x.protocol === level)) {
    compare(`${cellName(c)} msg/s`, (r) => r.msgs_per_s, true, (r, l) => sameCell(c, l)(r));
  }
  const isLatency = (r, l) => r.scenario === 'latency' && r.protocol === l;
  compare('latency p50 µs', (r) => r.latency_us.p50, false, isLatency);
  compare('latency p99 µs', (r) => r.latency_us.p99, false, isLatency);
  const isConns = (r, l) => r.scenario === 'conns' && r.protocol === l;
  compare('idle connections: connects/s', (r) => r.connects_per_s, true, isConns);
  compare('idle connections: RSS per connection KiB', (r) => r.rss_per_conn_kib, false, isConns);
  compare('idle connections: pair msg/s while held', (r) => r.pair_msgs_per_s, true, isConns);
  if (!rows.length) continue;
  const v = version(level);
  const b = version(base);
  const change = (x, y) => (Number.isFinite(x) && Number.isFinite(y) && x !== 0
    ? `${y >= x ? '+' : ''}${fmt((y / x - 1) * 100, 1)}%` : 'n/a');
  lines.push('');
  lines.push(`| MQTT ${v} vs ${b} | Cairn ${b} | Cairn ${v} | change | Mosquitto ${b} | Mosquitto ${v} | change | `
    + `Cairn within 10% |`);
  lines.push('|---|---:|---:|---:|---:|---:|---:|---|');
  let within = true;
  for (const [name, ab, al, bb, bl, higherIsBetter, ok] of rows) {
    const digits = name.includes('KiB') ? 2 : 0;
    const inside = higherIsBetter ? al >= 0.9 * ab : al <= 1.1 * ab;
    const verdict = !ok ? 'FAILED RUN' : inside ? 'yes' : 'NO';
    if (verdict !== 'yes') within = false;
    lines.push(`| ${name} | ${fmt(ab, digits)} | ${fmt(al, digits)} | ${change(ab, al)} | ${fmt(bb, digits)} | `
      + `${fmt(bl, digits)} | ${change(bb, bl)} | ${verdict} |`);
  }
  lines.push(`\nCairn at MQTT ${v} within 10% of MQTT ${b} in every row: ${within ? 'met' : 'NOT met'}`);

  // the load tool's own cost, so that a change between the levels can be told from one of the tool: its CPU
  // (all its threads, on its own core) per delivered message, and how busy its core was
  const cost = (rs) => mean(rs.map((r) => r.generator_cpu_cores * 1e6 / r.msgs_per_s));
  const busy = (rs) => mean(rs.map((r) => r.generator_cpu_cores));
  const toolRows = [];
  for (const c of cells.filter((x) => x.protocol === level)) {
    const at = (broker, l) => of(broker, sameCell(c, l)).filter((r) => Number.isFinite(r.generator_cpu_cores));
    if (!at('cairn', base).length && !at('mosquitto', base).length) continue;
    toolRows.push(`| ${cellName(c)} | ${fmt(cost(at('cairn', base)), 2)} | ${fmt(cost(at('cairn', level)), 2)} | `
      + `${fmt(cost(at('mosquitto', base)), 2)} | ${fmt(cost(at('mosquitto', level)), 2)} | `
      + `${fmt(busy(at('cairn', base)), 2)} / ${fmt(busy(at('cairn', level)), 2)} | `
      + `${fmt(busy(at('mosquitto', base)), 2)} / ${fmt(busy(at('mosquitto', level)), 2)} |`);
  }
  if (toolRows.length) {
    lines.push('');
    lines.push(`| load tool, µs CPU per message | with Cairn ${b} | with Cairn ${v} | with Mosquitto ${b} | `
      + `with Mosquitto ${v} | its core busy, Cairn ${b} / ${v} | Mosquitto ${b} / ${v} |`);
    lines.push('|---|---:|---:|---:|---:|---:|---:|');
    lines.push(...toolRows);
  }
}
console.log(lines.join('\n'));
