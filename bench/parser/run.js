'use strict';
// npm run bench:parser — our parser vs Node's llhttp, both driven from one C++ loop
// (bench/parser/parser_bench.cc). Builds the bench addon when needed.
//
//   BENCH_REPS=7        repetitions per parser and input (runs alternate ours/llhttp)
//   BENCH_MS=250        target duration of one run
//   node bench/parser/run.js --write   also rewrites bench/parser/RESULTS.md
const path = require('path');
const fs = require('fs');
const os = require('os');
const { execFileSync } = require('child_process');

const here = __dirname;
const addonPath = path.join(here, 'build', 'Release', 'parser_bench.node');
const parserDir = path.join(here, '..', '..', 'native', 'parser');

function build() {
  // Every file of the parser unit counts (scan.h and char_tables.h are inlined into it).
  const sources = [path.join(here, 'parser_bench.cc'), ...fs.readdirSync(parserDir).map((f) => path.join(parserDir, f))];
  const stale =
    !fs.existsSync(addonPath) || sources.some((f) => fs.statSync(f).mtimeMs > fs.statSync(addonPath).mtimeMs);
  if (!stale) return;
  const gyp = require.resolve('node-gyp/bin/node-gyp.js', {
    paths: [path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules'), here],
  });
  const args = [gyp, 'rebuild', `--directory=${here}`];
  if (fs.existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');
  process.stderr.write('building bench/parser addon...\n');
  try {
    execFileSync(process.execPath, args, { stdio: 'pipe' });
  } catch (e) {
    process.stderr.write(String(e.stdout || '') + String(e.stderr || ''));
    throw e;
  }
}

function inputs() {
  const small = Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');

  const cookie =
    'Cookie: ' +
    Array.from({ length: 12 }, (_, i) => `session_${i}=${'abcdef0123456789'.slice(0, 8 + (i % 8))}${i}`).join('; ');
  const browserHeaders = [
    'Host: www.example.com',
    'Connection: keep-alive',
    'Cache-Control: max-age=0',
    'sec-ch-ua: "Chromium";v="124", "Not-A.Brand";v="99"',
    'sec-ch-ua-mobile: ?0',
    'sec-ch-ua-platform: "Linux"',
    'Upgrade-Insecure-Requests: 1',
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8',
    'Sec-Fetch-Site: same-origin',
    'Sec-Fetch-Mode: navigate',
    'Sec-Fetch-User: ?1',
    'Sec-Fetch-Dest: document',
    'Referer: https://www.example.com/articles/2024/05/http-parsing',
    'Accept-Encoding: gzip, deflate, br, zstd',
    'Accept-Language: en-US,en;q=0.9,de;q=0.8,fr;q=0.7',
    'If-None-Match: W/"5f3c-1a2b3c4d5e6f"',
    'If-Modified-Since: Tue, 14 May 2024 10:00:00 GMT',
    'DNT: 1',
    'Priority: u=0, i',
    'X-Requested-With: XMLHttpRequest',
    'X-Forwarded-For: 203.0.113.7, 198.51.100.23',
    'X-Request-Id: 7f1d2c3b-4a5e-6f70-8192-a3b4c5d6e7f8',
    'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
    cookie,
  ];
  const browser = Buffer.from(
    `GET /articles/2024/05/http-parsing-in-depth?page=2&sort=recent HTTP/1.1\r\n${browserHeaders.join('\r\n')}\r\n\r\n`,
  );

  const chunkData = Buffer.alloc(1024, 'x');
  const parts = [Buffer.from('POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n')];
  for (let i = 0; i < 64; i++) parts.push(Buffer.from('400\r\n'), chunkData, Buffer.from('\r\n'));
  parts.push(Buffer.from('0\r\n\r\n'));
  const chunked = Buffer.concat(parts);

  return [
    { name: 'small GET', key: 'small', input: small, headers: 1 },
    { name: `browser head (${browser.length} B, ${browserHeaders.length} headers)`, key: 'browser', input: browser, headers: browserHeaders.length },
    { name: `chunked POST 64 KiB in 1 KiB chunks (${chunked.length} B)`, key: 'chunked', input: chunked, headers: 3 },
  ];
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function main() {
  build();
  const bench = require(addonPath);
  const reps = Number(process.env.BENCH_REPS || 7);
  const targetMs = Number(process.env.BENCH_MS || 250);
  const rows = [];
  for (const inp of inputs()) {
    // Calibrate iterations on llhttp so that one run takes about targetMs.
    let iterations = 1000;
    for (;;) {
      const r = bench.run('llhttp', 'request', inp.input, iterations);
      if (r.ns > 20e6 || iterations > 1e8) {
        iterations = Math.max(100, Math.round((iterations * targetMs * 1e6) / r.ns));
        break;
      }
      iterations *= 4;
    }
    // Both must see the same messages.
    const check = { ours: bench.run('ours', 'request', inp.input, 10), llhttp: bench.run('llhttp', 'request', inp.input, 10) };
    if (check.ours.messages !== 10 || check.llhttp.messages !== 10) {
      throw new Error(`${inp.name}: messages ours ${check.ours.messages}, llhttp ${check.llhttp.messages}`);
    }
    const ns = { ours: [], llhttp: [] };
    for (let rep = 0; rep < reps; rep++) {
      const order = rep % 2 ? ['llhttp', 'ours'] : ['ours', 'llhttp'];
      for (const which of order) ns[which].push(bench.run(which, 'request', inp.input, iterations).ns / iterations);
    }
    const o = median(ns.ours);
    const l = median(ns.llhttp);
    const mbps = (perMsg) => (inp.input.length / perMsg) * 1e3; // bytes/ns * 1e9 / 1e6
    rows.push({
      input: inp.name,
      bytes: inp.input.length,
      iterations,
      oursNs: o,
      llhttpNs: l,
      oursMBs: mbps(o),
      llhttpMBs: mbps(l),
      ratio: l / o,
      spread: {
        ours: [Math.min(...ns.ours), Math.max(...ns.ours)],
        llhttp: [Math.min(...ns.llhttp), Math.max(...ns.llhttp)],
      },
    });
  }

  const cpu = (os.cpus()[0] || { model: 'unknown' }).model;
  const lines = [];
  lines.push(`machine: ${cpu}, ${os.cpus().length} cores; Node ${process.version} (llhttp ${process.versions.llhttp})`);
  lines.push(`method: both parsers in one C++ loop (bench/parser/parser_bench.cc), ${reps} alternating runs of ~${targetMs} ms each; ns and MB/s are medians, "best run" compares the fastest run of each`);
  lines.push(`load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  try {
    const rev = execFileSync('git', ['log', '-1', '--format=%h %s', '--', 'native/parser'], {
      cwd: path.join(here, '..', '..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'native/parser'], {
      cwd: path.join(here, '..', '..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (rev) lines.push(`parser: ${rev.slice(0, 100)}${dirty ? ' (plus uncommitted changes in native/parser)' : ''}`);
  } catch {
    // not a git checkout
  }
  lines.push('');
  lines.push('| input | bytes | ours ns/msg | llhttp ns/msg | ours MB/s | llhttp MB/s | ours/llhttp (median) | ours/llhttp (best run) |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    lines.push(
      `| ${r.input} | ${r.bytes} | ${r.oursNs.toFixed(1)} | ${r.llhttpNs.toFixed(1)} | ${r.oursMBs.toFixed(0)} | ` +
        `${r.llhttpMBs.toFixed(0)} | ${r.ratio.toFixed(2)}x | ${(r.spread.llhttp[0] / r.spread.ours[0]).toFixed(2)}x |`,
    );
  }
  const text = lines.join('\n');
  console.log(text);
  if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2));
  return { rows, text };
}

if (require.main === module) {
  const { text } = main();
  if (process.argv.includes('--write')) {
    const file = path.join(here, 'RESULTS.md');
    const prev = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const marker = '<!-- bench:parser results -->';
    const body = `${marker}\nMeasured ${new Date().toISOString()}\n\n${text}\n${marker}`;
    const next = prev.includes(marker)
      ? prev.replace(new RegExp(`${marker}[\\s\\S]*${marker}`), body)
      : `# Parser micro-benchmark\n\n${body}\n`;
    fs.writeFileSync(file, next);
  }
}

module.exports = { main, inputs };
