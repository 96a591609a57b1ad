// http-proxy as a server under `node -r uvhttp/register`, against the same proxy on node:http
// (the oracle): HTTP requests and WebSocket upgrades forwarded to a backend that runs in this
// process on plain Node (node:http and ws), the answers and frames relayed back, and the proxy's
// 'error' path for a target that is down. http-proxy sends its requests with http.request, so
// under the shim this exercises uvhttp's client as well as its server.
import * as http from 'node:http';
import * as net from 'node:net';
import WebSocket = require('ws');

import { differential, rawExchange, requestBytes, statuses, stopAllApps, within } from '../helpers/interop';

jest.setTimeout(60000);
afterEach(stopAllApps);

let backend: http.Server;
let wss: WebSocket.WebSocketServer;
let backendPort = 0;
let closedPort = 0;

beforeAll(async () => {
  backend = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      if (req.url === '/big') {
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'X-Backend': 'yes' });
        for (let i = 0; i < 50; i++) res.write(Buffer.alloc(10000, i));
        res.end();
        return;
      }
      if (req.url === '/status') {
        res.writeHead(418, 'Short And Stout', [['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2'], ['X-Backend', 'yes']].flat());
        res.end();
        return;
      }
      const { host: _host, ...headers } = req.headers;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url, headers, body: body.toString('latin1') }));
    });
  });
  wss = new WebSocket.WebSocketServer({ server: backend });
  wss.on('connection', (ws, req) => {
    ws.send(`welcome ${req.url}`);
    ws.on('message', (data, isBinary) => {
      if (data.toString() === 'bye') ws.close(4002, 'backend bye');
      else ws.send(data, { binary: isBinary });
    });
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendPort = (backend.address() as net.AddressInfo).port;
  // A port nothing listens on: bound, noted and closed.
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  wss.close();
  backend.closeAllConnections();
  await new Promise<void>((resolve) => backend.close(() => resolve()));
});

const args = () => [String(backendPort), String(closedPort)];
const one = (port: number, method: string, target: string, fields: Array<[string, string]> = [], body?: string | Buffer) =>
  rawExchange(port, requestBytes(method, target, [...fields, ['Connection', 'close']], body), { methods: [method] });

// A streamed answer the proxy relays is re-chunked as its reads from the backend came, which
// depends on timing on either side: its bytes are compared, not its chunk sizes.
function relayed<T extends { responses: Array<{ chunks: unknown }>; bytes: string }>(summary: T): T {
  return { ...summary, bytes: 'relayed', responses: summary.responses.map((r) => ({ ...r, chunks: 'relayed' })) };
}

test('HTTP through the proxy: methods, bodies, headers both ways, streamed answers, a second request on the connection', async () => {
  const result = await differential(
    'proxy.js',
    async ({ port }) => [
      await one(port, 'GET', '/path?q=1', [['X-Custom', 'kept'], ['Accept', '*/*']]),
      await one(port, 'POST', '/submit', [['Content-Type', 'text/plain']], 'posted body'),
      await one(port, 'PUT', '/chunked', [['Transfer-Encoding', 'chunked']], '4\r\nwiki\r\n5\r\npedia\r\n0\r\n\r\n'),
      relayed(await one(port, 'GET', '/big')),
      await one(port, 'GET', '/status'),
      await one(port, 'HEAD', '/path'),
      // Two requests on one connection: http-proxy relays the backend's `Connection: close`
      // (it talks to the backend without an agent), so the proxy answers the first and closes.
      await rawExchange(port, Buffer.concat([requestBytes('GET', '/a'), requestBytes('GET', '/b')]), { responses: 2, graceMs: 300 }),
    ],
    { args: args() },
  );
  expect(result.node.map(statuses)).toEqual(['200', '200', '200', '200', '418', '200', '200']);
  expect(JSON.parse(result.node[0].responses[0].body).headers['x-forwarded-for']).toBe('127.0.0.1');
  expect(result.uvhttp).toEqual(result.node);
});

test("a target that is down: the proxy's 'error' answers 502", async () => {
  const result = await differential(
    'proxy.js',
    async (app) => ({
      client: await one(app.port, 'GET', '/down/x'),
      error: await app.waitFor((m) => m.type === 'proxy-error', 3000, 'the proxy error'),
    }),
    { args: args() },
  );
  expect(result.node.client.responses[0].head).toMatch(/^HTTP\/1.1 502 /);
  expect(result.node.error).toMatchObject({ code: 'ECONNREFUSED' });
  expect(result.uvhttp).toEqual(result.node);
});

test('WebSocket through the proxy: welcome, echo, binary, close code from the backend', async () => {
  const result = await differential(
    'proxy.js',
    async ({ port }) => {
      const events: unknown[] = [];
      const ws = new WebSocket(`ws://127.0.0.1:${port}/socket?x=1`, { perMessageDeflate: false });
      ws.on('open', () => {
        events.push('open');
        ws.send('echo me');
        ws.send(Buffer.from([1, 2, 3]));
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        events.push({ isBinary, text: isBinary ? data.toString('hex') : data.toString() });
        if (isBinary) ws.send('bye');
      });
      ws.on('error', (error) => events.push({ error: error.message }));
      const closed = await within(new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))), 5000, 'the proxied WebSocket closing').catch((error) => {
        ws.terminate();
        throw error;
      });
      return { events, closed };
    },
    { args: args() },
  );
  expect(result.node.closed).toEqual({ code: 4002, reason: 'backend bye' });
  expect(result.node.events).toEqual(['open', { isBinary: false, text: 'welcome /socket?x=1' }, { isBinary: false, text: 'echo me' }, { isBinary: true, text: '010203' }]);
  expect(result.uvhttp).toEqual(result.node);
});
