'use strict';
// `npm start`: a small uvhttp server showing the three things most servers do: a plain answer,
// an echo of the request body, and a response streamed in pieces.
//
//   curl http://127.0.0.1:PORT/hello
//   curl -d 'some text' http://127.0.0.1:PORT/echo
//   curl -N http://127.0.0.1:PORT/stream
const http = require('..');

const server = http.createServer((req, res) => {
  if (req.url === '/hello' || req.url === '/') {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('Hello from uvhttp\n');
  } else if (req.url === '/echo') {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': req.headers['content-type'] || 'application/octet-stream' });
      res.end(Buffer.concat(chunks));
    });
  } else if (req.url === '/stream') {
    // No Content-Length: the body goes out with chunked transfer coding, a piece at a time.
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    let count = 0;
    const timer = setInterval(() => {
      count += 1;
      res.write(`chunk ${count} of 5\n`);
      if (count === 5) {
        clearInterval(timer);
        res.end('done\n');
      }
    }, 200);
    res.on('close', () => clearInterval(timer));
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not found: try /hello, /echo or /stream\n');
  }
});

server.listen(Number(process.env.PORT || 0), process.env.HOST || '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`uvhttp demo listening on http://${address}:${port}/ (try /hello, /echo, /stream)`);
});

process.on('SIGINT', () => server.close(() => process.exit(0)));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
