// uvhttp's client through proxies and protocol hand-overs, with the libraries that do it, under
// `node -r uvhttp/register` against the same client on node:http (the oracle), each against a
// node:http and a uvhttp target (test/helpers/client-interop.ts): http-proxy-agent and
// https-proxy-agent (Agent subclasses whose sockets come from their own connect()) through a
// forward proxy in this process (on node:http, and on uvhttp), a CONNECT tunnel by hand, the
// ws client, and http-proxy, whose outgoing requests and upgrades are the client's.
import * as http from 'node:http';
import * as net from 'node:net';
import WebSocket = require('ws');

import * as uvhttp from '../../lib';
import { clientMatrix, closedPort, Matrix, ServerSide, startServer, stopAllClients, stopServer, TestServer } from '../helpers/client-interop';
import { differential, rawExchange, requestBytes, statuses, stopAllApps, within } from '../helpers/interop';

jest.setTimeout(90000);
afterEach(stopAllClients);
afterEach(stopAllApps);

const servers = {} as Record<ServerSide, TestServer>;
let refused = 0;
// The forward proxies, on node:http and on uvhttp (its 'connect' event hands the tunnel over).
const proxies = {} as Record<ServerSide, { server: http.Server; port: number }>;
// What the forward proxy was asked, in order, since the last reset.
let proxyLog: unknown[] = [];

// A forward proxy: absolute-form requests are sent on with node:http, CONNECT to a port other
// than 1 is tunnelled with node:net, a CONNECT to port 1 is refused with a 403 whose body ends
// with the connection.
async function startProxy(side: ServerSide): Promise<void> {
  const module = (side === 'node' ? http : uvhttp) as unknown as typeof http;
  const proxy = module.createServer((req, res) => {
    proxyLog.push({ method: req.method, url: req.url, host: req.headers.host, proxyConnection: req.headers['proxy-connection'] });
    const target = new URL(req.url as string);
    const { 'proxy-connection': _pc, ...headers } = req.headers;
    const out = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers, agent: false }, (answer) => {
      res.writeHead(answer.statusCode as number, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    proxyLog.push({ method: req.method, url: req.url, host: req.headers.host, proxyConnection: req.headers['proxy-connection'] });
    const [host, port] = (req.url as string).split(':');
    socket.on('error', () => socket.destroy());
    if (port === '1') {
      // Framed by the close: the client sees the answer end when the proxy closes.
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nforbidden');
      return;
    }
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxies[side] = { server: proxy, port: (proxy.address() as net.AddressInfo).port };
}

beforeAll(async () => {
  servers.node = await startServer('node');
  servers.uvhttp = await startServer('uvhttp');
  refused = await closedPort();
  await startProxy('node');
  await startProxy('uvhttp');
});

afterAll(async () => {
  await stopServer(servers.node);
  await stopServer(servers.uvhttp);
  for (const { server } of Object.values(proxies)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

function expectSame(result: Matrix): void {
  expect(result.node.uvhttp).toEqual(result.node.node);
  expect(result.uvhttp.uvhttp).toEqual(result.uvhttp.node);
}

test.each(['node', 'uvhttp'] as ServerSide[])('http-proxy-agent, https-proxy-agent and a CONNECT tunnel by hand, through a forward proxy on %s', async (proxySide) => {
  const proxyPort = proxies[proxySide].port;
  const result = await clientMatrix(
    servers,
    'proxy-agents.js',
    () => {
      proxyLog = [];
      return { proxy: `http://127.0.0.1:${proxyPort}`, closedPort: refused };
    },
    { PROXY: proxyPort, CLOSED: refused },
    () => proxyLog,
  );
  const node = result.node.node;
  expect(node.httpProxyAgent).toMatchObject({
    inherits: true,
    first: { status: 200, body: { url: '/json?via=proxy' } },
    second: { status: 200, body: { method: 'GET', headers: { 'x-test': 'proxied' } } },
  });
  expect(node.httpsProxyAgent).toMatchObject({
    inherits: true,
    first: { status: 200, body: { url: '/json?via=tunnel' }, events: [{ proxyConnect: 200 }] },
    refused: { status: 403, body: 'forbidden', events: [{ proxyConnect: 403 }] },
  });
  expect(node.connect).toMatchObject({ status: 200, head: 0 });
  expect(node.tunnelled).toMatchObject({ status: 200, body: { url: '/json?via=connect' } });
  expect(node.connectRefused).toEqual({ status: 403 });
  expect(node.proxyDown).toMatchObject({ code: 'ECONNREFUSED' });
  expect(node.observed).toEqual([
    { method: 'GET', url: 'http://127.0.0.1:PORT/json?via=proxy', host: '127.0.0.1:PORT', proxyConnection: 'close' },
    { method: 'GET', url: 'http://127.0.0.1:PORT/echo', host: '127.0.0.1:PORT', proxyConnection: 'close' },
    { method: 'CONNECT', url: '127.0.0.1:PORT', host: '127.0.0.1:PORT', proxyConnection: 'close' },
    { method: 'CONNECT', url: '127.0.0.1:1', host: '127.0.0.1:1', proxyConnection: 'close' },
    { method: 'CONNECT', url: '127.0.0.1:PORT', host: '127.0.0.1:PORT' },
    { method: 'CONNECT', url: '127.0.0.1:1', host: '127.0.0.1:PROXY' },
  ]);
  expectSame(result);
});

test('the ws client: handshake, echo of text and binary, ping/pong, a close from either side, a refused handshake', async () => {
  // A server that answers the upgrade request as a plain request.
  const plain = http.createServer((req, res) => res.writeHead(400, { 'Content-Length': 0 }).end());
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  const plainPort = (plain.address() as net.AddressInfo).port;
  try {
    const result = await clientMatrix(servers, 'ws.js', () => ({ plainBase: `http://127.0.0.1:${plainPort}` }), { PLAIN: plainPort });
    const node = result.node.node;
    expect(node.serverCloses.map((e: { event: string }) => e.event)).toEqual(['upgrade', 'open', 'message', 'message', 'message', 'pong', 'close']);
    expect(node.serverCloses[0]).toMatchObject({ status: 101 });
    expect(node.serverCloses.slice(2, 5)).toEqual([
      { event: 'message', isBinary: false, text: 'welcome /socket?x=1' },
      { event: 'message', isBinary: false, text: 'hello' },
      { event: 'message', isBinary: true, text: '000102fa' },
    ]);
    expect(node.serverCloses[6]).toEqual({ event: 'close', code: 4001, reason: 'server bye' });
    expect(node.clientCloses.at(-1)).toEqual({ event: 'close', code: 4100, reason: 'client bye' });
    expect(node.refused).toEqual([
      { event: 'unexpected-response', status: 400 },
      { event: 'error', message: 'WebSocket was closed before the connection was established' },
      { event: 'close', code: 1006, reason: '' },
    ]);
    expectSame(result);
  } finally {
    plain.closeAllConnections();
    await new Promise<void>((resolve) => plain.close(() => resolve()));
  }
});

// http-proxy (test/fixtures/apps/interop/proxy.js) under the register shim sends what it
// forwards with uvhttp's http.request, and a WebSocket upgrade with its 'upgrade' event; here
// its targets are this file's node:http and uvhttp servers.
test("http-proxy forwarding requests and a WebSocket upgrade with uvhttp's client, to a node:http and a uvhttp target", async () => {
  const one = (port: number, method: string, target: string, fields: Array<[string, string]> = [], body?: string) =>
    rawExchange(port, requestBytes(method, target, [...fields, ['Connection', 'close']], body), { methods: [method] });
  const websocket = (port: number) =>
    new Promise<unknown[]>((resolve, reject) => {
      const events: unknown[] = [];
      const ws = new WebSocket(`ws://127.0.0.1:${port}/proxied`, { perMessageDeflate: false });
      ws.on('open', () => ws.send('through the proxy'));
      ws.on('message', (data: Buffer) => {
        events.push(data.toString());
        if (events.length === 2) ws.send('bye');
      });
      const timer = setTimeout(() => ws.terminate(), 5000);
      ws.on('error', reject);
      ws.on('close', (code, reason) => {
        clearTimeout(timer);
        resolve([...events, { code, reason: reason.toString() }]);
      });
    });
  // The proxy re-chunks a body framed by the close as its reads of it came: the body is
  // compared, not the chunk sizes (nor so the bytes).
  const relayed = <T extends { responses: Array<{ chunks: unknown }>; bytes: string }>(summary: T): T => ({
    ...summary,
    bytes: 'relayed',
    responses: summary.responses.map((r) => ({ ...r, chunks: 'relayed' })),
  });
  for (const side of ['node', 'uvhttp'] as ServerSide[]) {
    const target = servers[side];
    const result = await differential(
      'proxy.js',
      async ({ port }) => ({
        get: await one(port, 'GET', '/json?via=http-proxy'),
        post: await one(port, 'POST', '/echo', [['Content-Type', 'text/plain'], ['X-Test', 'relayed']], 'to the target'),
        untilClose: relayed(await one(port, 'GET', '/until-close')),
        notFound: await one(port, 'GET', '/nothing'),
        websocket: await within(websocket(port), 6000, 'the proxied WebSocket'),
      }),
      { args: [String(target.port), String(refused)] },
    );
    const node = result.node;
    expect([node.get, node.post, node.untilClose, node.notFound].map(statuses)).toEqual(['200', '200', '200', '404']);
    expect(JSON.parse(node.post.responses[0].body)).toMatchObject({ method: 'POST', body: 'to the target', headers: { 'x-test': 'relayed' } });
    expect(node.untilClose.responses[0].body).toBe('framed by the close');
    expect(node.websocket).toEqual(['welcome /proxied', 'through the proxy', { code: 4001, reason: 'server bye' }]);
    expect(result.uvhttp).toEqual(node);
  }
});
