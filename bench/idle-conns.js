'use strict';
// Idle keep-alive memory, for bench/run.sh: opens N connections to a server, sends one GET on
// each and reads its response, so that every connection has been through a request and is idle;
// then compares the server's RSS with the RSS it had before the connections.
//
//   node bench/idle-conns.js PORT PID N
//
// The server runs under bench/servers/gc-on-signal.js: before each RSS sample it is sent SIGUSR2
// and the sample waits for its "GC <n>" line (its stdout is the file named by SERVER_OUT), so
// both samples are taken after a full collection. Before the baseline sample the server serves
// 200 requests on connections that are then closed, so that code it runs per request is loaded
// and compiled before the baseline. Prints one line: IDLE_JSON {...}.
const fs = require('node:fs');
const net = require('node:net');

const [port, pid, count] = process.argv.slice(2).map(Number);
const SERVER_OUT = process.env.SERVER_OUT;
const BATCH = 100; // connections being opened at a time
const REQUEST = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

function fail(message) {
  process.stderr.write(`idle-conns: ${message}\n`);
  process.exit(1);
}
setTimeout(() => fail('did not finish within 120 s'), 120000).unref();

function rssBytes() {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) fail('no VmRSS');
  return Number(m[1]) * 1024;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let gcs = 0;
async function collectedRss() {
  gcs++;
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 200; i++) {
    await sleep(25);
    const out = fs.readFileSync(SERVER_OUT, 'utf8');
    if (out.includes(`GC ${gcs}\n`)) {
      await sleep(100); // let the collector's own concurrent work settle
      return rssBytes();
    }
  }
  return fail('the server did not report its garbage collection');
}

// Opens one connection, sends a request and resolves once the whole response came back.
function openIdle(sockets) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('error', reject);
    s.on('close', () => {
      s.closedEarly = true;
      reject(new Error('connection closed before its response'));
    });
    s.on('data', (d) => {
      got += d;
      // the body with a Content-Length, or node:http's chunked one (writeHead without a length)
      if (got.endsWith('Hello World') || got.endsWith('Hello World\r\n0\r\n\r\n')) {
        s.removeAllListeners('data');
        sockets.push(s);
        resolve();
      }
    });
    s.write(REQUEST);
  });
}

async function openMany(n, sockets) {
  for (let i = 0; i < n; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) batch.push(openIdle(sockets));
    await Promise.all(batch);
  }
}

async function main() {
  const warm = [];
  await openMany(200, warm);
  for (const s of warm) {
    s.removeAllListeners('close');
    s.destroy();
  }
  await sleep(300);
  const before = await collectedRss();
  const sockets = [];
  const t0 = Date.now();
  await openMany(count, sockets);
  const openMs = Date.now() - t0;
  await sleep(500);
  const after = await collectedRss();
  const closed = sockets.filter((s) => s.closedEarly).length;
  if (closed) fail(`${closed} of the idle connections were closed by the server before the sample`);
  process.stdout.write(`IDLE_JSON ${JSON.stringify({ connections: count, rss_before: before, rss_after: after, open_ms: openMs })}\n`);
  for (const s of sockets) {
    s.removeAllListeners('close');
    s.destroy();
  }
}

main().catch((e) => fail(e.message));
