// Node 20 details (issue 9 item 4): each scenario runs on node:http (the oracle) and on uvhttp,
// and what a user observes is compared: errors (code, name, message), events in order, counters,
// the bytes on the wire and how they arrive.
import { execFile } from 'node:child_process';
import * as diagnostics from 'node:diagnostics_channel';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type * as http from 'node:http';
import { candidates, nodeImpl, type Impl } from '../helpers/impls';
import { nodeMajor } from '../helpers/node-line';
import { exchange, maskDate } from '../helpers/raw';
import { closeAllServers, delay, startServer, within, type Handler } from '../helpers/server';

afterEach(closeAllServers);

const ROOT = path.resolve(__dirname, '..', '..');
const GET = (p = '/', method = 'GET') => `${method} ${p} HTTP/1.1\r\nHost: x\r\n\r\n`;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return 'no throw';
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    return { code: error.code, name: error.name, message: error.message };
  }
}

/** Runs `scenario` on node:http and on each candidate; the candidates' results must equal node's. */
async function differential<T>(scenario: (impl: Impl) => Promise<T>, check?: (ref: T) => void): Promise<void> {
  const ref = await scenario(nodeImpl);
  check?.(ref);
  for (const impl of candidates) expect({ impl: impl.name, result: await scenario(impl) }).toEqual({ impl: impl.name, result: ref });
}

/** One request on a raw connection: the bytes of each 'data' event (Date masked), until close or ms. */
function dataEvents(port: number, send: string, ms = 1500): Promise<string[]> {
  return new Promise((resolve) => {
    const events: string[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.write(send));
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(events);
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (d) => {
      events.push(maskDate(d));
      if (d.toString('latin1').endsWith('0\r\n\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}

describe('http.setMaxIdleHTTPParsers', () => {
  test('exists and validates its argument as Node does', async () => {
    await differential(async (impl) => {
      const set = (impl.http as unknown as { setMaxIdleHTTPParsers: (n: unknown) => void }).setMaxIdleHTTPParsers;
      return [typeof set, ...[1, 1000, 0, -1, 1.5, '2', NaN, 2 ** 53].map((v) => thrown(() => set(v)))];
    }, (ref) => {
      expect(ref[0]).toBe('function');
      expect(ref[1]).toBe('no throw');
      expect(ref[3]).toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
    });
  });
});

describe('--max-http-header-size', () => {
  const APP = path.join(__dirname, '..', 'fixtures', 'apps', 'max-header-size-app.js');
  const run = (spec: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<unknown> =>
    new Promise((resolve, reject) => {
      execFile(process.execPath, [...args, APP, spec, JSON.stringify([300, 440, 470, 490, 520, 20000])], { timeout: 20000, env: { ...process.env, ...env } }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(JSON.parse(out)),
      );
    });
  const spec = (impl: Impl) => (impl.name === 'node' ? 'node:http' : ROOT);

  test.each([
    ['the flag', ['--max-http-header-size=500'], {}],
    ['NODE_OPTIONS', [], { NODE_OPTIONS: '--max-http-header-size=500' }],
    ['no flag', [], {}],
  ])('%s: http.maxHeaderSize and the server and client limits follow it', async (_what, args, env) => {
    await differential((impl) => run(spec(impl), args, env), (ref) => {
      const r = ref as { maxHeaderSize: number; server: Record<string, string> };
      expect(r.maxHeaderSize).toBe(args.length || Object.keys(env).length ? 500 : 16384);
      expect(r.server['20000']).toBe('HTTP/1.1 431 Request Header Fields Too Large');
      expect(r.server['300']).toBe('HTTP/1.1 200 OK');
    });
  }, 60000);

  test('maxHeaderSize: 0 means the default limit, not none', async () => {
    await differential(async (impl) => {
      const { port } = await startServer(impl, (_req, res) => res.end('ok'), { serverOptions: { maxHeaderSize: 0 } });
      const small = await exchange({ port, send: GET(), responses: 1 });
      const big = await exchange({ port, send: `GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20000)}\r\n\r\n` });
      return [small.responses[0]?.statusCode, big.responses[0]?.statusCode];
    }, (ref) => expect(ref).toEqual([200, 431]));
  });
});

// Node's isLenient(): a server or request without insecureHTTPParser follows the process flag,
// an explicit option wins over it, and the first lenient parser warns once.
describe('--insecure-http-parser', () => {
  const APP = path.join(__dirname, '..', 'fixtures', 'apps', 'insecure-parser-app.js');
  const run = (spec: string, args: string[], env: NodeJS.ProcessEnv, option: boolean | null): Promise<unknown> =>
    new Promise((resolve, reject) => {
      execFile(process.execPath, [...args, APP, spec, JSON.stringify(option)], { timeout: 20000, env: { ...process.env, ...env } }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(JSON.parse(out)),
      );
    });
  const spec = (impl: Impl) => (impl.name === 'node' ? 'node:http' : ROOT);

  test.each([
    ['the flag, no option', ['--insecure-http-parser'], {}, null, true],
    ['NODE_OPTIONS, no option', [], { NODE_OPTIONS: '--insecure-http-parser' }, null, true],
    ['the flag, insecureHTTPParser: false', ['--insecure-http-parser'], {}, false, false],
    ['no flag, no option', [], {}, null, false],
    ['no flag, insecureHTTPParser: true', [], {}, true, true],
  ])('%s: the server and the client parsers', async (_what, args, env, option, lenient) => {
    await differential((impl) => run(spec(impl), args, env, option), (ref) => {
      const r = ref as { server: { status: string }; client: { x?: string }; warnings: string[] };
      expect(r.server.status).toBe(lenient ? 'HTTP/1.1 200 OK' : 'HTTP/1.1 400 Bad Request');
      expect(r.client.x).toBe(lenient ? '3\t4' : undefined);
      expect(r.warnings.length).toBe(lenient && option === null ? 1 : 0);
    });
  }, 60000);

  test('createServer({ insecureHTTPParser }) takes a boolean only', async () => {
    await differential(async (impl) => thrown(() => impl.http.createServer({ insecureHTTPParser: 1 as unknown as boolean })), (ref) =>
      expect(ref).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});

describe('res.cork()', () => {
  test('writableCorked, nested corks, uncork across ticks: counters and arrival', async () => {
    await differential(async (impl) => {
      const log: string[] = [];
      const { port } = await startServer(impl, (_req, res) => {
        const at = (what: string) => log.push(`${what}:${res.writableCorked}`);
        at('start');
        res.cork();
        at('cork1');
        res.cork();
        at('cork2');
        res.write('aa');
        at('write1');
        setTimeout(() => {
          res.write('bbb');
          at('write2');
          res.uncork();
          at('uncork1');
          setTimeout(() => {
            res.uncork();
            at('uncork2');
            process.nextTick(() => at('tick'));
            setTimeout(() => {
              res.write('cc');
              at('write3');
              res.write('dd');
              process.nextTick(() => at('tick2'));
              setTimeout(() => {
                res.end();
                at('end');
                res.uncork();
                at('uncork after end');
              }, 60);
            }, 60);
          }, 60);
        }, 60);
      });
      const events = await dataEvents(port, GET());
      return { events, log };
    }, (ref) => {
      if (nodeMajor !== 20) return;
      // Node 20: the writes held by cork() leave together, each its own chunk.
      expect(ref.events[0]).toMatch(/\r\n\r\n2\r\naa\r\n3\r\nbbb\r\n$/);
      expect(ref.events.slice(1)).toEqual(['2\r\ncc\r\n2\r\ndd\r\n', '0\r\n\r\n']);
      expect(ref.log).toContain('cork2:2');
      expect(ref.log).toContain('write3:1');
    });
  });

  test('end() while corked: counters and arrival', async () => {
    await differential(async (impl) => {
      const log: string[] = [];
      const { port } = await startServer(impl, (_req, res) => {
        const at = (what: string) => log.push(`${what}:${res.writableCorked}`);
        res.write('aa');
        setTimeout(() => {
          res.cork();
          res.write('ee');
          at('write');
          res.end('ff');
          at('end');
          res.uncork();
          at('uncork after end');
        }, 60);
      });
      const events = await dataEvents(port, GET());
      return { events, log };
    }, (ref) => {
      if (nodeMajor !== 20) return;
      expect(ref.events.slice(1)).toEqual(['2\r\nee\r\n2\r\nff\r\n0\r\n\r\n']);
    });
  });

  test('corks on a response waiting behind another apply when it gets the socket', async () => {
    await differential(async (impl) => {
      const log: string[] = [];
      let first: http.ServerResponse | undefined;
      const { port } = await startServer(impl, (req, res) => {
        if (req.url === '/1') {
          first = res;
          return;
        }
        res.cork();
        log.push(`queued cork:${res.writableCorked}`);
        res.write('x');
        setTimeout(() => {
          first!.end('one');
          setTimeout(() => {
            log.push(`with socket:${res.writableCorked}`);
            res.uncork();
            log.push(`uncorked:${res.writableCorked}`);
            setTimeout(() => res.end('two'), 60);
          }, 60);
        }, 60);
      });
      const events = await dataEvents(port, GET('/1') + GET('/2'));
      return { events: events.join('|'), log };
    }, (ref) => {
      expect(ref.log).toEqual(['queued cork:1', 'with socket:1', 'uncorked:0']);
      // nothing of the second response left while it was corked
      expect(ref.events).toMatch(/one\|?HTTP\/1\.1 200 OK[^]*\r\n\r\n1\r\nx\r\n\|3\r\ntwo\r\n0\r\n\r\n$/);
    });
  });
});

describe('res.addTrailers', () => {
  test('bad names, bad values and array values as Node', async () => {
    await differential(async (impl) => {
      const log: unknown[] = [];
      const { port } = await startServer(impl, (_req, res) => {
        for (const t of [{ 'bad name': 'x' }, { '': 'x' }, [['bad name', 'x']], { ok: 'a\nb' }]) {
          log.push(thrown(() => res.addTrailers(t as http.OutgoingHttpHeaders)));
        }
        res.setHeader('Trailer', 'x-a, x-b');
        res.write('body');
        res.addTrailers({ 'x-a': ['1', '2'], 'x-b': ['3'] });
        res.end();
      });
      const r = await exchange({ port, send: GET(), responses: 1 });
      return { log, bytes: r.masked };
    }, (ref) => {
      expect(ref.log[0]).toEqual({ code: 'ERR_INVALID_HTTP_TOKEN', name: 'TypeError', message: 'Trailer name must be a valid HTTP token ["bad name"]' });
      expect(ref.bytes).toMatch(/0\r\nx-a: 1\r\nx-a: 2\r\nx-b: 3\r\n\r\n$/);
    });
  });
});

describe('strictContentLength', () => {
  const cases: Array<[string, (res: http.ServerResponse) => void, string?]> = [
    ['setHeader 3, write 5', (res) => { res.setHeader('Content-Length', 3); res.write('12345'); res.end(); }],
    ['setHeader 3, write 2 + 2', (res) => { res.setHeader('Content-Length', 3); res.write('12'); res.write('34'); }],
    ['writeHead 3, write 5', (res) => { res.writeHead(200, { 'Content-Length': 3 }); res.write('12345'); }],
    ['writeHead 3, end 2', (res) => { res.writeHead(200, { 'Content-Length': 3 }); res.end('12'); }],
    ['writeHead 3, write 1, end()', (res) => { res.writeHead(200, { 'Content-Length': 3 }); res.write('1'); res.end(); }],
    ['writeHead 3, end 3', (res) => { res.writeHead(200, { 'Content-Length': 3 }); res.end('123'); }],
    ['no Content-Length', (res) => res.end('12345')],
    ['304 with Content-Length 3', (res) => { res.writeHead(304, { 'Content-Length': 3 }); res.end('12345'); }],
    ['HEAD, Content-Length 3, end 5', (res) => { res.writeHead(200, { 'Content-Length': 3 }); res.end('12345'); }, 'HEAD'],
    ['Content-Length and Transfer-Encoding', (res) => { res.writeHead(200, { 'Content-Length': 3, 'Transfer-Encoding': 'chunked' }); res.end('12345'); }],
    ['Content-Length removed', (res) => { res.setHeader('Content-Length', 3); res.removeHeader('Content-Length'); res.end('12345'); }],
    ['counted in bytes', (res) => { res.writeHead(200, { 'Content-Length': 2 }); res.end('é'); }],
  ];
  test.each(cases)('%s', async (_name, body, method = 'GET') => {
    await differential(async (impl) => {
      const log: unknown[] = [];
      const { port } = await startServer(impl, (_req, res) => {
        res.strictContentLength = true;
        log.push(thrown(() => body(res)), res.finished, res.headersSent);
        setTimeout(() => res.destroy(), 50);
      });
      const r = await exchange({ port, send: GET('/', method), methods: [method], timeoutMs: 400 });
      return { log, bytes: r.masked };
    });
  });

  test('the error is Node\'s', async () => {
    await differential(async (impl) => {
      let error: unknown;
      const { port } = await startServer(impl, (_req, res) => {
        res.strictContentLength = true;
        res.writeHead(200, { 'Content-Length': 3 });
        error = thrown(() => res.write('12345'));
        res.destroy();
      });
      await exchange({ port, send: GET(), timeoutMs: 1500 });
      return error;
    }, (ref) => expect(ref).toEqual({
      code: 'ERR_HTTP_CONTENT_LENGTH_MISMATCH',
      name: 'Error',
      message: "Response body's content-length of 5 byte(s) does not match the content-length of 3 byte(s) set in header",
    }));
  });
});

describe('createServer socket options', () => {
  // The kernel's keepalive timer on the accepted connection (/proc/net/tcp: timer 2 while
  // SO_KEEPALIVE is on and the connection idle; when, in jiffies, the first probe is due).
  function keepaliveTimer(serverPort: number, clientPort: number): { timer: string; seconds: number } {
    const hex = (p: number) => p.toString(16).toUpperCase().padStart(4, '0');
    const key = `0100007F:${hex(serverPort)} 0100007F:${hex(clientPort)}`;
    const line = fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').find((l) => l.includes(key));
    if (!line) throw new Error(`no /proc/net/tcp entry for ${key}`);
    const [timer, when] = line.trim().split(/\s+/)[5].split(':');
    return { timer, seconds: Math.round(parseInt(when, 16) / 100 / 10) * 10 };
  }

  test.each([
    [{}],
    [{ noDelay: false }],
    [{ noDelay: true, keepAlive: true }],
    [{ keepAlive: true, keepAliveInitialDelay: 30000 }],
    [{ highWaterMark: 1000 }],
    [{ keepAliveInitialDelay: -5, highWaterMark: -1 }],
  ])('%j: server properties, the accepted socket, SO_KEEPALIVE', async (options) => {
    await differential(async (impl) => {
      let accepted: net.Socket | undefined;
      const { server, port } = await startServer(impl, undefined, { serverOptions: options as http.ServerOptions, setup: (s) => s.on('connection', (sock: net.Socket) => (accepted = sock)) });
      const s = server as unknown as { noDelay: boolean; keepAlive: boolean; keepAliveInitialDelay: number; highWaterMark: number };
      const client = net.connect(port, '127.0.0.1');
      await within(new Promise<void>((r) => client.once('connect', () => r())), 2000, 'connect');
      for (let i = 0; i < 50 && accepted === undefined; i++) await delay(10);
      const kernel = keepaliveTimer(port, client.localPort!);
      const result = {
        noDelay: s.noDelay,
        keepAlive: s.keepAlive,
        keepAliveInitialDelay: s.keepAliveInitialDelay,
        highWaterMark: s.highWaterMark,
        socketHighWaterMark: [accepted?.writableHighWaterMark, accepted?.readableHighWaterMark],
        // HZ-independent enough: keepalive on or off, and a 30 s first probe due in about 30 s
        keepaliveTimer: kernel.timer,
        firstProbe: (options as { keepAliveInitialDelay?: number }).keepAliveInitialDelay === 30000 ? kernel.seconds : 'not compared',
      };
      client.destroy();
      return result;
    });
  });

  test('options are validated as net.Server validates them', async () => {
    await differential(async (impl) => [
      thrown(() => impl.http.createServer({ keepAliveInitialDelay: 'x' } as unknown as http.ServerOptions)),
      thrown(() => impl.http.createServer({ highWaterMark: 'x' } as unknown as http.ServerOptions)),
    ]);
  });
});

describe('write() after end()', () => {
  test('the error, its callback and its event, in Node\'s order', async () => {
    await differential(async (impl) => {
      const log: unknown[] = [];
      const { port } = await startServer(impl, (_req, res) => {
        res.on('error', (e: NodeJS.ErrnoException) => log.push(`error ${e.code} ${e.message}`));
        res.on('finish', () => log.push('finish'));
        res.on('close', () => log.push('close'));
        res.end('a');
        log.push(`write returned ${res.write('b', (e) => log.push(`write callback ${(e as NodeJS.ErrnoException)?.code}`))}`);
        res.end('c', () => log.push('end callback'));
        process.nextTick(() => log.push('tick'));
        setImmediate(() => log.push('immediate'));
        log.push('sync done');
      });
      const r = await exchange({ port, send: GET(), responses: 1 });
      await delay(50);
      return { log, bytes: r.masked };
    }, (ref) => expect(ref.log).toContain('error ERR_STREAM_WRITE_AFTER_END write after end'));
  });
});

describe('end(cb) after the response finished', () => {
  test("the callback gets Node's ERR_STREAM_ALREADY_FINISHED", async () => {
    await differential(async (impl) => {
      const log: unknown[] = [];
      const { port } = await startServer(impl, (_req, res) => {
        res.on('finish', () =>
          setTimeout(() => {
            res.end((e?: Error) => log.push(e ? { code: (e as NodeJS.ErrnoException).code, name: e.name, message: e.message } : 'no error'));
            log.push('end returned');
          }, 20),
        );
        res.end('a');
      });
      await exchange({ port, send: GET(), responses: 1, graceMs: 100 });
      return log;
    }, (ref) => expect(ref).toEqual([{ code: 'ERR_STREAM_ALREADY_FINISHED', name: 'Error', message: 'Cannot call end after a stream was finished' }, 'end returned']));
  });
});

describe('res.setHeaders', () => {
  test('a Headers object (set-cookie kept apart) and a Map with an array value', async () => {
    await differential(async (impl) => {
      const log: unknown[] = [];
      const { port } = await startServer(impl, (_req, res) => {
        res.setHeaders(new Headers([['x-a', '1'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['content-type', 'text/plain']]));
        res.setHeaders(new Map<string, string | string[]>([['x-m', ['1', '2']], ['X-Case', 'v']]));
        log.push(thrown(() => res.setHeaders({ a: '1' } as unknown as Map<string, string>)));
        log.push(res.getHeaders(), (res as unknown as { getRawHeaderNames(): string[] }).getRawHeaderNames());
        res.end('x');
      });
      const r = await exchange({ port, send: GET(), responses: 1 });
      return { log: JSON.parse(JSON.stringify(log)), bytes: r.masked };
    }, (ref) => expect(ref.bytes).toContain('set-cookie: a=1\r\nset-cookie: b=2\r\n'));
  });
});

describe("'aborted' when the client drops mid-body", () => {
  test("the request's and the response's events in Node's order", async () => {
    await differential(async (impl) => {
      const log: string[] = [];
      const { port } = await startServer(impl, (req, res) => {
        req.on('aborted', () => log.push('req aborted'));
        req.on('close', () => log.push('req close'));
        req.on('error', (e: NodeJS.ErrnoException) => log.push(`req error ${e.code} ${e.message}`));
        req.on('end', () => log.push('req end'));
        req.on('data', (d: Buffer) => log.push(`req data ${d.length}`));
        res.on('close', () => log.push('res close'));
        res.on('finish', () => log.push('res finish'));
        req.socket.on('close', () => log.push('socket close (handler listener)'));
      }, { setup: (s) => s.on('connection', (sock: net.Socket) => sock.on('close', () => log.push('socket close (connection listener)'))) });
      await exchange({ port, send: ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc', { delay: 80 }], timeoutMs: 200 });
      await delay(80);
      return log;
    }, (ref) => expect(ref.indexOf('req aborted')).toBeLessThan(ref.indexOf('res close')));
  });
});

describe('diagnostics_channel', () => {
  const NAMES = ['net.server.socket', 'http.server.request.start', 'http.server.response.finish'];

  test("server channels: Node's messages, in Node's order, only while subscribed; emit wrapping sees every request", async () => {
    await differential(async (impl) => {
      const log: string[] = [];
      const describe = (name: string, message: Record<string, unknown>, server: unknown) =>
        `${name} {${Object.entries(message).map(([k, v]) => `${k}:${v === server ? 'the server' : (v as object)?.constructor?.name}`).join(',')}}`;
      let server: http.Server | undefined;
      const listeners = NAMES.map((name) => [name, (m: unknown) => log.push(describe(name, m as Record<string, unknown>, server))] as const);
      for (const [name, fn] of listeners) diagnostics.subscribe(name, fn);
      try {
        const started = await startServer(impl, (req, res) => {
          log.push(`handler ${req.url}`);
          res.on('finish', () => log.push(`finish ${req.url}`));
          res.end('x');
        }, {
          setup: (s) => {
            const emit = s.emit;
            // as APM agents wrap it
            s.emit = function (this: http.Server, event: string, ...args: unknown[]) {
              if (event === 'request' || event === 'connection') log.push(`emit ${event}`);
              return (emit as (...a: unknown[]) => boolean).call(this, event, ...args);
            } as typeof s.emit;
          },
        });
        server = started.server;
        await exchange({ port: started.port, send: [GET('/1'), { delay: 50 }, GET('/2')], responses: 2 });
        for (const [name, fn] of listeners) diagnostics.unsubscribe(name, fn);
        log.push('unsubscribed');
        await exchange({ port: started.port, send: GET('/3'), responses: 1 });
        await delay(20);
      } finally {
        for (const [name, fn] of listeners) diagnostics.unsubscribe(name, fn);
      }
      return log;
    }, (ref) => {
      expect(ref).toContain('http.server.request.start {request:IncomingMessage,response:ServerResponse,socket:Socket,server:the server}');
      expect(ref.slice(ref.indexOf('unsubscribed'))).toEqual(['unsubscribed', 'emit connection', 'emit request', 'handler /3', 'finish /3']);
    });
  });
});

// Handler type kept for scenario helpers above.
export type { Handler };
