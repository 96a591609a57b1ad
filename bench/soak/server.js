'use strict';
// The server under soak, in its own process so that its RSS and descriptors are its own. Started
// by run.js with an IPC channel: it reports its port, then answers 'stats' requests with its own
// counters. SOAK_IMPL=uvhttp (the compiled dist/ of this checkout) or node (node:http), with the
// very same handlers.
//
// Routes, each deterministic so a client can check the answer byte for byte:
//   GET  /bytes/N?seed=S[&chunked=1]   N bytes of pattern(S) (Content-Length, or chunked writes)
//   GET  /big                          the one cached 8 MB Buffer, the same object every time
//   POST /upload                       {"length":…, "sha256":…} of the body as the handler read it
//   GET  /late?ms=M&n=N&seed=S         /bytes/N?seed=S after a timer of M ms
//   GET  /throw                        the handler throws (counted by 'uncaughtException')
//   upgrade /upgrade                   101, then echoes every byte back on the raw socket
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const config = require('./config');
const { bigBody, pattern } = require('./pattern');

function loadHttp(impl) {
  if (impl === 'node') return require('node:http');
  if (impl === 'uvhttp') {
    const root = path.resolve(__dirname, '..', '..');
    if (!fs.existsSync(path.join(root, 'dist', 'index.js'))) {
      throw new Error('dist/index.js is missing: run `npm run build:ts` (or `npm install`) first');
    }
    return require(root);
  }
  throw new Error(`SOAK_IMPL must be "uvhttp" or "node" (got ${JSON.stringify(impl)})`);
}

const http = loadHttp(config.impl);
const BIG = bigBody();
const CHUNK = 16 * 1024;

const counters = {
  requests: 0,
  responsesFinished: 0,
  connections: 0,
  connectionsClosed: 0,
  uploads: 0,
  uploadBytes: 0,
  upgrades: 0,
  upgradeBytesEchoed: 0,
  thrown: 0,
  uncaughtExceptions: 0,
  uncaughtOther: [],
};

// The process survives a throwing handler, as an application with this listener does. An
// exception that is not the one /throw raises is kept for the report: it is a bug.
process.on('uncaughtException', (error) => {
  counters.uncaughtExceptions++;
  if (error && error.message === 'soak: handler throws') return;
  if (counters.uncaughtOther.length < 10) counters.uncaughtOther.push(String(error && error.stack));
});

function sendBytes(res, length, seed, chunked) {
  const body = pattern(seed, length);
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('X-Seed', String(seed));
  if (!chunked) {
    res.setHeader('Content-Length', length);
    res.end(body);
    return;
  }
  for (let offset = 0; offset < length; offset += CHUNK) res.write(body.subarray(offset, offset + CHUNK));
  res.end();
}

function numberParam(params, name, fallback) {
  const text = params.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  return Number.isInteger(value) && value >= 0 ? value : NaN;
}

function notFound(res) {
  res.statusCode = 404;
  res.end('not found\n');
}

function handle(req, res) {
  counters.requests++;
  const socket = req.socket;
  res.on('finish', () => {
    counters.responsesFinished++;
    noteDrained(socket);
  });
  const url = new URL(req.url, 'http://soak');
  const params = url.searchParams;
  const route = url.pathname;
  if (req.method === 'GET' && route.startsWith('/bytes/')) {
    const length = Number(route.slice('/bytes/'.length));
    const seed = numberParam(params, 'seed', 1);
    if (!Number.isInteger(length) || length < 0 || length > 16 * config.MB || Number.isNaN(seed)) return notFound(res);
    return sendBytes(res, length, seed, params.get('chunked') === '1');
  }
  if (req.method === 'GET' && route === '/big') {
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', BIG.length);
    return res.end(BIG);
  }
  if (req.method === 'POST' && route === '/upload') {
    const hash = crypto.createHash('sha256');
    let length = 0;
    req.on('data', (chunk) => {
      length += chunk.length;
      hash.update(chunk);
    });
    req.on('end', () => {
      counters.uploads++;
      counters.uploadBytes += length;
      const answer = JSON.stringify({ length, sha256: hash.digest('hex') });
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Content-Length', Buffer.byteLength(answer));
      res.end(answer);
    });
    return undefined;
  }
  if (req.method === 'GET' && route === '/late') {
    const ms = numberParam(params, 'ms', 0);
    const length = numberParam(params, 'n', 0);
    const seed = numberParam(params, 'seed', 1);
    if ([ms, length, seed].some(Number.isNaN) || ms > 60000 || length > config.MB) return notFound(res);
    setTimeout(() => sendBytes(res, length, seed, false), ms);
    return undefined;
  }
  if (route === '/throw') {
    counters.thrown++;
    throw new Error('soak: handler throws');
  }
  return notFound(res);
}

const server = http.createServer(
  {
    headersTimeout: config.server.headersTimeout,
    requestTimeout: config.server.requestTimeout,
    keepAliveTimeout: config.server.keepAliveTimeout,
    connectionsCheckingInterval: config.server.connectionsCheckingInterval,
  },
  handle,
);
server.setTimeout(config.server.socketTimeout);

// Open connections by client port (a client's port is its own while its socket is open), and
// the ones a client asked to watch: the stalled reader asks, later, whether the server ended its
// connection and when; the slow reader asks when the server's output for it last drained. Both
// maps hold only open or watched connections; records by socket, only what is alive.
const openByPort = new Map();
const watched = new Map();
const recordOf = new WeakMap();

// The moment the socket's output queue is empty after a response: the kernel has taken the last
// byte, and the keep-alive timeout starts (Node sets it at 'finish', after its last write
// callback; uvhttp's 'finish' comes once the bytes are queued natively, and bufferSize counts
// them until they reach the kernel).
// Pipelined responses finish before their bytes leave: the one 'drain' listener each connection
// has stamps the drain they wait for.
function noteDrained(socket) {
  const record = recordOf.get(socket);
  if (record === undefined) return;
  if (socket.bufferSize === 0) record.drainedAt = Date.now();
  else record.drainPending = true;
}

function newRecord() {
  return { openedAt: 0, closedAt: 0, drainedAt: 0, drainPending: false };
}

server.on('connection', (socket) => {
  counters.connections++;
  const port = socket.remotePort;
  // The watch request and the connection race (IPC against TCP); either may come first.
  const early = watched.get(port);
  const record = early !== undefined && early.openedAt === 0 ? early : newRecord();
  record.openedAt = Date.now();
  openByPort.set(port, record);
  recordOf.set(socket, record);
  socket.on('drain', () => {
    if (!record.drainPending) return;
    record.drainPending = false;
    record.drainedAt = Date.now();
  });
  socket.on('close', () => {
    counters.connectionsClosed++;
    record.closedAt = Date.now();
    if (openByPort.get(port) === record) openByPort.delete(port);
  });
});

function watch(port) {
  watched.set(port, openByPort.get(port) ?? newRecord());
}

function connectionState(port) {
  const record = watched.get(port);
  watched.delete(port);
  if (record === undefined || record.openedAt === 0) return { known: false, open: false, lifetimeMs: 0, closedAt: 0 };
  const open = record.closedAt === 0;
  return { known: true, open, lifetimeMs: (open ? Date.now() : record.closedAt) - record.openedAt, closedAt: record.closedAt };
}

server.on('upgrade', (req, socket, head) => {
  counters.upgrades++;
  socket.on('error', () => {});
  if (req.url !== '/upgrade') {
    socket.destroy();
    return;
  }
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: soak-echo\r\nConnection: Upgrade\r\n\r\n');
  const echo = (data) => {
    counters.upgradeBytesEchoed += data.length;
    socket.write(data);
  };
  if (head.length > 0) echo(head);
  socket.on('data', echo);
  socket.on('end', () => socket.end());
});

process.on('message', (message) => {
  if (message.type === 'stats') {
    process.send({ id: message.id, counters, connectionsOpen: counters.connections - counters.connectionsClosed });
  } else if (message.type === 'watch') {
    watch(message.port);
    process.send({ id: message.id });
  } else if (message.type === 'drained') {
    process.send({ id: message.id, drainedAt: watched.get(message.port)?.drainedAt ?? 0 });
  } else if (message.type === 'connection') {
    process.send({ id: message.id, ...connectionState(message.port) });
  }
});
// run.js ends the server with SIGTERM once its last measurements are taken; without run.js
// there is nobody to serve.
process.on('SIGTERM', () => process.exit(0));
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'listening', port: server.address().port, impl: config.impl });
});
