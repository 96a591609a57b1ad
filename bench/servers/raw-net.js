'use strict';
// Reference point, not an HTTP implementation: a node:net server that answers
// every request head it sees ("\r\n\r\n") with a fixed hello-world response.
// It shows what plain JS-level TCP costs in Node on this machine.
//   BENCH_THIRD=bench/servers/raw-net.js npm run bench
const net = require('node:net');

const RES = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: keep-alive\r\n\r\nHello World'
);

const server = net.createServer((socket) => {
  socket.on('error', () => {});
  let pending = '';
  socket.on('data', (chunk) => {
    pending += chunk.toString('latin1');
    let n = 0;
    let i;
    while ((i = pending.indexOf('\r\n\r\n')) >= 0) {
      pending = pending.slice(i + 4);
      n++;
    }
    if (n === 1) socket.write(RES);
    else if (n > 1) socket.write(Buffer.concat(new Array(n).fill(RES)));
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
