'use strict';
// Multi-core hello server for bench/run.sh's multicore scenario: N copies of
// bench/servers/hello.js sharing one port, either as `cluster` workers or as `worker_threads`.
//
//   node bench/servers/multicore.js <module> cluster|threads <N>
//
// cluster: the primary forks N workers; each listens on 127.0.0.1 port 0, which Node's cluster
//   turns into one shared port (the primary accepts and hands connections round-robin; uvhttp
//   takes part through the same cluster protocol).
// threads: N worker threads in this process.
//   - Where Node has listen({ reusePort }) (22.12+, 23.1+), each thread binds its own socket to the
//     same port with SO_REUSEPORT and the kernel spreads the connections.
//   - Elsewhere (Node 20) one listening socket is shared: this thread opens it (net.Server) and
//     each worker listens on its descriptor (listen({ fd })), so the threads' event loops accept
//     from one queue. This thread must not accept as well, so once the workers listen it parks
//     (Atomics.wait) and its event loop never runs again; SIGTERM's default action ends the process.
// Prints "LISTENING <port> <how>" once all N listen.
const cluster = require('node:cluster');
const net = require('node:net');
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const [spec = 'node:http', mode = 'cluster', countArg = '1'] = process.argv.slice(2);
const count = Number(countArg);
const HELLO = path.join(__dirname, 'hello.js');

function since(major, minor) {
  const [ma, mi] = process.versions.node.split('.').map(Number);
  return ma > major || (ma === major && mi >= minor);
}
const hasReusePort = since(23, 1) || (process.versions.node.startsWith('22.') && since(22, 12));

function fail(message) {
  process.stderr.write(`multicore: ${message}\n`);
  process.exit(1);
}
const startTimer = setTimeout(() => fail('workers did not listen within 20 s'), 20000);
function listening(port, how) {
  clearTimeout(startTimer);
  process.stdout.write(`LISTENING ${port} ${how}\n`);
}

function startCluster() {
  cluster.setupPrimary({ exec: HELLO, args: [spec], silent: true });
  let listeningWorkers = 0;
  cluster.on('listening', (worker, address) => {
    if (++listeningWorkers === count) listening(address.port, 'cluster');
  });
  cluster.on('exit', (worker, code, signal) => fail(`worker exited (${signal || code})`));
  for (let i = 0; i < count; i++) cluster.fork();
  const stop = () => {
    cluster.removeAllListeners('exit');
    for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// Starts one worker thread with `env`; resolves with the port it printed.
function startThread(env) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(HELLO, { argv: [spec], env: { ...process.env, ...env }, stdout: true });
    let out = '';
    worker.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /^LISTENING (\d+)/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`worker thread exited (${code})`)));
  });
}

async function startThreads() {
  if (hasReusePort) {
    const port = await startThread({ REUSE_PORT: '1', PORT: '0' });
    for (let i = 1; i < count; i++) await startThread({ REUSE_PORT: '1', PORT: String(port) });
    listening(port, 'threads-reuseport');
    return;
  }
  const shared = net.createServer();
  await new Promise((resolve) => shared.listen({ port: 0, host: '127.0.0.1', backlog: 511 }, resolve));
  const fd = shared._handle.fd;
  if (typeof fd !== 'number' || fd < 0) fail('no descriptor for the shared socket');
  for (let i = 0; i < count; i++) await startThread({ LISTEN_FD: String(fd) });
  listening(shared.address().port, 'threads-shared-fd');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

if (!Number.isInteger(count) || count < 1) fail('N must be a positive integer');
if (mode === 'cluster') startCluster();
else if (mode === 'threads') startThreads().catch((e) => fail(e.message));
else fail(`unknown mode ${mode}`);
