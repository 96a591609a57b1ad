'use strict';
// Optional third server for bench/run.sh: uWebSockets.js, if it is installed. Upstream does not
// publish it on the npm registry (its README installs it from GitHub:
// `npm install uNetworking/uWebSockets.js#v20.x.y`); bench/run.sh uses it when
// require('uWebSockets.js') works, or the module named in BENCH_UWS.
// Same responses as servers/hello.js (GET) and servers/echo.js (POST: the body echoed).
// Usage: node bench/servers/uws.js [module]
const uWS = require(process.argv[2] || 'uWebSockets.js');

const app = uWS
  .App()
  .post('/*', (res) => {
    const chunks = [];
    res.onAborted(() => {
      res.aborted = true;
    });
    res.onData((ab, isLast) => {
      // uWS reuses the ArrayBuffer after the callback: copy it
      chunks.push(Buffer.from(Buffer.from(ab)));
      if (!isLast || res.aborted) return;
      const body = Buffer.concat(chunks);
      res.cork(() => {
        res.writeStatus('200 OK').writeHeader('Content-Type', 'application/octet-stream').end(body);
      });
    });
  })
  .any('/*', (res) => {
    res.cork(() => {
      res.writeStatus('200 OK').writeHeader('Content-Type', 'text/plain').end('Hello World');
    });
  });

app.listen('127.0.0.1', 0, (token) => {
  if (!token) {
    process.stderr.write('uws: listen failed\n');
    process.exit(1);
  }
  process.stdout.write(`LISTENING ${uWS.us_socket_local_port(token)}\n`);
});

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
