'use strict';
// The verdict and its evidence. Pass only if all of these hold:
//  1. the server never crashed (it lived until run.js ended it) and raised no exception other
//     than the ones /throw raises, each of those seen exactly once by 'uncaughtException';
//  2. no unexpected outcome in any scenario: every completed exchange was correct byte for byte,
//     nothing was truncated, out of order or late past its deadline, every abusive client was
//     cut in time;
//  3. every scenario ran (verified exchanges, or the outcomes it exists to provoke);
//  4. server RSS after warm-up never rose more than the band above the highest warm-up sample;
//  5. after the last client was gone, the server's descriptors were back to their baseline.
const config = require('./config');

function round(value) {
  return Math.round(value * 10) / 10;
}

function sum(values) {
  return values.reduce((total, n) => total + n, 0);
}

function rssFigures(samples) {
  const warm = samples.filter((s) => s.t <= config.warmupSeconds);
  const after = samples.filter((s) => s.t > config.warmupSeconds);
  const warmupMaxMB = Math.max(...warm.map((s) => s.rssMB));
  const afterMaxMB = after.length > 0 ? Math.max(...after.map((s) => s.rssMB)) : NaN;
  return {
    startMB: samples[0].rssMB,
    endMB: samples[samples.length - 1].rssMB,
    maxMB: Math.max(...samples.map((s) => s.rssMB)),
    warmupMaxMB,
    afterWarmupMaxMB: afterMaxMB,
    afterWarmupMinMB: after.length > 0 ? Math.min(...after.map((s) => s.rssMB)) : NaN,
    growthAfterWarmupMB: round(afterMaxMB - warmupMaxMB),
    bandMB: config.rssBandMB,
  };
}

function buildReport(run) {
  const { stats, samples, baseline, final, serverStats, crash, exit } = run;
  const json = stats.toJSON();
  const checks = [];
  const check = (name, pass, detail) => checks.push({ name, pass, detail });

  const counters = serverStats ? serverStats.counters : null;
  const crashDetail = crash ? `exited during the run: code ${crash.code}, signal ${crash.signal}` : `ended by run.js (code ${exit.code}, signal ${exit.signal})`;
  check('server alive', crash === null && serverStats !== null, crashDetail);
  if (counters) {
    const throwsSeen = counters.uncaughtExceptions - counters.uncaughtOther.length;
    const other = counters.uncaughtOther.length;
    check(
      'exceptions',
      other === 0 && throwsSeen === counters.thrown,
      `${counters.thrown} handlers threw, ${throwsSeen} reached 'uncaughtException'; ${other} other exceptions${other ? `: ${counters.uncaughtOther[0].split('\n')[0]}` : ''}`,
    );
  }

  const unexpected = stats.unexpectedCount;
  check('every exchange correct', unexpected === 0, `${unexpected} unexpected outcomes`);

  const idle = [];
  for (const { name } of run.scenarios) {
    const entry = json.scenarios[name];
    const provoked = entry ? entry.verified + sum(Object.entries(entry.expected).filter(([kind]) => kind !== 'aborted at end').map(([, n]) => n)) : 0;
    if (provoked === 0) idle.push(name);
  }
  check('every scenario ran', idle.length === 0, idle.length ? `no completed exchange or outcome in: ${idle.join(', ')}` : `${run.scenarios.length} scenarios`);

  const rss = rssFigures(samples);
  check(
    'RSS band',
    rss.growthAfterWarmupMB <= config.rssBandMB,
    `after warm-up (${config.warmupSeconds} s) the highest sample was ${rss.afterWarmupMaxMB} MB, ${rss.growthAfterWarmupMB} MB over the warm-up's highest (${rss.warmupMaxMB} MB); band ${config.rssBandMB} MB`,
  );

  const fds = { baseline: baseline.fds, maxDuringLoad: Math.max(...samples.map((s) => s.fds)), end: final ? final.fds : null, settleMs: run.settleMs };
  check('descriptors back to baseline', final !== null && final.fds === baseline.fds, `baseline ${baseline.fds}, ${final ? final.fds : 'none'} after ${run.settleMs} ms of settling (max ${fds.maxDuringLoad} under load)`);

  return {
    pass: checks.every((c) => c.pass),
    impl: run.impl,
    seconds: run.seconds,
    loadMs: run.loadMs,
    serverCpuPercent: Math.round((run.loadCpuSeconds * 100000) / run.loadMs),
    clientCpuPercent: Math.round((run.clientCpuSeconds * 100000) / run.loadMs),
    settings: { server: config.server, deadlines: config.deadlines, warmupSeconds: config.warmupSeconds, rssBandMB: config.rssBandMB, floodGrowthLimitMB: config.floodGrowthLimitMB },
    checks,
    requestsServed: counters ? counters.responsesFinished : null,
    server: serverStats,
    rss,
    fds,
    baselineRssMB: round(baseline.rssMB),
    ...json,
    actors: Object.fromEntries(run.scenarios.map((s) => [s.name, s.actors])),
    samples,
  };
}

function formatKinds(kinds) {
  const entries = Object.entries(kinds);
  return entries.length ? entries.map(([kind, n]) => `${kind} ×${n}`).join('; ') : '-';
}

function printReport(report) {
  const out = [];
  const line = (text = '') => out.push(text);
  line();
  line(`== soak report: ${report.impl}, ${report.seconds} s of load (${report.loadMs} ms measured) ==`);
  line(`requests served (responses finished, server side): ${report.requestsServed}; server CPU ${report.serverCpuPercent} % of a core on average (clients ${report.clientCpuPercent} %)`);
  line(`exchanges verified: ${report.exchangesVerified}; bytes verified: ${report.bytesVerified} (${(report.bytesVerified / config.MB).toFixed(1)} MB)`);
  line();
  line('per scenario (actors | verified | MB verified | expected outcomes | UNEXPECTED)');
  for (const [name, entry] of Object.entries(report.scenarios)) {
    line(`  ${name.padEnd(16)} ${String(report.actors[name] ?? '-').padStart(2)} | ${String(entry.verified).padStart(7)} | ${(entry.bytesVerified / config.MB).toFixed(1).padStart(8)} | ${formatKinds(entry.expected)} | ${formatKinds(entry.unexpected)}`);
    if (Object.keys(entry.variants).length) line(`      variants: ${formatKinds(entry.variants)}`);
    for (const [name, r] of Object.entries(entry.ranges)) line(`      ${name}: min ${r.min}, max ${r.max} (${r.count})`);
    for (const [kind, list] of Object.entries(entry.evidence)) for (const evidence of list) line(`      ! ${kind}: ${evidence}`);
  }
  line();
  line(`faults injected: ${sum(Object.values(report.faults))}`);
  for (const [kind, n] of Object.entries(report.faults)) line(`  ${kind}: ${n}`);
  line(`bad inputs tried: ${sum(Object.values(report.badInputs))} (${Object.keys(report.badInputs).length} kinds)`);
  line();
  const r = report.rss;
  line(`server RSS (MB): start ${r.startMB}, end ${r.endMB}, max ${r.maxMB}; warm-up max ${r.warmupMaxMB}, after warm-up ${r.afterWarmupMinMB}..${r.afterWarmupMaxMB}`);
  line(`server descriptors: baseline ${report.fds.baseline}, max under load ${report.fds.maxDuringLoad}, end ${report.fds.end} (after ${report.fds.settleMs} ms)`);
  line('samples (t s: RSS MB / fds / CPU %):');
  const step = Math.max(1, Math.ceil(report.samples.length / 24));
  const shown = report.samples.filter((_, i) => i % step === 0 || i === report.samples.length - 1);
  for (let i = 0; i < shown.length; i += 6) {
    line(`  ${shown.slice(i, i + 6).map((s) => `${s.t}: ${s.rssMB}/${s.fds}/${s.cpu}`).join('   ')}`);
  }
  line();
  for (const c of report.checks) line(`${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
  line(report.pass ? 'SOAK PASSED' : 'SOAK FAILED');
  process.stdout.write(`${out.join('\n')}\n`);
}

module.exports = { buildReport, printReport };
