'use strict';
// npm run soak: a bounded load-and-abuse run against one server on 127.0.0.1.
//
//   SOAK_SECONDS=600   length of the load phase (default 600; CI runs 60)
//   SOAK_IMPL=uvhttp   the server under test: uvhttp (this checkout's dist/) or node (node:http)
//   SOAK_REPORT=path   where the JSON report goes (default bench/soak/report-<impl>.json)
//   SOAK_SAMPLE_MS     how often the server's RSS and descriptors are sampled (default 2000)
//   SOAK_ONLY=a,b      run only these scenarios (to check one fix at a time); a full run is the
//                      one that counts
//
// The server runs in a child process (server.js); every client scenario (clients/*.js) runs its
// actors here for exactly SOAK_SECONDS. Then every client socket is destroyed, the server's
// descriptors must come back to their baseline, and the report (report.js) decides pass or
// fail. Exit code 0 only on a pass.
const { fork } = require('child_process');
const fs = require('fs');
const path = require('path');

const { Context, runActor } = require('./actors');
const config = require('./config');
const { sampleProcess } = require('./monitor');
const { pattern } = require('./pattern');
const { RawConnection } = require('./raw-connection');
const { buildReport, printReport } = require('./report');
const { Stats } = require('./stats');

const ALL_SCENARIOS = [
  ...require('./clients/keep-alive'),
  ...require('./clients/pipeline'),
  ...require('./clients/upload'),
  ...require('./clients/download'),
  ...require('./clients/resets'),
  ...require('./clients/idle'),
  ...require('./clients/upgrade'),
  ...require('./clients/handlers'),
  ...require('./clients/malformed'),
];

function selectScenarios() {
  if (config.only === null) return ALL_SCENARIOS;
  const unknown = config.only.filter((name) => !ALL_SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`SOAK_ONLY names unknown scenarios: ${unknown.join(', ')} (known: ${ALL_SCENARIOS.map((s) => s.name).join(', ')})`);
  return ALL_SCENARIOS.filter((s) => config.only.includes(s.name));
}

const SCENARIOS = selectScenarios();

const IPC_TIMEOUT_MS = 10000;
const PROGRESS_EVERY_MS = 30000;

function log(message) {
  process.stdout.write(`[soak] ${message}\n`);
}

function startServer() {
  const child = fork(path.join(__dirname, 'server.js'), [], {
    env: { ...process.env, SOAK_IMPL: config.impl },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const listening = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not listen within 10 s')), 10000);
    child.on('message', (message) => {
      if (message.type === 'listening') {
        clearTimeout(timer);
        resolve(message.port);
      }
    });
    exited.then(({ code, signal }) => reject(new Error(`the server exited before listening (code ${code}, signal ${signal})`)));
  });
  let nextId = 1;
  const waiting = new Map();
  child.on('message', (message) => {
    const entry = waiting.get(message.id);
    if (entry === undefined) return;
    waiting.delete(message.id);
    clearTimeout(entry.timer);
    entry.resolve(message);
  });
  const query = (message) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`the server did not answer ${message.type} within ${IPC_TIMEOUT_MS} ms`));
      }, IPC_TIMEOUT_MS);
      waiting.set(id, { resolve, timer });
      child.send({ ...message, id });
    });
  return { child, exited, listening, query };
}

// One verified exchange before the baseline is taken, so descriptors the server opens lazily on
// its first connection are in the baseline, not counted as a leak.
async function probe(ctx) {
  const conn = await RawConnection.open(ctx, 'probe');
  const answer = conn.expect({ label: 'probe GET /bytes/100', body: pattern(7, 100) });
  conn.write('GET /bytes/100?seed=7 HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n');
  await answer;
  await conn.closed;
}

function waitFor(predicate, timeoutMs, stepMs) {
  return new Promise((resolve) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      if (predicate()) resolve(true);
      else if (Date.now() >= deadline) resolve(false);
      else setTimeout(check, stepMs);
    };
    check();
  });
}

async function main() {
  const stats = new Stats();
  const server = startServer();
  const pid = server.child.pid;
  const port = await server.listening;
  const ctx = new Context({ port, stats, queryServer: server.query, serverPid: pid });
  let crash = null;
  let ending = false;
  server.exited.then((exit) => {
    if (ending) return;
    crash = exit;
    log(`the server exited during the run: code ${exit.code}, signal ${exit.signal}`);
    ctx.stop();
  });
  process.on('unhandledRejection', (error) => stats.unexpected('harness', 'unhandled rejection', String(error && error.stack)));

  await probe(ctx);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const baseline = sampleProcess(pid);
  log(`${config.impl} server pid ${pid} on 127.0.0.1:${port}; baseline RSS ${baseline.rssMB.toFixed(1)} MB, ${baseline.fds} descriptors`);
  log(`load for ${config.seconds} s (warm-up ${config.warmupSeconds} s), ${SCENARIOS.reduce((n, s) => n + s.actors, 0)} actors in ${SCENARIOS.length} scenarios`);

  const loadStart = ctx.beginLoad();
  const clientCpuStart = process.cpuUsage();
  const samples = [];
  let last = { at: loadStart, cpuSeconds: baseline.cpuSeconds };
  const sample = () => {
    const s = sampleProcess(pid);
    if (!s) return;
    const now = Date.now();
    // The server's CPU use since the previous sample, in % of one core.
    const cpu = Math.round(((s.cpuSeconds - last.cpuSeconds) * 100000) / Math.max(1, now - last.at));
    last = { at: now, cpuSeconds: s.cpuSeconds };
    samples.push({ t: Math.round((now - loadStart) / 100) / 10, rssMB: Math.round(s.rssMB * 10) / 10, fds: s.fds, cpu, clientSockets: ctx.openSockets });
  };
  sample();
  const sampler = setInterval(sample, config.sampleMs);
  const progress = setInterval(() => {
    const latest = samples[samples.length - 1];
    log(`t=${Math.round((Date.now() - loadStart) / 1000)} s: ${stats.exchangesVerified} exchanges verified, ${(stats.bytesVerified / config.MB).toFixed(0)} MB, ${stats.unexpectedCount} unexpected; server RSS ${latest.rssMB} MB, ${latest.fds} fds, CPU ${latest.cpu} %`);
  }, PROGRESS_EVERY_MS);

  const actors = [];
  for (const scenario of SCENARIOS) for (let i = 0; i < scenario.actors; i++) actors.push(runActor(ctx, scenario, i));

  await new Promise((resolve) => {
    const timer = setTimeout(resolve, config.seconds * 1000);
    server.exited.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  const loadEnd = Date.now();
  const loadCpuSeconds = (sampleProcess(pid) || last).cpuSeconds - baseline.cpuSeconds;
  const clientCpu = process.cpuUsage(clientCpuStart);
  ctx.stop();
  clearInterval(progress);
  const actorsDone = await Promise.race([Promise.all(actors).then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), config.actorStopMs))]);
  sample();
  clearInterval(sampler);
  if (!actorsDone) stats.unexpected('harness', 'actors', `some actors did not return within ${config.actorStopMs} ms of the stop`);

  // Every client socket is gone: the server's descriptors must come back to the baseline.
  const settleStart = Date.now();
  let final = sampleProcess(pid);
  if (crash === null) {
    await waitFor(() => {
      final = sampleProcess(pid);
      return final !== null && final.fds === baseline.fds;
    }, config.fdSettleMs, 200);
  }
  const settleMs = Date.now() - settleStart;

  let serverStats = null;
  if (crash === null) {
    try {
      serverStats = await server.query({ type: 'stats' });
    } catch (error) {
      stats.unexpected('harness', 'ipc', error.message);
    }
    ending = true;
    server.child.kill('SIGTERM');
  }
  const exit = await server.exited;

  const report = buildReport({
    impl: config.impl,
    seconds: config.seconds,
    loadMs: loadEnd - loadStart,
    loadCpuSeconds,
    clientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6,
    stats,
    samples,
    baseline,
    final,
    settleMs,
    serverStats,
    crash,
    exit,
    scenarios: SCENARIOS.map((s) => ({ name: s.name, actors: s.actors })),
  });
  printReport(report);
  const out = process.env.SOAK_REPORT || path.join(__dirname, `report-${config.impl}.json`);
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`report written to ${path.relative(process.cwd(), out)}`);
  return report.pass ? 0 : 1;
}

// Explicit exit: the run is over even if some client timer is still pending.
main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`[soak] ${error.stack}\n`);
    process.exit(2);
  },
);
