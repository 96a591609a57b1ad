'use strict';
// Summarises bench/client/run.sh's runs: median req/s and client CPU per request for each
// client, ratios to node:http's http.request, each round's uvhttp/undici.request ratio, and the
// target (uvhttp's http.request at or above undici.request).
//
//   node bench/client/report.js RESULTS.jsonl SERVER INFLIGHT DURATION ROUNDS [--out FILE]
const fs = require('node:fs');
const os = require('node:os');

const [file, server, inflight, duration, rounds, flag, out] = process.argv.slice(2);
const runs = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));

const NAMES = {
  'node-http': "node:http `http.request`",
  uvhttp: "uvhttp `http.request`",
  'undici-request': '`undici.request`',
  'undici-pool': 'undici `Pool`',
  fetch: '`fetch` (Node’s)',
};

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const byClient = new Map();
for (const run of runs) {
  if (!byClient.has(run.client)) byClient.set(run.client, []);
  byClient.get(run.client).push(run);
}
const summary = new Map();
for (const [client, list] of byClient) {
  summary.set(client, {
    rps: median(list.map((r) => r.requests / r.seconds)),
    cpu: median(list.map((r) => (r.cpuSeconds / r.requests) * 1e6)),
  });
}
const base = summary.get('node-http');
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const lines = [];
lines.push('## Client: `npm run bench:client`');
lines.push('');
lines.push(
  `${inflight} GET requests in flight over keep-alive connections against ${server} (pinned to CPU 0), ` +
    `the client pinned to CPU 1; medians of ${rounds} rounds of ${duration} s, clients alternating within each round. ` +
    'Client CPU per request is the client process’s user+system time over the run divided by the responses it completed.',
);
lines.push('');
lines.push(`Machine: ${os.cpus()[0].model}, ${os.cpus().length} cores; Node ${process.versions.node}; ${new Date().toISOString().slice(0, 10)}.`);
lines.push('');
lines.push('| client | req/s | × node:http | client CPU/request | × node:http |');
lines.push('|---|---:|---:|---:|---:|');
for (const [client, s] of summary) {
  const ratio = base ? fmt(s.rps / base.rps, 2) : '–';
  const cpuRatio = base ? fmt(s.cpu / base.cpu, 2) : '–';
  lines.push(`| ${NAMES[client] ?? client} | ${fmt(s.rps)} | ${ratio}× | ${fmt(s.cpu, 1)} µs | ${cpuRatio}× |`);
}
const uv = summary.get('uvhttp');
const undici = summary.get('undici-request');
if (uv && undici) {
  const ratio = uv.rps / undici.rps;
  lines.push('');
  lines.push(
    `Target: uvhttp's \`http.request\` ≥ \`undici.request\`: ${fmt(ratio, 2)}× — ${ratio >= 1 ? 'met' : 'NOT met'}.`,
  );
  const perRound = [];
  for (let round = 1; round <= Number(rounds); round++) {
    const a = runs.find((r) => r.round === round && r.client === 'uvhttp');
    const b = runs.find((r) => r.round === round && r.client === 'undici-request');
    if (a && b) perRound.push(fmt(a.requests / a.seconds / (b.requests / b.seconds), 2));
  }
  if (perRound.length) lines.push(`Per round (uvhttp / undici.request): ${perRound.join(', ')}.`);
}
const text = `${lines.join('\n')}\n`;
process.stdout.write(text);
if (flag === '--out' && out) {
  require('../results-file').writeSection(out, 'client', text);
  process.stderr.write(`[bench:client] written to ${out}\n`);
}
