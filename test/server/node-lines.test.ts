// Behaviour that differs between the Node lines, where uvhttp follows the Node it runs on
// (README "Compatibility notes", "Differences between Node lines"). Every case compares
// uvhttp with the node:http of the running Node, which scripts/test-node-line.sh makes each
// tested line in turn; on Node 20 the same cases check the Node 20 side of each difference.
import * as dc from 'node:diagnostics_channel';
import type * as http from 'node:http';
import * as nodeHttp from 'node:http';
import * as uvhttp from '../../lib';
import { impls, nodeImpl, type Impl } from '../helpers/impls';
import { llhttpTrailingHtabIsOws, nodeMajor } from '../helpers/node-line';
import { exchange } from '../helpers/raw';
import { closeAllServers, startServer } from '../helpers/server';

afterEach(() => closeAllServers());

const uvImpl = impls.find((i) => i.name === 'uvhttp')!;

// What a client sees: the bytes (Date masked), whether the connection closed, and what the
// handler and the 'upgrade' listener were given.
async function serve(impl: Impl, send: string, setup: ((s: http.Server, log: string[]) => void) | null = null) {
  const log: string[] = [];
  const { port } = await startServer(
    impl,
    (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        log.push(`${req.method} ${req.url} body=${Buffer.concat(parts).toString('latin1')}`);
        res.end('ok');
      });
    },
    { setup: setup ? (s) => setup(s, log) : undefined },
  );
  const r = await exchange({ port, send, timeoutMs: 3000, graceMs: 100, responses: 1 });
  return { bytes: r.masked, closed: r.closed, log };
}

const H = 'Host: x\r\n';

describe(`trailing HTAB in framing fields (llhttp ${process.versions.llhttp}: ${llhttpTrailingHtabIsOws ? 'OWS' : 'kept'})`, () => {
  const cases: Array<[string, string, ((s: http.Server, log: string[]) => void) | null]> = [
    ['Content-Length: 1<HTAB>', `POST / HTTP/1.1\r\n${H}Content-Length: 1\t\r\n\r\na`, null],
    ['Connection: close<HTAB>', `GET / HTTP/1.1\r\n${H}Connection: close\t\r\n\r\n`, null],
    ['Connection: close<HTAB>, x', `GET / HTTP/1.1\r\n${H}Connection: close\t, x\r\n\r\n`, null],
    [
      'Connection: Upgrade<HTAB> with an upgrade listener',
      `GET /ws HTTP/1.1\r\n${H}Connection: Upgrade\t\r\nUpgrade: x\r\n\r\n`,
      (s, log) =>
        s.on('upgrade', (req: http.IncomingMessage, socket: import('node:net').Socket) => {
          log.push(`upgrade ${req.url}`);
          socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n');
        }),
    ],
  ];
  test.each(cases)('%s: as node:http', async (_name, send, setup) => {
    const ref = await serve(nodeImpl, send, setup);
    const got = await serve(uvImpl, send, setup);
    expect(got).toEqual(ref);
  });

  test('the reading is the one this llhttp has', async () => {
    const ref = await serve(nodeImpl, `POST / HTTP/1.1\r\n${H}Content-Length: 1\t\r\n\r\na`);
    expect(ref.log).toEqual(llhttpTrailingHtabIsOws ? ['POST / body=a'] : []);
  });
});

describe(`exports of node:http on Node ${nodeMajor}`, () => {
  // Proxy support from the environment (Node 24): not in uvhttp yet (README: compatibility notes).
  const CLIENT = ['setGlobalProxyFromEnv'];
  // node:http's connection listener, an internal with nothing to act on in uvhttp.
  const INTERNAL = ['_connectionListener'];

  test('uvhttp has every other export node:http has on this line, and no more', () => {
    const want = Object.keys(nodeHttp).filter((k) => !CLIENT.includes(k) && !INTERNAL.includes(k)).sort();
    expect(Object.keys(uvhttp).sort()).toEqual(want);
  });

  test('the exports added by later lines are node:http\'s own', () => {
    for (const name of ['WebSocket', 'CloseEvent', 'MessageEvent', 'isValidHeaderName', 'isValidHeaderValue', 'websocketMask', 'websocketUnmask']) {
      expect({ name, same: (uvhttp as Record<string, unknown>)[name] === (nodeHttp as Record<string, unknown>)[name] }).toEqual({ name, same: true });
    }
    expect('WebSocket' in uvhttp).toBe(nodeMajor >= 22);
    expect('isValidHeaderValue' in uvhttp).toBe(nodeMajor >= 26);
  });
});

describe(`keepAliveTimeoutBuffer (Node 22.19, 24.6) on Node ${nodeMajor}`, () => {
  // How long an idle keep-alive connection stays open after its response.
  async function idleFor(impl: Impl, options: http.ServerOptions & { keepAliveTimeoutBuffer?: number }) {
    const { port, server } = await startServer(impl, (_req, res) => res.end('ok'), { serverOptions: options });
    const start = Date.now();
    const r = await exchange({ port, send: `GET / HTTP/1.1\r\n${H}\r\n`, timeoutMs: 4000, graceMs: 3500, responses: 1 });
    return { closed: r.closed, ms: Date.now() - start, property: (server as http.Server & { keepAliveTimeoutBuffer?: number }).keepAliveTimeoutBuffer };
  }

  test('the idle connection closes keepAliveTimeout + keepAliveTimeoutBuffer after the response, where Node has it', async () => {
    const options = { keepAliveTimeout: 300, keepAliveTimeoutBuffer: 200 };
    const ref = await idleFor(nodeImpl, options);
    const got = await idleFor(uvImpl, options);
    expect(got.property).toBe(ref.property); // 200, or undefined before 22.19 / 24.6
    expect([ref.closed, got.closed]).toEqual([true, true]);
    // Without the option Node waits 300 + 1000 ms; with it 300 + 200 (uvhttp's sweep adds up
    // to 250 ms).
    const expected = ref.property === undefined ? 1300 : 500;
    expect(ref.ms).toBeGreaterThanOrEqual(expected - 50);
    expect(got.ms).toBeGreaterThanOrEqual(expected - 50);
    expect(ref.ms).toBeLessThan(expected + 400);
    expect(got.ms).toBeLessThan(expected + 650);
  });
});

describe(`server API that later lines added or changed, on Node ${nodeMajor}`, () => {
  // What a handler and a diagnostics subscriber observe for one request, on one implementation.
  async function observe(impl: Impl) {
    const seen: Record<string, unknown> = {};
    let created = 0;
    const onCreated = () => created++;
    dc.subscribe('http.server.response.created', onCreated);
    const { port, server } = await startServer(impl, (req, res) => {
      seen.signal = typeof (req as http.IncomingMessage & { signal?: unknown }).signal;
      seen.writeHeader = typeof (res as http.ServerResponse & { writeHeader?: unknown }).writeHeader;
      seen.writeInformation = typeof (res as http.ServerResponse & { writeInformation?: unknown }).writeInformation;
      res.setHeader('X-A', '1');
      res.writeHead(200, ['X-A', '2', 'X-A', '3']);
      res.end();
    });
    const r = await exchange({ port, send: `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, timeoutMs: 3000, responses: 1 });
    dc.unsubscribe('http.server.response.created', onCreated);
    seen.xA = r.responses[0]?.headers.filter((h) => h.name === 'X-A').map((h) => h.value);
    seen.responseCreated = created;
    seen.shouldUpgradeCallback = typeof (server as http.Server & { shouldUpgradeCallback?: unknown }).shouldUpgradeCallback;
    seen.httpValidation = 'httpValidation' in server;
    return seen;
  }

  let ref: Record<string, unknown>;
  let got: Record<string, unknown>;
  beforeAll(async () => {
    ref = await observe(nodeImpl);
    got = await observe(uvImpl);
    await closeAllServers();
  });

  test.each([
    ['writeHead(status, [name, value, ...]) keeps every pair and replaces what setHeader set (Node 22)', 'xA'],
    ["diagnostics channel 'http.server.response.created' (Node 22)", 'responseCreated'],
    ['server.shouldUpgradeCallback (Node 22.21, 24.9)', 'shouldUpgradeCallback'],
    ['server.httpValidation (Node 24.19)', 'httpValidation'],
    ['req.signal (Node 24)', 'signal'],
    ['res.writeInformation() (Node 24)', 'writeInformation'],
    ['res.writeHeader, the DEP0063 alias of writeHead, is gone (Node 26)', 'writeHeader'],
  ])('%s: as node:http', (_name, key) => {
    expect(got[key]).toEqual(ref[key]);
  });
});
