'use strict';
// Optional third server for bench/run.sh: uWebSockets.js, if it is installed
// (it is not on the npm registry; install it from GitHub to enable it).
// Same response as servers/hello.js.
const uWS = require('uWebSockets.js');

const app = uWS.App().any('/*', (res) => {
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
