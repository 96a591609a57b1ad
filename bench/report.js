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

// Issue 10's targets, as ratios uvhttp / node:http in the same run (idle: KB per connection).
const TARGETS = {
  keepalive: { metric: 'cpu', max: 0.45, text: 'CPU/request ≤ 0.45× node' },
  pipeline: { metric: 'rps', min: 8, text: 'req/s ≥ 8× node' },
  close: { metric: 'cpu', max: 0.42, text: 'CPU/request ≤ 0.42× node' },
  post: { metric: 'cpu', max: 0.45, text: 'CPU/request ≤ 0.45× node' },
  headers: { metric: 'cpu', max: 0.35, text: 'CPU/request ≤ 0.35× node' },
  express: { metric: 'cpu', max: 0.6, text: 'CPU/request ≤ 0.6× node' },
  idle: { max: 3, text: 'RSS per idle connection ≤ 3 KB' },
};
const SCENARIO_TEXT = {
  keepalive: '(a) keep-alive hello',
  pipeline: '(b) 16 requests pipelined per write',
  close: '(c) `Connection: close` hello',
  post: '(d) POST 4 KiB echo',
  headers: '(e) 25 browser request headers',
  express: 'Express 5 hello',
};
const WRK_SCENARIOS = Object.keys(SCENARIO_TEXT);
const THIRD = 'uws';

const rows = fs
  .readFileSync(args.results, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const multicoreHow = Object.assign({}, ...rows.filter((r) => r.multicore_how).map((r) => r.multicore_how));
const runs = rows.filter((r) => r.server);

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
const kbPerConn = (r) => (r.idle.rss_after - r.idle.rss_before) / r.idle.connections / 1024;

function median(xs) {
  const v = xs.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

const measured = runs.filter((r) => r.round > 0);
const servers = ['node', 'uvhttp', ...new Set(runs.map((r) => r.server).filter((s) => s !== 'node' && s !== 'uvhttp'))].filter((s) =>
  runs.some((r) => r.server === s)
);
const scenarios = WRK_SCENARIOS.filter((sc) => runs.some((r) => r.scenario === sc));
const mcScenarios = [...new Set(runs.map((r) => r.scenario).filter((sc) => sc.startsWith('mc-')))];
const summarise = (sc, s) => {
  const all = measured.filter((r) => r.server === s && r.scenario === sc);
  const ok = all.filter((r) => !r.failed).map(metrics);
  return {
    runs: all.length,
    failed: all.filter((r) => r.failed).length,
    rps: median(ok.map((m) => m.rps)),
    p99: median(ok.map((m) => m.p99)),
    cpu: median(ok.map((m) => m.cpu)),
    util: median(ok.map((m) => m.util)),
    errors: ok.reduce((a, m) => a + m.errors, 0),
  };
};
const summary = {};
for (const sc of [...scenarios, ...mcScenarios]) {
  summary[sc] = {};
  for (const s of servers) if (runs.some((r) => r.server === s && r.scenario === sc)) summary[sc][s] = summarise(sc, s);
}

const f = (x, d = 0) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
const fx = (x) => (x === null || x === undefined ? 'n/a' : `${x.toFixed(2)}×`);
const ratio = (a, b) => (a === null || b === null || a === undefined || b === undefined || !b ? null : a / b);
const hasThird = servers.includes(THIRD);
const thirdLabel = hasThird ? 'uWebSockets.js' : null;

const table = [];
table.push('| scenario | server | req/s | p99 latency (ms) | server CPU/request (µs) | server CPU use | errors | runs ok |');
table.push('|---|---|---:|---:|---:|---:|---:|---:|');
for (const sc of scenarios) {
  for (const s of servers) {
    const m = summary[sc][s];
    if (!m) continue;
    table.push(
      `| ${SCENARIO_TEXT[sc]} | ${s} | ${f(m.rps)} | ${f(m.p99, 2)} | ${f(m.cpu, 2)} | ${f(m.util === null ? null : m.util * 100)}% | ${m.errors} | ${m.runs - m.failed}/${m.runs} |`
    );
  }
}

const verdicts = {};
const verdict = (t, val) => (val === null ? 'not measured' : (t.max !== undefined ? val <= t.max : val >= t.min) ? 'MET' : 'NOT MET');
const ratios = [];
ratios.push(
  `| scenario | CPU/request uvhttp/node | req/s uvhttp/node | p99 uvhttp/node |${hasThird ? ' CPU/request uWS/node | req/s uWS/node |' : ''} target | status |`
);
ratios.push(`|---|---:|---:|---:|${hasThird ? '---:|---:|' : ''}---|---|`);
for (const sc of scenarios) {
  const n = summary[sc].node || {};
  const u = summary[sc].uvhttp || {};
  const w = summary[sc][THIRD];
  const cpuR = ratio(u.cpu, n.cpu);
  const rpsR = ratio(u.rps, n.rps);
  const t = TARGETS[sc];
  verdicts[sc] = verdict(t, t.metric === 'cpu' ? cpuR : rpsR);
  const third = hasThird ? ` ${w ? fx(ratio(w.cpu, n.cpu)) : 'not run'} | ${w ? fx(ratio(w.rps, n.rps)) : 'not run'} |` : '';
  ratios.push(`| ${SCENARIO_TEXT[sc]} | ${fx(cpuR)} | ${fx(rpsR)} | ${fx(ratio(u.p99, n.p99))} |${third} ${t.text} | ${verdicts[sc]} |`);
}

// Each round runs the servers back to back: the ratio within a round shows the spread that the
// medians hide.
const pick = (sc, round, server) => {
  const r = measured.find((x) => x.scenario === sc && x.round === round && x.server === server && !x.failed);
  return r ? metrics(r) : null;
};
const roundLines = ['| scenario | round | CPU/request uvhttp/node | req/s uvhttp/node |', '|---|---:|---:|---:|'];
for (const sc of scenarios) {
  const rounds = [...new Set(measured.filter((r) => r.scenario === sc).map((r) => r.round))].sort((a, b) => a - b);
  for (const round of rounds) {
    const u = pick(sc, round, 'uvhttp');
    const n = pick(sc, round, 'node');
    roundLines.push(`| ${SCENARIO_TEXT[sc]} | ${round} | ${f(u && n ? ratio(u.cpu, n.cpu) : null, 3)} | ${f(u && n ? ratio(u.rps, n.rps) : null, 3)} |`);
  }
}

// Idle keep-alive connections: KB of RSS each.
const idleRuns = measured.filter((r) => r.scenario === 'idle');
const idleLines = [];
if (idleRuns.length) {
  const idleRounds = [...new Set(idleRuns.map((r) => r.round))].sort((a, b) => a - b);
  const idleServers = servers.filter((s) => idleRuns.some((r) => r.server === s));
  const kb = (s, round) => {
    const r = idleRuns.find((x) => x.server === s && x.round === round && !x.failed);
    return r ? kbPerConn(r) : null;
  };
  const med = {};
  for (const s of idleServers) med[s] = median(idleRounds.map((round) => kb(s, round)));
  verdicts.idle = verdict(TARGETS.idle, med.uvhttp ?? null);
  idleLines.push(`| server | RSS per idle connection, median (KB) | × node:http | ${idleRounds.map((r) => `round ${r} (KB)`).join(' | ')} |`);
  idleLines.push(`|---|---:|---:|${idleRounds.map(() => '---:').join('|')}|`);
  for (const s of idleServers) {
    const per = idleRounds.map((round) => {
      const r = idleRuns.find((x) => x.server === s && x.round === round);
      return r && r.failed ? `failed: ${r.failed}` : f(kb(s, round), 2);
    });
    idleLines.push(`| ${s} | ${f(med[s], 2)} | ${fx(ratio(med[s], med.node))} | ${per.join(' | ')} |`);
  }
  idleLines.push('');
  idleLines.push(`Target: uvhttp ${TARGETS.idle.text} — **${verdicts.idle}**.`);
}

// Multi-core: req/s per mode and worker count, and the scaling from the fewest workers.
const mcLines = [];
if (mcScenarios.length) {
  mcLines.push('| mode | workers | server | req/s (median) | × node:http | × its own fewest-workers run | CPU/request, all processes (µs) | p99 (ms) | runs ok |');
  mcLines.push('|---|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const sc of mcScenarios) {
    const [, mode, workers] = sc.split('-');
    const base = mcScenarios.filter((x) => x.split('-')[1] === mode)[0];
    for (const s of ['node', 'uvhttp']) {
      const m = summary[sc][s];
      if (!m) continue;
      const b = summary[base][s];
      mcLines.push(
        `| ${mode === 'threads' ? `worker_threads (${multicoreHow[sc] || '?'})` : 'cluster'} | ${workers} | ${s} | ${f(m.rps)} | ${fx(ratio(m.rps, summary[sc].node && summary[sc].node.rps))} | ${fx(ratio(m.rps, b && b.rps))} | ${f(m.cpu, 2)} | ${f(m.p99, 2)} | ${m.runs - m.failed}/${m.runs} |`
      );
    }
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
  `- Runs: warm-up, then ${args.rounds || '?'} rounds × ${args.duration || '?'} s for (a) and (b), × ${args['extra-duration'] || '?'} s for the other wrk scenarios and multicore, servers alternated; medians reported; ${args.conns || 64} connections, 1 wrk thread${args.nice && args.nice !== '0' ? `; servers and wrk at nice ${args.nice}` : ''}`,
  `- uWebSockets.js: ${args.uws || 'not checked'}`,
].join('\n');

const NOISY = 0.05;
let noisyRuns = 0;
const rawLines = [
  '| scenario | server | round | req/s | p99 (ms) | CPU/request (µs) | errors | other load CPU0/CPU1 |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
];
for (const r of runs) {
  if (r.scenario === 'idle' && !r.failed) continue;
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
Every scenario runs one handler file from \`bench/servers/\` on both servers; only the module
differs: \`node:http\` vs uvhttp (full IncomingMessage/ServerResponse API). Express runs the same
app, for uvhttp under \`node -r uvhttp/register\`.${hasThird ? ' Third column: uWebSockets.js (`bench/servers/uws.js`, same responses, its own API).' : ''}

## Targets (issue 10, ratios to node:http in the same run)

- (a) keep-alive hello: CPU/request **≤ 0.45×** node:http — **${verdicts.keepalive || 'not measured'}**
- (b) 16-deep pipelining: req/s **≥ 8×** node:http — **${verdicts.pipeline || 'not measured'}**
- (c) \`Connection: close\`: CPU/request **≤ 0.42×** — **${verdicts.close || 'not measured'}**
- (d) POST 4 KiB echo: CPU/request **≤ 0.45×** — **${verdicts.post || 'not measured'}**
- (e) 25 browser request headers: CPU/request **≤ 0.35×** — **${verdicts.headers || 'not measured'}**
- idle keep-alive connection: RSS **≤ 3 KB** each — **${verdicts.idle || 'not measured'}**
- Express 5 hello: CPU/request **≤ 0.6×** — **${verdicts.express || 'not measured'}**

## Machine

${machine}

## Summary (medians)
${noisyRuns ? `\n**Warning: the machine was not quiet: in ${noisyRuns} measured run(s) other processes used more than ${NOISY * 100}% of the server's or wrk's core (see "other load" below). Treat these numbers as indicative only.**\n` : ''}
${table.join('\n')}

## Ratios to node:http

${ratios.join('\n')}

Per round (the servers measured back to back):

${roundLines.join('\n')}
${idleLines.length ? `\n## Idle keep-alive connections (${args['idle-conns'] || '?'} per server)\n\n${idleLines.join('\n')}\n` : ''}${mcLines.length ? `\n## Multi-core (not pinned; wrk with ${args['mc-threads'] || 1} thread(s) on the same ${os.cpus().length} CPUs)\n\nOn a 2-core machine wrk needs about one core itself, so 2 workers cannot reach 2× here: read these as a check that the modes work and share load, and rerun on a bigger machine (below) for scaling.\n\n${mcLines.join('\n')}\n` : ''}
## How to run

\`\`\`sh
npm run bench                                   # everything, about 8 min (more with uWebSockets.js)
BENCH_DURATION=2 BENCH_EXTRA_DURATION=2 BENCH_ROUNDS=1 npm run bench   # a quick check
BENCH_SCENARIOS="keepalive pipeline" npm run bench                     # some scenarios only
BENCH_SCENARIOS=multicore BENCH_MC_WORKERS="1 2 4 8" BENCH_MC_THREADS=4 npm run bench   # a bigger machine
BENCH_UWS=<module> npm run bench                # a module that is uWebSockets.js, as the third column
BENCH_THIRD=bench/servers/raw-net.js npm run bench   # another third server for the hello scenarios
bash bench/profile.sh uvhttp keepalive 10       # perf profile of one server under one scenario
\`\`\`

Run it on a quiet machine: the "other load" column shows when other processes shared the cores.

## How it is measured

- (a)–(e) and Express: server pinned to CPU 0, wrk to CPU 1 (\`taskset\`), \`wrk -t1 -c64 --latency\`
  with \`bench/wrk.lua\`; (a) one request per write on keep-alive connections; (b)
  \`wrk.lua -- 16\`, 16 concatenated GETs per write, wrk counts every response; (c) wrk with
  \`-H 'Connection: close'\`: the server closes after each response and wrk reconnects;
  (d) \`wrk.lua -- 1 post4k\`: a POST with a 4096-byte body, which \`bench/servers/echo.js\` reads to
  its end and sends back; (e) \`wrk.lua -- 1 browser\`: a GET with the 25 header fields a desktop
  Chrome sends on a navigation (cookies, client hints, Accept-*, Referer), answered by the hello
  handler; Express: \`bench/servers/express.js\` (\`app.get('/', …send('Hello World'))\`).
  (a) and (b) run ${args.duration || '?'} s per round, the others ${args['extra-duration'] || '?'} s, after a warm-up per server and scenario.
- Server CPU/request: utime+stime of the server process (\`/proc/PID/stat\` fields 14+15,
  all threads, clock ticks ÷ \`getconf CLK_TCK\`) sampled just before and after each wrk
  run, divided by the responses wrk counted.
- Other load: ticks used on CPU 0 / CPU 1 (\`/proc/stat\` user+nice+system) minus the
  server's and wrk's own ticks during the run; more than ${NOISY * 100}% flags a busy machine.
- p99 is wrk's (with its coordinated-omission correction). In (b) wrk measures one latency
  per 16-request batch, and its correction assumes one request per write, so it can leave
  the 99th percentile unresolved: wrk then reports 0, shown here as n/a.
- Idle connections: per server and round a fresh hello server (pinned to CPU 0, keepAliveTimeout
  120 s, \`node --expose-gc -r bench/servers/gc-on-signal.js\`); \`bench/idle-conns.js\` (on CPU 1)
  serves 200 warm-up requests on connections it closes, has the server collect its garbage
  (SIGUSR2 → \`gc()\`) and reads VmRSS from \`/proc/PID/status\`, then opens
  ${args['idle-conns'] || '?'} connections 100 at a time, sends one GET on each and reads the response, waits
  0.5 s, collects again and reads VmRSS: (after − before) ÷ connections. It checks that none of
  the connections was closed. \`bench/run.sh\` raises \`ulimit -n\` to connections + 1000 when it is lower
  (and stops if it cannot).
- Multi-core: \`bench/servers/multicore.js\` runs the hello server in N \`cluster\` workers (the
  primary accepts and hands connections round-robin; uvhttp takes part in Node's cluster
  protocol) or in N \`worker_threads\`: with \`listen({ reusePort: true })\` where Node has it
  (22.12+, 23.1+: each thread its own socket, the kernel spreads connections), else (Node 20) one
  listening socket opened by the main thread whose descriptor every worker listens on
  (\`listen({ fd })\`), the main thread parked so that only workers accept. Nothing is pinned;
  \`wrk -t${args['mc-threads'] || 1} -c${2 * (args.conns || 64)}\` keep-alive; CPU/request sums the primary's and its
  workers' ticks. The worker counts (\`BENCH_MC_WORKERS\`) and wrk threads (\`BENCH_MC_THREADS\`)
  scale it to a bigger machine.
- uWebSockets.js (third column): ${args.uws || 'not checked'}. Upstream publishes it on GitHub only.
  On the npm registry (checked 2026-12-02 with \`npm view\` / \`npm pack\`): \`uwebsockets.js\` 19.0.0
  depends on the GitHub repository (does not install from the registry alone);
  \`@btc-vision/uwebsockets.js\` 20.57.0 is a third-party fork's build with upstream's file layout,
  whose Linux binaries need glibc 2.38 (Debian 12 has 2.36); \`@trufflesuite/uws-js-unofficial\`
  is a fork that silently falls back to a JavaScript imitation when its binary does not load, so
  it is not a uWebSockets.js measurement. None is used by default; \`BENCH_UWS=<module>\` adds one.
  Express has no uWebSockets.js column (uwebsockets-express is a different API, and issue 10 found it broken).

## All runs

${rawLines.join('\n')}
`;

console.log('\n' + table.join('\n') + '\n\n' + ratios.join('\n') + '\n');
if (idleLines.length) console.log(idleLines.join('\n') + '\n');
if (mcLines.length) console.log(mcLines.join('\n') + '\n');
if (noisyRuns) console.log(`WARNING: ${noisyRuns} measured run(s) shared their cores with other processes (>${NOISY * 100}%); numbers are indicative only.\n`);
if (args.out) {
  require('./results-file').writeSection(args.out, 'server', text);
  console.log(`written ${args.out}`);
}
