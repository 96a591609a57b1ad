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
import { closeIdleTakesUnusedConnections, queuedResponsesClosedWithConnection } from '../../lib/node-features';
import { connectRaw, exchange, waitClosed } from '../helpers/raw';
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
  // node:http's connection listener, an internal with nothing to act on in uvhttp.
  const INTERNAL = ['_connectionListener'];

  test('uvhttp has every other export node:http has on this line, and no more', () => {
    const want = Object.keys(nodeHttp).filter((k) => !INTERNAL.includes(k)).sort();
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

describe(`behaviour that follows the line, on Node ${nodeMajor}`, () => {
  // The response to one request whose handler runs `handler`; what the client receives.
  async function respond(impl: Impl, handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
    const { port } = await startServer(impl, handler);
    const r = await exchange({ port, send: `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, timeoutMs: 3000, responses: 1 });
    return r.masked;
  }

  test.each<[string, (res: http.ServerResponse) => void]>([
    ['set-cookie twice, over setHeader', (res) => {
      res.setHeader('Set-Cookie', 'a=1');
      res.setHeader('X-Kept', 'yes');
      res.writeHead(200, ['Set-Cookie', 'b=2', 'set-cookie', 'c=3', 'Content-Length', '2']);
      res.end('ok');
    }],
    ['a field named in the array but empty in name is skipped', (res) => {
      res.setHeader('X-A', '1');
      res.writeHead(200, ['X-A', '2', '', 'x']);
      res.end();
    }],
    ['Date in the array replaces the generated one', (res) => {
      res.setHeader('X-A', '1');
      res.writeHead(200, ['Date', 'Thu, 01 Jan 1970 00:00:00 GMT']);
      res.end();
    }],
  ])('writeHead(status, array) after setHeader: %s, as node:http', async (_name, handler) => {
    const ref = await respond(nodeImpl, (_req, res) => handler(res));
    const got = await respond(uvImpl, (_req, res) => handler(res));
    expect(got).toEqual(ref);
  });

  test("a 'http.server.response.created' subscriber gets the handler's own request and response, before the handler runs", async () => {
    async function seen(impl: Impl) {
      const events: unknown[] = [];
      let published: { request: unknown; response: http.ServerResponse } | null = null;
      const onCreated = (message: unknown) => {
        const m = message as { request: http.IncomingMessage; response: http.ServerResponse };
        published = m;
        events.push({ created: m.request.url, headersSent: m.response.headersSent, keys: Object.keys(m).sort() });
      };
      dc.subscribe('http.server.response.created', onCreated);
      try {
        await respond(impl, (req, res) => {
          events.push({ handler: req.url, same: published !== null && published.request === req && published.response === res });
          res.end('ok');
        });
      } finally {
        dc.unsubscribe('http.server.response.created', onCreated);
      }
      return events;
    }
    const ref = await seen(nodeImpl);
    const got = await seen(uvImpl);
    expect(got).toEqual(ref);
    expect(ref.length).toBe(nodeMajor >= 22 ? 2 : 1);
  });

  // An Upgrade request to a server with the given options and 'upgrade' listener (or none):
  // what the client gets and what the server saw.
  async function upgradeTo(impl: Impl, options: Record<string, unknown>, listen: boolean) {
    const log: string[] = [];
    const { port } = await startServer(
      impl,
      (req, res) => {
        req.resume();
        req.on('end', () => {
          log.push(`request ${req.url} upgrade=${(req as { upgrade?: boolean }).upgrade}`);
          res.end('plain');
        });
      },
      {
        serverOptions: options as http.ServerOptions,
        setup: (s) => {
          if (listen) {
            s.on('upgrade', (req: http.IncomingMessage, socket: import('node:net').Socket) => {
              log.push(`upgrade ${req.url} upgrade=${(req as { upgrade?: boolean }).upgrade}`);
              socket.end('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n');
            });
          }
        },
      },
    );
    const r = await exchange({
      port,
      send: `GET /u HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: x\r\nContent-Length: 2\r\n\r\nhi`,
      timeoutMs: 3000,
      graceMs: 100,
      responses: 1,
    });
    return { bytes: r.masked, closed: r.closed, log };
  }

  test.each<[string, Record<string, unknown>, boolean]>([
    ['a callback that says no, with a listener: an ordinary request', { shouldUpgradeCallback: () => false }, true],
    ['a callback that says yes, with no listener: the connection is closed', { shouldUpgradeCallback: () => true }, false],
    ['a callback that says yes, with a listener: the upgrade', { shouldUpgradeCallback: () => true }, true],
    ['the default, with no listener: an ordinary request', {}, false],
    ['the default, with a listener: the upgrade', {}, true],
  ])('shouldUpgradeCallback: %s, as node:http', async (_name, options, listen) => {
    const ref = await upgradeTo(nodeImpl, options, listen);
    const got = await upgradeTo(uvImpl, options, listen);
    expect(got).toEqual(ref);
  });

  test('shouldUpgradeCallback is called on the server with the request, as node:http', async () => {
    async function calls(impl: Impl) {
      const seen: unknown[] = [];
      const options = {
        shouldUpgradeCallback(this: unknown, req: http.IncomingMessage) {
          const server = this as http.Server;
          seen.push({
            onServer: server instanceof impl.http.Server && server.listening,
            url: req.url,
            upgrade: req.headers.upgrade,
            method: req.method,
            complete: req.complete,
          });
          return req.headers.upgrade === 'x';
        },
      };
      const result = await upgradeTo(impl, options, true);
      return { seen, result };
    }
    const ref = await calls(nodeImpl);
    const got = await calls(uvImpl);
    expect(got).toEqual(ref);
    expect(ref.seen.length).toBe(hasShouldUpgrade() ? 1 : 0);
  });

  test('shouldUpgradeCallback that is not a function: the same error as node:http', () => {
    const errorOf = (impl: Impl) => {
      try {
        impl.http.createServer({ shouldUpgradeCallback: 'yes' } as unknown as http.ServerOptions);
        return null;
      } catch (error) {
        return { name: (error as Error).name, code: (error as NodeJS.ErrnoException).code, message: (error as Error).message };
      }
    };
    expect(errorOf(uvImpl)).toEqual(errorOf(nodeImpl));
  });

  test('the end() callback and the finish listeners: order and arguments as node:http', async () => {
    async function order(impl: Impl) {
      const events: string[] = [];
      await respond(impl, (_req, res) => {
        res.on('finish', () => events.push('finish listener added before end'));
        res.end('ok', (...args: unknown[]) => {
          events.push(`end callback (${args.map((a) => String(a)).join(', ')})`);
          // A callback given to end() once the response is finished gets an error at once.
          res.end((error?: Error | null) => events.push(`late end callback ${(error as NodeJS.ErrnoException)?.code}`));
        });
        res.on('finish', () => events.push('finish listener added after end'));
      });
      return events;
    }
    const ref = await order(nodeImpl);
    const got = await order(uvImpl);
    expect(got).toEqual(ref);
  });
});

// Whether the running node:http has the option (its own property on every server).
function hasShouldUpgrade(): boolean {
  return 'shouldUpgradeCallback' in nodeHttp.createServer();
}

describe(`interim responses and req.signal, on Node ${nodeMajor}`, () => {
  // What a client receives from a handler, and what the handler recorded (errors as code and
  // message, so both implementations compare).
  async function run(impl: Impl, handler: (req: http.IncomingMessage, res: http.ServerResponse, log: unknown[]) => void) {
    const log: unknown[] = [];
    const { port } = await startServer(impl, (req, res) => handler(req, res, log));
    const r = await exchange({ port, send: `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, timeoutMs: 3000, graceMs: 100 });
    return { bytes: r.masked, log };
  }
  function attempt(log: unknown[], what: string, fn: () => void): void {
    try {
      fn();
      log.push(`${what}: ok`);
    } catch (error) {
      log.push(`${what}: ${(error as NodeJS.ErrnoException).code} ${(error as Error).message}`);
    }
  }
  type Res = http.ServerResponse & { writeInformation?: (status: unknown, headers?: unknown, cb?: () => void) => void };

  test.each<[string, (res: Res, log: unknown[]) => void]>([
    ['writeInformation with fields, then the response', (res, log) => {
      if (res.writeInformation) {
        attempt(log, '103 object', () => res.writeInformation!(103, { Link: '</a.css>; rel=preload', 'X-A': '1' }));
        attempt(log, '102 pairs', () => res.writeInformation!(102, [['X-B', '2']]));
        attempt(log, '100 flat', () => res.writeInformation!(100, ['X-C', '3']));
        attempt(log, '101', () => res.writeInformation!(101));
        attempt(log, '200', () => res.writeInformation!(200));
        attempt(log, 'string status', () => res.writeInformation!('103'));
        attempt(log, 'odd flat list', () => res.writeInformation!(103, ['X-D']));
        attempt(log, 'bad value', () => res.writeInformation!(103, { 'X-E': 'a\nb' }));
        attempt(log, 'bad name', () => res.writeInformation!(103, { 'X E': 'a' }));
      }
      res.end('ok');
    }],
    ['writeContinue and writeProcessing after writeHead', (res, log) => {
      res.writeHead(200);
      attempt(log, 'continue', () => res.writeContinue());
      attempt(log, 'processing', () => res.writeProcessing());
      res.end('ok');
    }],
    ['writeEarlyHints: lists, bad links and bad fields', (res, log) => {
      attempt(log, 'list', () => res.writeEarlyHints({ link: ['</a.css>; rel=preload', '</b.js>; rel=preload'], 'x-a': '1' }));
      attempt(log, 'bad link', () => res.writeEarlyHints({ link: 'not a link' }));
      attempt(log, 'not an object', () => res.writeEarlyHints(null as unknown as Record<string, string>));
      attempt(log, 'empty list', () => res.writeEarlyHints({ link: [] }));
      attempt(log, 'bad field value', () => res.writeEarlyHints({ link: '</a.css>', 'x-b': 'a\rb' }));
      res.end('ok');
    }],
  ])('%s: as node:http', async (_name, handler) => {
    const ref = await run(nodeImpl, (_req, res, log) => handler(res as Res, log));
    const got = await run(uvImpl, (_req, res, log) => handler(res as Res, log));
    expect(got).toEqual(ref);
  });

  // The client sends half of a body and goes away, or waits for the answer: when the signal
  // aborts, as the handler sees it.
  async function signalOf(impl: Impl, leave: boolean) {
    const log: string[] = [];
    let done: () => void = () => {};
    const settled = new Promise<void>((resolve) => (done = resolve));
    const { port } = await startServer(impl, (req, res) => {
      const signal = (req as http.IncomingMessage & { signal?: AbortSignal }).signal;
      log.push(`signal ${typeof signal} aborted=${signal?.aborted}`);
      signal?.addEventListener('abort', () => log.push(`abort complete=${req.complete}`));
      req.on('aborted', () => log.push('aborted'));
      req.socket.on('close', () => setTimeout(done, 50));
      if (!leave) {
        req.resume();
        req.on('end', () => res.end('ok'));
      }
    });
    const body = leave ? 'abc' : 'abcdef';
    await exchange({
      port,
      send: [`POST / HTTP/1.1\r\n${H}Content-Length: 6\r\n\r\n${body}`, { delay: 100 }, { end: true }],
      timeoutMs: 3000,
      graceMs: 100,
      responses: leave ? 0 : 1,
    });
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 2000))]);
    return log;
  }

  test.each([
    ['the client leaves mid-body: aborted', true],
    ['the response finished before the connection closed: not aborted', false],
  ])('req.signal, %s, as node:http', async (_name, leave) => {
    const ref = await signalOf(nodeImpl, leave as boolean);
    const got = await signalOf(uvImpl, leave as boolean);
    expect(got).toEqual(ref);
  });
});

describe(`optimizeEmptyRequests (Node 24.12), on Node ${nodeMajor}`, () => {
  // Two requests on one connection, a bodiless GET then a POST with a body: what the handler
  // sees of each request stream, and what the client gets.
  async function serveBoth(impl: Impl, options: Record<string, unknown>) {
    const log: string[] = [];
    const { port } = await startServer(
      impl,
      (req, res) => {
        const tag = `${req.method}`;
        log.push(`${tag} readableEnded=${req.readableEnded} destroyed=${req.destroyed}`);
        const parts: string[] = [];
        req.on('data', (d: Buffer) => parts.push(d.toString()));
        req.on('end', () => log.push(`${tag} end body=${parts.join('')}`));
        req.on('close', () => log.push(`${tag} close`));
        setTimeout(() => res.end(`ok ${tag}`), 50);
      },
      { serverOptions: options as http.ServerOptions },
    );
    const r = await exchange({
      port,
      // Not pipelined: the second request follows the first answer.
      send: [`GET / HTTP/1.1\r\n${H}\r\n`, { delay: 300 }, `POST / HTTP/1.1\r\n${H}Content-Length: 2\r\nConnection: close\r\n\r\nhi`],
      timeoutMs: 3000,
      graceMs: 150,
      responses: 2,
    });
    return { bytes: r.masked, log };
  }

  test.each([
    ['on', { optimizeEmptyRequests: true }],
    ['off', { optimizeEmptyRequests: false }],
  ])('%s: the request streams and the answers, as node:http', async (_name, options) => {
    const ref = await serveBoth(nodeImpl, options);
    const got = await serveBoth(uvImpl, options);
    expect(got).toEqual(ref);
  });

  test('a value that is not a boolean: the same error as node:http', () => {
    const errorOf = (impl: Impl) => {
      try {
        impl.http.createServer({ optimizeEmptyRequests: 'yes' } as unknown as http.ServerOptions);
        return null;
      } catch (error) {
        return { name: (error as Error).name, code: (error as NodeJS.ErrnoException).code, message: (error as Error).message };
      }
    };
    expect(errorOf(uvImpl)).toEqual(errorOf(nodeImpl));
  });
});

describe(`closeIdleConnections() and connections without a request (Node 26.4), on Node ${nodeMajor}`, () => {
  // Connections in each state a connection can be in when closeIdleConnections() runs: which of
  // them it closed.
  async function closedByCloseIdle(impl: Impl): Promise<Record<string, boolean>> {
    const { server, port } = await startServer(impl, (req, res) => {
      if (req.url !== '/hold') res.end('ok');
    });
    const sends: Record<string, string> = {
      'nothing sent': '',
      'half a head': 'GET / HTTP/1.1\r\n',
      'answered': `GET / HTTP/1.1\r\n${H}\r\n`,
      'answered, then half a head': `GET / HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\n`,
      'waiting for its response': `GET /hold HTTP/1.1\r\n${H}\r\n`,
    };
    const sockets: Record<string, import('node:net').Socket> = {};
    for (const [name, send] of Object.entries(sends)) {
      const socket = await connectRaw(port);
      socket.on('data', () => {});
      if (send) socket.write(send);
      sockets[name] = socket;
    }
    await new Promise((resolve) => setTimeout(resolve, 80));
    server.closeIdleConnections();
    const closed: Record<string, boolean> = {};
    for (const [name, socket] of Object.entries(sockets)) closed[name] = await waitClosed(socket, 150);
    for (const socket of Object.values(sockets)) socket.destroy();
    return closed;
  }

  test('the same connections close as with node:http', async () => {
    const ref = await closedByCloseIdle(nodeImpl);
    expect(ref).toEqual({
      'nothing sent': closeIdleTakesUnusedConnections,
      'half a head': false,
      'answered': true,
      'answered, then half a head': false,
      'waiting for its response': false,
    });
    expect(await closedByCloseIdle(uvImpl)).toEqual(ref);
  });
});

describe(`pipelined responses still queued when the connection closes (Node 24.16, 26.1), on Node ${nodeMajor}`, () => {
  // Two pipelined requests; the first is never answered and the client goes away: what the second
  // request and its queued response go through, and what end() does to that response afterwards.
  async function queued(impl: Impl): Promise<unknown[]> {
    const events: unknown[] = [];
    const { port } = await startServer(impl, (req, res) => {
      if (req.url !== '/2') return;
      res.on('close', () => events.push('res close'));
      res.on('finish', () => events.push('res finish'));
      req.on('close', () => events.push('req close'));
      // Once the connection is gone (and what its close set off has run).
      req.socket.once('close', () =>
        setTimeout(() => {
          res.end('two');
          events.push(['after end()', res.destroyed, res.writableEnded]);
        }, 30),
      );
    });
    const socket = await connectRaw(port);
    socket.on('data', () => {});
    socket.write(`GET /1 HTTP/1.1\r\n${H}\r\nGET /2 HTTP/1.1\r\n${H}\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    return events;
  }

  test('the queued response closes with the connection where node:http closes it', async () => {
    const ref = await queued(nodeImpl);
    expect(ref).toContainEqual(['after end()', queuedResponsesClosedWithConnection, true]);
    expect(ref.includes('res close')).toBe(queuedResponsesClosedWithConnection);
    expect(await queued(uvImpl)).toEqual(ref);
  });
});

describe(`an upgrade request with a body (Node 26.0), on Node ${nodeMajor}`, () => {
  // What the 'upgrade' listener is given (the socket itself, or on Node 26 a stream while the
  // body is still arriving), what the request and the new protocol each read, and what the
  // client gets back, with the body and the bytes after it sent in the pieces given.
  async function upgradeWithBody(impl: Impl, pieces: string[]): Promise<unknown[]> {
    const events: unknown[] = [];
    const { port } = await startServer(impl, (req, res) => {
      events.push(['request', req.url]);
      req.resume();
      res.end('no upgrade');
    }, {
      setup: (server) =>
        server.on('upgrade', (req: http.IncomingMessage, stream: import('node:stream').Duplex, head: Buffer) => {
          events.push(['upgrade', req.complete, head.toString('latin1'), stream === req.socket]);
          let body = '';
          req.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
          req.on('end', () => events.push(['body', body]));
          req.on('close', () => events.push('request close'));
          let read = head.toString('latin1');
          stream.on('data', (chunk: Buffer) => (read += chunk.toString('latin1')));
          stream.on('error', (error: NodeJS.ErrnoException) => events.push(['protocol error', error.code]));
          stream.on('end', () => {
            events.push(['protocol read', read]);
            stream.end(`read ${read}`);
          });
          stream.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n');
        }),
    });
    const client = await connectRaw(port);
    let got = '';
    client.on('data', (chunk: Buffer) => (got += chunk.toString('latin1')));
    for (const piece of pieces) {
      client.write(piece);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    client.end();
    events.push(['closed', await waitClosed(client, 2000)]);
    client.destroy();
    events.push(['client got', got.replace(/\r\nDate: [^\r]*/, '').split('\r\n\r\n').slice(-2)]);
    return events;
  }

  const up = `POST /up HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: x\r\n`;
  const cases: Array<[string, string[]]> = [
    ['Content-Length, the body and what follows in one read', [`${up}Content-Length: 5\r\n\r\nhelloAFTER`]],
    ['Content-Length, the body across reads', [`${up}Content-Length: 5\r\n\r\nhel`, 'loAF', 'TER']],
    ['Content-Length, the head alone first', [`${up}Content-Length: 5\r\n\r\n`, 'helloAFTER']],
    ['chunked, in one read', [`${up}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nAFTER`]],
    ['chunked, across reads', [`${up}Transfer-Encoding: chunked\r\n\r\n5\r\nhe`, 'llo\r\n0\r\n\r\nAF', 'TER']],
    ['after a pipelined request', [`GET /a HTTP/1.1\r\n${H}\r\n${up}Content-Length: 5\r\n\r\nhelloAFTER`]],
    ['without a body', [`GET /up HTTP/1.1\r\n${H}Connection: Upgrade\r\nUpgrade: x\r\n\r\nAFTER`]],
    ['the peer ending inside the body', [`${up}Content-Length: 50\r\n\r\nhello`]],
  ];

  test('the upgrade gets what follows the body, the request its body (26) or the upgrade all of it (before)', async () => {
    const ref = await upgradeWithBody(nodeImpl, cases[0][1]);
    expect(ref[0]).toEqual(nodeMajor >= 26 ? ['upgrade', true, 'AFTER', true] : ['upgrade', true, 'helloAFTER', true]);
    expect(await upgradeWithBody(uvImpl, cases[0][1])).toEqual(ref);
  });

  test.each(cases.slice(1))('%s: as node:http', async (_name, pieces) => {
    const ref = await upgradeWithBody(nodeImpl, pieces);
    expect(await upgradeWithBody(uvImpl, pieces)).toEqual(ref);
  });
});

describe(`OutgoingMessage's _headers and _headerNames (DEP0066, removed in 24), on Node ${nodeMajor}`, () => {
  async function accessors(impl: Impl): Promise<unknown> {
    const seen: unknown[] = [];
    const { port } = await startServer(impl, (_req, res) => {
      const proto = Object.getPrototypeOf(Object.getPrototypeOf(res)) as object;
      const descriptor = Object.getOwnPropertyDescriptor(proto, '_headers');
      seen.push(descriptor ? [typeof descriptor.get, typeof descriptor.set, descriptor.enumerable, descriptor.configurable] : 'none');
      seen.push(Object.prototype.hasOwnProperty.call(res, '_headers'));
      res.setHeader('X-Set', 'a');
      const record = res as unknown as { _headers: unknown; _headerNames: unknown };
      seen.push(record._headers === undefined ? 'undefined' : { ...(record._headers as object) });
      seen.push(record._headerNames === undefined ? 'undefined' : { ...(record._headerNames as object) });
      record._headerNames = { 'x-set': 'X-SET' };
      record._headers = { 'X-Replaced': 'b', 'x-set': 'c' };
      seen.push(res.getHeaderNames(), res.getHeader('x-set') ?? null);
      res.end('ok');
    });
    const r = await exchange({ port, send: `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, timeoutMs: 3000, responses: 1 });
    return { seen, head: r.masked.split('\r\n\r\n')[0] };
  }

  test('accessors over the header map on 20 and 22, nothing on 24', async () => {
    const ref = (await accessors(nodeImpl)) as { seen: unknown[] };
    expect(ref.seen[0]).toEqual(nodeMajor < 24 ? ['function', 'function', false, false] : 'none');
    expect(await accessors(uvImpl)).toEqual(ref);
  });
});

describe(`writableFinished of a response once end() has flushed (computed on 20 and 22, set with 'finish' on 24), on Node ${nodeMajor}`, () => {
  async function flushed(impl: Impl): Promise<unknown[]> {
    const seen: unknown[] = [];
    const { port } = await startServer(impl, (_req, res) => {
      res.on('finish', () => seen.push(['finish', res.writableFinished]));
      seen.push(['before end()', res.writableFinished]);
      res.end('ok');
      seen.push(['after end()', res.writableFinished]);
    });
    await exchange({ port, send: `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, timeoutMs: 3000, responses: 1 });
    return seen;
  }

  test('as node:http', async () => {
    const ref = await flushed(nodeImpl);
    expect(ref[1]).toEqual(['after end()', nodeMajor < 24]);
    expect(await flushed(uvImpl)).toEqual(ref);
  });
});
