'use strict';
// bench/run.sh's start-up check of a server: node bench/check-server.js PORT hello|echo
//   hello: GET / must give 200 "Hello World";
//   echo:  also a POSTed 4 KiB body must come back byte for byte.
const http = require('node:http');

const [port, kind] = [Number(process.argv[2]), process.argv[3] || 'hello'];
const timer = setTimeout(() => fail('timeout'), 5000);

function fail(message) {
  console.error(`check-server: ${message}`);
  process.exit(1);
}

function request(method, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', method }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const hello = await request('GET');
  if (hello.status !== 200 || hello.body.toString() !== 'Hello World') {
    fail(`bad response ${hello.status} ${JSON.stringify(hello.body.toString())}`);
  }
  if (kind === 'echo') {
    const body = Buffer.alloc(4096, 'x');
    const echo = await request('POST', body);
    if (echo.status !== 200 || !echo.body.equals(body)) fail(`bad echo ${echo.status}, ${echo.body.length} bytes`);
  }
  clearTimeout(timer);
}

main().catch((e) => fail(e.message));
