'use strict';
// Hello-world server used by bench/run.sh: scenarios (a) keep-alive, (b) pipelining,
// (c) Connection: close, (e) browser-like request headers, and the idle-connection memory.
// Usage: node bench/servers/hello.js <module>
//   <module> is what gets require()d: 'node:http', or the path of the uvhttp
//   package (e.g. the repo root). The handler is identical for every module.
// KEEPALIVE_TIMEOUT_MS, if set, is the server's keepAliveTimeout: the idle-memory measurement
// holds its connections open for longer than Node's default 5 s. bench/servers/multicore.js runs
// this file in cluster workers and in worker threads: LISTEN_FD (listen on that descriptor) and
// REUSE_PORT=1 (listen with SO_REUSEPORT) are for its threads.
const spec = process.argv[2] || 'node:http';
const http = require(spec);

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('Hello World');
});
if (process.env.KEEPALIVE_TIMEOUT_MS) server.keepAliveTimeout = Number(process.env.KEEPALIVE_TIMEOUT_MS);

const where = process.env.LISTEN_FD
  ? { fd: Number(process.env.LISTEN_FD) }
  : { port: Number(process.env.PORT || 0), host: '127.0.0.1', reusePort: process.env.REUSE_PORT === '1' };
require('./listen')(server, where);
