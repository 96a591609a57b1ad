// uvhttp's client through proxies and protocol hand-overs, with the libraries that do it, under
// `node -r uvhttp/register` against the same client on node:http (the oracle), each against a
// node:http and a uvhttp target (test/helpers/client-interop.ts): http-proxy-agent and
// https-proxy-agent (Agent subclasses whose sockets come from their own connect()) through a
// forward proxy on node:http in this process, a CONNECT tunnel by hand, the ws client, and
// http-proxy, whose outgoing requests and upgrades are the client's.
import * as http from 'node:http';
import * as net from 'node:net';

import { clientMatrix, closedPort, Matrix, ServerSide, startServer, stopAllClients, stopServer, TestServer } from '../helpers/client-interop';

jest.setTimeout(90000);
afterEach(stopAllClients);

const servers = {} as Record<ServerSide, TestServer>;
let refused = 0;
let proxy: http.Server;
let proxyPort = 0;
// What the forward proxy was asked, in order, since the last reset.
let proxyLog: unknown[] = [];

// A forward proxy: absolute-form requests are sent on with node:http, CONNECT to a port other
// than 1 is tunnelled with node:net, a CONNECT to port 1 is refused with a 403 whose body ends
// with the connection.
function startProxy(): Promise<void> {
  proxy = http.createServer((req, res) => {
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
  return new Promise<void>((resolve) =>
    proxy.listen(0, '127.0.0.1', () => {
      proxyPort = (proxy.address() as net.AddressInfo).port;
      resolve();
    }),
  );
}

beforeAll(async () => {
  servers.node = await startServer('node');
  servers.uvhttp = await startServer('uvhttp');
  refused = await closedPort();
  await startProxy();
});

afterAll(async () => {
  await stopServer(servers.node);
  await stopServer(servers.uvhttp);
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
});

function expectSame(result: Matrix): void {
  expect(result.node.uvhttp).toEqual(result.node.node);
  expect(result.uvhttp.uvhttp).toEqual(result.uvhttp.node);
}

test('http-proxy-agent, https-proxy-agent and a CONNECT tunnel by hand, through a forward proxy', async () => {
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
