'use strict';
// One client's run for npm run bench:client: keeps INFLIGHT GET requests in flight against
// 127.0.0.1:PORT over keep-alive connections for SECONDS after a warm-up, and prints one JSON
// line: requests completed, seconds, and this process's CPU time (user+system) over the window.
//
//   node bench/client/load.js CLIENT PORT SECONDS INFLIGHT WARMUP
//     CLIENT: node-http | uvhttp | undici-request | undici-pool | fetch
const path = require('path');

const [client, portText, secondsText, inflightText, warmupText] = process.argv.slice(2);
const port = Number(portText);
const seconds = Number(secondsText);
const inflight = Number(inflightText);
const warmup = Number(warmupText);
const origin = `http://127.0.0.1:${port}`;

// Each client as a function that makes one request and resolves when its body has been read.
function makeClient() {
  switch (client) {
    case 'node-http':
    case 'uvhttp': {
      const http = client === 'uvhttp' ? require(path.join(__dirname, '..', '..')) : require('http');
      const agent = new http.Agent({ keepAlive: true, maxSockets: inflight });
      const options = { host: '127.0.0.1', port, path: '/', agent };
      return () =>
        new Promise((resolve, reject) => {
          http
            .get(options, (res) => {
              res.on('data', () => {});
              res.on('end', resolve);
            })
            .on('error', reject);
        });
    }
    case 'undici-request': {
      const { request, Agent } = require('undici');
      const dispatcher = new Agent({ connections: inflight, pipelining: 1 });
      return async () => {
        const { body } = await request(origin, { dispatcher });
        for await (const chunk of body) void chunk;
      };
    }
    case 'undici-pool': {
      const { Pool } = require('undici');
      const pool = new Pool(origin, { connections: inflight, pipelining: 1 });
      return async () => {
        const { body } = await pool.request({ path: '/', method: 'GET' });
        for await (const chunk of body) void chunk;
      };
    }
    case 'fetch':
      return async () => {
        const res = await fetch(origin);
        await res.arrayBuffer();
      };
    default:
      throw new Error(`unknown client ${client}`);
  }
}

const one = makeClient();
let completed = 0;
let counting = false;
let stopped = false;

async function worker() {
  while (!stopped) {
    await one();
    if (counting) completed++;
  }
}

for (let i = 0; i < inflight; i++) {
  worker().catch((error) => {
    console.error(`${client}: ${error.stack || error}`);
    process.exit(1);
  });
}

setTimeout(() => {
  counting = true;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  setTimeout(() => {
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    stopped = true;
    console.log(JSON.stringify({ client, requests: completed, seconds: elapsed, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
    process.exit(0);
  }, seconds * 1000);
}, warmup * 1000);
