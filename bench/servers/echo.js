'use strict';
// Scenario (d) of bench/run.sh: a POST's body is read to its end and sent back as the response
// body. A GET gets "Hello World" (bench/run.sh's start-up check).
// Usage: node bench/servers/echo.js <module>   ('node:http' or the uvhttp package path)
const spec = process.argv[2] || 'node:http';
const http = require(spec);

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('Hello World');
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    res.end(body);
  });
});

require('./listen')(server);
