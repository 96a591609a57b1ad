'use strict';
// Hello-world server used by bench/run.sh.
// Usage: node bench/servers/hello.js <module>
//   <module> is what gets require()d: 'node:http', or the path of the uvhttp
//   package (e.g. the repo root). The handler is identical for every module.
const spec = process.argv[2] || 'node:http';
const http = require(spec);

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('Hello World');
});

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});

const stop = () => {
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
