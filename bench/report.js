'use strict';
// Summarises the JSON lines written by bench/run.sh: medians per server and
// scenario, ratios uvhttp/node, and the targets. Prints a table and (with
// --out) writes a markdown report.
//
//   node bench/report.js --results FILE [--out bench/RESULTS.md]
//                        [--duration S] [--rounds N] [--conns C]
const fs = require('node:fs');
const os = require('node:os');
const { spawnSync } = require('node:child_process');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.results) {
  console.error('usage: node bench/report.js --results FILE [--out FILE]');
  process.exit(2);
}

const TARGETS = {
  // CPU per request on keep-alive: uvhttp <= 0.6 x node
  keepalive: { metric: 'cpu', max: 0.6, text: 'server CPU/request ≤ 0.6× node' },
  // throughput with 16-deep pipelining: uvhttp >= 4 x node
  pipeline: { metric: 'rps', min: 4, text: 'req/s ≥ 4× node' },
};
const SCENARIO_TEXT = {
  keepalive: '(a) keep-alive, 64 conns, 1 wrk thread',
  pipeline: '(b) 16 requests pipelined per write, 64 conns',
};

const rows = fs
  .readFileSync(args.results, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));

function metrics(r) {
  const w = r.wrk;
  const errors = w.err_connect + w.err_read + w.err_write + w.err_status + w.err_timeout;
  // wrk's coordinated-omission correction assumes one request per write; with
  // pipelining it can leave percentiles unresolved (wrk then reports 0).
  const p99ok = w.p99_us > 0 && w.p99_us >= w.p50_us;
  return {
    rps: w.requests / (w.duration_us / 1e6),
    p99: p99ok ? w.p99_us / 1000 : null,
    cpu: w.requests > 0 ? (r.cpu_ticks / r.clk_tck / w.requests) * 1e6 : null,
    util: r.cpu_ticks / r.clk_tck / (w.duration_us / 1e6),
    errors,
    requests: w.requests,
    // CPU used by other processes on the server's / wrk's core, fraction of the run
    other: Array.isArray(r.other_ticks) ? r.other_ticks.map((t) => Math.max(0, t) / r.clk_tck / (w.duration_us / 1e6)) : null,
  };
}

function median(xs) {
  const v = xs.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

const measured = rows.filter((r) => r.round > 0);
const servers = [...new Set(rows.map((r) => r.server))];
// Only the scenarios this run measured (BENCH_SCENARIOS may pick one).
const scenarios = ['keepalive', 'pipeline'].filter((sc) => rows.some((r) => r.scenario === sc));
const summary = {};
for (const sc of scenarios) {
  summary[sc] = {};
  for (const s of servers) {
    const runs = measured.filter((r) => r.server === s && r.scenario === sc);
    const ok = runs.filter((r) => !r.failed).map(metrics);
    summary[sc][s] = {
      runs: runs.length,
      failed: runs.filter((r) => r.failed).length,
      rps: median(ok.map((m) => m.rps)),
      p99: median(ok.map((m) => m.p99)),
      cpu: median(ok.map((m) => m.cpu)),
      util: median(ok.map((m) => m.util)),
      errors: ok.reduce((a, m) => a + m.errors, 0),
      raw: ok,
    };
  }
}

const f = (x, d = 0) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
const fx = (x) => (x === null ? 'n/a' : `${x.toFixed(2)}×`);
const ratio = (a, b) => (a === null || b === null || !b ? null : a / b);

const table = [];
table.push('| scenario | server | req/s | p99 latency (ms) | server CPU/request (µs) | server CPU use | errors | runs ok |');
table.push('|---|---|---:|---:|---:|---:|---:|---:|');
for (const sc of scenarios) {
  for (const s of servers) {
    const m = summary[sc][s];
    table.push(
      `| ${SCENARIO_TEXT[sc]} | ${s} | ${f(m.rps)} | ${f(m.p99, 2)} | ${f(m.cpu, 2)} | ${f(m.util === null ? null : m.util * 100)}% | ${m.errors} | ${m.runs - m.failed}/${m.runs} |`
    );
  }
}

const ratios = [];
ratios.push('| scenario | CPU/request ratio uvhttp/node | req/s ratio uvhttp/node | req per server CPU-second ratio | p99 ratio uvhttp/node | target | status |');
ratios.push('|---|---:|---:|---:|---:|---|---|');
const verdicts = { keepalive: 'not measured', pipeline: 'not measured' };
for (const sc of scenarios) {
  const n = summary[sc].node;
  const u = summary[sc].uvhttp;
  const cpuR = u && n ? ratio(u.cpu, n.cpu) : null;
  const rpsR = u && n ? ratio(u.rps, n.rps) : null;
  const p99R = u && n ? ratio(u.p99, n.p99) : null;
  const t = TARGETS[sc];
  const val = t.metric === 'cpu' ? cpuR : rpsR;
  let status = 'not measured';
  if (val !== null) status = (t.max !== undefined ? val <= t.max : val >= t.min) ? 'MET' : 'NOT MET';
  verdicts[sc] = status;
  ratios.push(`| ${SCENARIO_TEXT[sc]} | ${fx(cpuR)} | ${fx(rpsR)} | ${fx(cpuR ? 1 / cpuR : null)} | ${fx(p99R)} | ${t.text} | ${status} |`);
}

// Each round runs both servers back to back: the ratio within a round shows the spread that the
// medians hide.
const roundLines = [
  '| scenario | round | CPU/request uvhttp/node | req/s uvhttp/node |',
  '|---|---:|---:|---:|',
];
for (const sc of scenarios) {
  const rounds = [...new Set(measured.filter((r) => r.scenario === sc).map((r) => r.round))].sort((a, b) => a - b);
  for (const round of rounds) {
    const pick = (server) => {
      const r = measured.find((x) => x.scenario === sc && x.round === round && x.server === server && !x.failed);
      return r ? metrics(r) : null;
    };
    const u = pick('uvhttp');
    const n = pick('node');
    const cpuR = u && n ? ratio(u.cpu, n.cpu) : null;
    const rpsR = u && n ? ratio(u.rps, n.rps) : null;
    roundLines.push(`| ${SCENARIO_TEXT[sc]} | ${round} | ${f(cpuR, 3)} | ${f(rpsR, 3)} |`);
  }
}

function sh(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 10000 });
  return r.error ? '' : `${r.stdout || ''}${r.stderr || ''}`.trim();
}
const lscpu = sh('lscpu', []);
const model = (lscpu.match(/^Model name:\s*(.+)$/m) || [])[1] || (os.cpus()[0] || {}).model || 'unknown';
const machine = [
  `- CPU: ${model}, ${os.cpus().length} logical CPUs (server pinned to CPU 0, wrk to CPU 1)`,
  `- Kernel: ${os.type()} ${os.release()} (${os.arch()})`,
  `- Node: ${process.version}`,
  `- wrk: ${sh('wrk', ['--version']).split('\n')[0].replace(/ Copyright.*/, '') || 'unknown'}`,
  `- uvhttp commit: ${sh('git', ['-C', __dirname, 'rev-parse', '--short', 'HEAD']) || 'unknown'}${sh('git', ['-C', __dirname, 'status', '--porcelain', '--', '../lib', '../native']) ? ' (+ uncommitted lib/native changes)' : ''}`,
  `- Date: ${new Date().toISOString()}`,
  `- Runs: warm-up, then ${args.rounds || '?'} rounds × ${args.duration || '?'} s per server and scenario, servers alternated; medians reported; ${args.conns || 64} connections, 1 wrk thread${args.nice && args.nice !== '0' ? `; servers and wrk at nice ${args.nice}` : ''}`,
].join('\n');

const NOISY = 0.05;
let noisyRuns = 0;
const rawLines = [
  '| scenario | server | round | req/s | p99 (ms) | CPU/request (µs) | errors | other load CPU0/CPU1 |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
];
for (const r of rows) {
  if (r.failed) {
    rawLines.push(`| ${r.scenario} | ${r.server} | ${r.round || 'warm-up'} | failed: ${r.failed} | | | | |`);
    continue;
  }
  const m = metrics(r);
  const other = m.other ? m.other.map((x) => `${(x * 100).toFixed(0)}%`).join(' / ') : 'n/a';
  if (r.round > 0 && m.other && Math.max(...m.other) > NOISY) noisyRuns++;
  rawLines.push(`| ${r.scenario} | ${r.server} | ${r.round || 'warm-up'} | ${f(m.rps)} | ${f(m.p99, 2)} | ${f(m.cpu, 2)} | ${m.errors} | ${other} |`);
}

const text = `# uvhttp benchmark results

Generated by \`npm run bench\` (\`bench/run.sh\`, summarised by \`bench/report.js\`).
Both servers run the identical handler in \`bench/servers/hello.js\`
(\`res.writeHead(200, {'Content-Type': 'text/plain'}); res.end('Hello World')\`);
only the module differs: \`node:http\` vs uvhttp (full IncomingMessage/ServerResponse API).

## Targets

- (a) keep-alive: uvhttp server CPU time per request **≤ 0.6×** node:http — **${verdicts.keepalive}**
- (b) 16-deep pipelining: uvhttp req/s **≥ 4×** node:http — **${verdicts.pipeline}**

## Machine

${machine}

## Summary (medians)
${noisyRuns ? `\n**Warning: the machine was not quiet: in ${noisyRuns} measured run(s) other processes used more than ${NOISY * 100}% of the server's or wrk's core (see "other load" below). Treat these numbers as indicative only.**\n` : ''}
${table.join('\n')}

## Ratios uvhttp / node:http

${ratios.join('\n')}

Per round (the two servers measured back to back):

${roundLines.join('\n')}

## How to run

\`\`\`sh
npm run bench                                   # warm-up, then 3 rounds x 10 s (about 2.5 min)
BENCH_DURATION=5 BENCH_ROUNDS=1 npm run bench   # quicker
BENCH_THIRD=bench/servers/raw-net.js npm run bench   # add a third server (uWebSockets.js is picked up if installed)
bash bench/profile.sh uvhttp keepalive 10       # perf profile of one server under one scenario
\`\`\`

Run it on a quiet machine: the "other load" column shows when other processes shared the cores.

## How it is measured

- Load: \`wrk -t1 -c64 --latency\`; (a) one request per write on keep-alive connections
  (\`bench/wrk.lua\`); (b) \`bench/wrk.lua -- 16\`, whose \`request()\` returns 16
  concatenated GET requests; wrk counts every response.
- Server CPU/request: utime+stime of the server process (\`/proc/PID/stat\` fields 14+15,
  all threads, clock ticks ÷ \`getconf CLK_TCK\`) sampled just before and after each wrk
  run, divided by the responses wrk counted.
- Req per server CPU-second = 1 / (CPU/request): the throughput one fully used core would
  give. It is far less sensitive than req/s to other processes sharing the machine, so on a
  busy machine read the (b) target against it too (the target itself is measured req/s).
- Other load: ticks used on CPU 0 / CPU 1 (\`/proc/stat\` user+nice+system) minus the
  server's and wrk's own ticks during the run; more than ${NOISY * 100}% flags a busy machine.
- p99 is wrk's (with its coordinated-omission correction). In (b) wrk measures one latency
  per 16-request batch, and its correction assumes one request per write, so it can leave
  the 99th percentile unresolved: wrk then reports 0, shown here as n/a.

## All runs

${rawLines.join('\n')}
`;

console.log('\n' + table.join('\n') + '\n\n' + ratios.join('\n') + '\n');
if (noisyRuns) console.log(`WARNING: ${noisyRuns} measured run(s) shared their cores with other processes (>${NOISY * 100}%); numbers are indicative only.\n`);
if (args.out) {
  require('./results-file').writeSection(args.out, 'server', text);
  console.log(`written ${args.out}`);
}
