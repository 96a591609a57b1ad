// Server lifecycle as node:http has it: listen forms, 'listening', address(), close(cb) and
// 'close', listening, 'connection', EADDRINUSE error shape. Shapes are compared with node:http.
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { types } from 'node:util';
import * as nodeHttp from 'node:http';
import { impls, nodeImpl, type Impl } from '../helpers/impls';
import { exchange, connectRaw, waitClosed } from '../helpers/raw';
import { closeAllServers, closeServer, delay, request, startServer, within } from '../helpers/server';
import type * as http from 'node:http';

const extra: http.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(extra.splice(0).map((s) => closeServer(s)));
  await closeAllServers();
});

function make(impl: Impl, handler?: http.RequestListener): http.Server {
  const s = impl.http.createServer(handler ?? ((_q, r) => r.end('ok')));
  extra.push(s);
  return s;
}

function onceEvent<T = unknown>(em: NodeJS.EventEmitter, name: string, ms = 3000): Promise<T[]> {
  return within(
    new Promise<T[]>((resolve) => em.once(name, (...args: T[]) => resolve(args))),
    ms,
    `'${name}' event`,
  );
}

/** A port that is free right now (bound then released by node). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function errorShape(e: NodeJS.ErrnoException & { address?: string; port?: number }) {
  return {
    isError: types.isNativeError(e),
    name: e.name,
    code: e.code,
    errno: e.errno,
    syscall: e.syscall,
    address: e.address,
    port: e.port,
    message: e.message,
    ownKeys: Object.keys(e).sort(),
  };
}

describe.each(impls.map((i) => [i.name, i] as const))('server lifecycle: %s', (_n, impl) => {
  test('createServer returns a Server; new Server(handler) works; it is an EventEmitter', () => {
    const s = make(impl);
    expect(s).toBeInstanceOf(impl.http.Server);
    expect(typeof s.on).toBe('function');
    const s2 = new impl.http.Server((_q, r) => r.end());
    extra.push(s2);
    expect(s2).toBeInstanceOf(impl.http.Server);
    expect(s2.listeners('request')).toHaveLength(1);
  });

  test('http.Server is a net.Server as in node', () => {
    const s = make(impl);
    expect(s instanceof net.Server).toBe(make(nodeImpl) instanceof net.Server);
  });

  test('address() is null and listening false before listen', () => {
    const s = make(impl);
    expect(s.address()).toBeNull();
    expect(s.listening).toBe(false);
  });

  test('default timeouts and limits are node\'s', () => {
    const pick = (s: http.Server) => ({
      timeout: s.timeout,
      keepAliveTimeout: s.keepAliveTimeout,
      headersTimeout: s.headersTimeout,
      requestTimeout: s.requestTimeout,
      maxHeadersCount: s.maxHeadersCount,
      maxRequestsPerSocket: s.maxRequestsPerSocket,
    });
    expect(pick(make(impl))).toEqual(pick(make(nodeImpl)));
  });

  test('listen(0, host, cb): cb, listening event, address() shape, listening flag', async () => {
    const s = make(impl);
    const events: string[] = [];
    s.on('listening', () => events.push('listening'));
    const ret = await new Promise<unknown>((resolve) => {
      const r = s.listen(0, '127.0.0.1', () => {
        events.push('cb');
        resolve(r);
      });
    });
    expect(ret).toBe(s);
    expect(events.sort()).toEqual(['cb', 'listening']);
    expect(s.listening).toBe(true);
    const a = s.address() as net.AddressInfo;
    expect(Object.keys(a).sort()).toEqual(['address', 'family', 'port']);
    expect(a.address).toBe('127.0.0.1');
    expect(a.family).toBe('IPv4');
    expect(a.port).toBeGreaterThan(0);
    const r = await request(a.port);
    expect(r.body.toString()).toBe('ok');
  });

  test('listen(0) with no host: address and family as node:http', async () => {
    const addr = async (i: Impl) => {
      const s = make(i);
      await within(new Promise<void>((r) => s.listen(0, r)), 3000, 'listen');
      const a = s.address() as net.AddressInfo;
      return { address: a.address, family: a.family, keys: Object.keys(a).sort(), port: a.port };
    };
    const ref = await addr(nodeImpl);
    const got = await addr(impl);
    expect(ref.address).toBe('::');
    expect({ ...got, port: 0 }).toEqual({ ...ref, port: 0 });
    expect(got.port).toBeGreaterThan(0);
    // reachable over IPv4 loopback too (dual-stack), as node's is
    const r = await request(got.port);
    expect(r.statusCode).toBe(200);
  });

  test('listen(port, host, cb) on a chosen port', async () => {
    const port = await freePort();
    const s = make(impl);
    await within(new Promise<void>((r) => s.listen(port, '127.0.0.1', r)), 3000, 'listen');
    expect((s.address() as net.AddressInfo).port).toBe(port);
    expect((await request(port)).statusCode).toBe(200);
  });

  test('listen(port, host, backlog, cb)', async () => {
    const s = make(impl);
    await within(new Promise<void>((r) => s.listen(0, '127.0.0.1', 10, r)), 3000, 'listen');
    const a = s.address() as net.AddressInfo;
    expect(a.address).toBe('127.0.0.1');
    expect((await request(a.port)).statusCode).toBe(200);
  });

  test('listen({port, host}, cb) options form', async () => {
    const s = make(impl);
    await within(new Promise<void>((r) => s.listen({ port: 0, host: '127.0.0.1' }, r)), 3000, 'listen');
    const a = s.address() as net.AddressInfo;
    expect(a.family).toBe('IPv4');
    expect((await request(a.port)).statusCode).toBe(200);
  });

  test('listen(0, "::1") gives an IPv6 address()', async () => {
    const s = make(impl);
    await within(new Promise<void>((r) => s.listen(0, '::1', r)), 3000, 'listen');
    const a = s.address() as net.AddressInfo;
    expect({ address: a.address, family: a.family }).toEqual({ address: '::1', family: 'IPv6' });
  });

  test('listen(path) on a Unix domain socket: address() is the path; requests work', async () => {
    const sockPath = path.join(os.tmpdir(), `uvhttp-test-${process.pid}-${impl.name}-${Date.now()}.sock`);
    const s = make(impl);
    try {
      await within(new Promise<void>((r, j) => {
        s.once('error', j);
        s.listen(sockPath, () => r());
      }), 3000, 'listen(path)');
      expect(s.address()).toBe(sockPath);
      const body = await new Promise<string>((resolve, reject) => {
        const rq = nodeHttp.request({ socketPath: sockPath, path: '/', agent: false }, (res) => {
          let d = '';
          res.on('data', (c) => (d += c));
          res.on('end', () => resolve(d));
        });
        rq.on('error', reject);
        rq.setTimeout(2000, () => rq.destroy(new Error('timeout')));
        rq.end();
      });
      expect(body).toBe('ok');
    } finally {
      await closeServer(s);
      fs.rmSync(sockPath, { force: true });
    }
  });

  test("'listening' event without a callback", async () => {
    const s = make(impl);
    const p = onceEvent(s, 'listening');
    s.listen(0, '127.0.0.1');
    expect(await p).toEqual([]);
    expect(s.listening).toBe(true);
  });

  test("'request' listeners added with on('request')", async () => {
    const s = impl.http.createServer();
    extra.push(s);
    s.on('request', (_q: http.IncomingMessage, r: http.ServerResponse) => r.end('via on'));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const res = await request((s.address() as net.AddressInfo).port);
    expect(res.body.toString()).toBe('via on');
  });

  test("'connection' event gets the socket before 'request'", async () => {
    const order: string[] = [];
    let sock: net.Socket | undefined;
    const { server, port } = await startServer(impl, (req, res) => {
      order.push(req.socket === sock ? 'request (same socket)' : 'request (different socket)');
      res.end();
    }, {
      setup: (s) =>
        s.on('connection', (socket: net.Socket) => {
          order.push('connection');
          sock = socket;
        }),
    });
    const r = await exchange({ port, send: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', responses: 1, graceMs: 10 });
    expect(r.responses[0].statusCode).toBe(200);
    expect(order).toEqual(['connection', 'request (same socket)']);
    expect(sock!.remoteAddress).toBe('127.0.0.1');
    expect(typeof sock!.remotePort).toBe('number');
    expect(sock!.localPort).toBe(port);
    expect(server.listening).toBe(true);
  });

  test('close(cb) with no connections: cb then listening false, close event', async () => {
    const { server } = await startServer(impl);
    const events: string[] = [];
    server.on('close', () => events.push('close event'));
    await within(new Promise<void>((r) => server.close(() => {
      events.push('cb');
      r();
    })), 3000, 'close cb');
    await delay(10);
    expect(server.listening).toBe(false);
    expect(server.address()).toBeNull();
    expect(events.sort()).toEqual(['cb', 'close event']);
  });

  test('close() stops accepting new connections', async () => {
    const { server, port } = await startServer(impl);
    await within(new Promise<void>((r) => server.close(() => r())), 3000, 'close');
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve(null);
      });
      s.on('error', (e) => resolve(e));
    });
    expect(err?.code).toBe('ECONNREFUSED');
  });

  test('close() on a server that is not listening: cb gets ERR_SERVER_NOT_RUNNING', async () => {
    const shape = async (i: Impl) => {
      const s = make(i);
      const e = await within(new Promise<NodeJS.ErrnoException | undefined>((r) => s.close((err) => r(err))), 2000, 'close cb');
      return { code: e?.code, name: e?.name, message: e?.message };
    };
    const ref = await shape(nodeImpl);
    expect(ref.code).toBe('ERR_SERVER_NOT_RUNNING');
    expect(await shape(impl)).toEqual(ref);
  });

  test('listen() twice throws ERR_SERVER_ALREADY_LISTEN', async () => {
    const shape = async (i: Impl) => {
      const s = make(i);
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      try {
        s.listen(0, '127.0.0.1');
        return 'no throw';
      } catch (e) {
        return { code: (e as NodeJS.ErrnoException).code, message: (e as Error).message };
      }
    };
    const ref = await shape(nodeImpl);
    expect(ref).toMatchObject({ code: 'ERR_SERVER_ALREADY_LISTEN' });
    expect(await shape(impl)).toEqual(ref);
  });

  test('close() closes idle keep-alive connections and then calls back', async () => {
    const { server, port } = await startServer(impl, (_q, r) => r.end('ok'));
    const sock = await connectRaw(port);
    sockets.push(sock);
    sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await delay(50); // response sent, connection idle (keep-alive)
    const closedCb = within(new Promise<void>((r) => server.close(() => r())), 3000, 'close cb');
    expect(await waitClosed(sock, 2000)).toBe(true);
    await closedCb;
  });

  test('close() waits for an in-flight request; its response is as node sends it', async () => {
    async function observe(i: Impl) {
      const events: string[] = [];
      let server!: http.Server;
      const started = await startServer(i, (_req, res) => {
        events.push('request');
        server.close(() => events.push('close cb'));
        setTimeout(() => {
          events.push('respond');
          res.end('late');
        }, 100);
      });
      server = started.server;
      const r = await exchange({ port: started.port, send: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', responses: 1, graceMs: 200, timeoutMs: 3000 });
      await delay(50);
      return { events, bytes: r.masked, closed: r.closed };
    }
    const ref = await observe(nodeImpl);
    expect(ref.events).toEqual(['request', 'respond', 'close cb']);
    expect(await observe(impl)).toEqual(ref);
  });

  test('closeIdleConnections() closes idle keep-alive sockets only', async () => {
    const { server, port } = await startServer(impl, (req, res) => {
      if (req.url === '/busy') return; // never answered: stays active
      res.end('ok');
    });
    const idle = await connectRaw(port);
    const busy = await connectRaw(port);
    sockets.push(idle, busy);
    idle.write('GET /idle HTTP/1.1\r\nHost: x\r\n\r\n');
    busy.write('GET /busy HTTP/1.1\r\nHost: x\r\n\r\n');
    await delay(80);
    server.closeIdleConnections();
    expect(await waitClosed(idle, 1000)).toBe(true);
    expect(await waitClosed(busy, 300)).toBe(false);
    expect(server.listening).toBe(true);
  });

  test("'close' is emitted only after active connections end (closeAllConnections)", async () => {
    const { server, port } = await startServer(impl, () => undefined /* never answers */);
    const sock = await connectRaw(port);
    sockets.push(sock);
    sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await delay(50);
    let closed = false;
    server.on('close', () => (closed = true));
    server.close();
    await delay(100);
    expect(closed).toBe(false); // a request is in flight
    expect(server.listening).toBe(false);
    server.closeAllConnections();
    expect(await waitClosed(sock, 2000)).toBe(true);
    await delay(50);
    expect(closed).toBe(true);
  });

  // net.Server counts a connection out in socket.destroy() and emits 'close' on the next tick
  // once none is left; each socket's 'close' (and with it the request's 'aborted' and the
  // response's 'close') waits for its handle to close, later.
  async function observeCloseAll(i: Impl): Promise<string[]> {
    const events: string[] = [];
    const { server, port } = await startServer(
      i,
      (req, res) => {
        events.push(`request ${req.url}`);
        req.on('aborted', () => events.push(`aborted ${req.url}`));
        res.on('close', () => events.push(`res close ${req.url}`));
      },
      { setup: (s) => s.on('connection', (socket) => socket.on('close', () => events.push('socket close'))) },
    );
    for (const url of ['/a', '/b']) {
      const socket = await connectRaw(port);
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.write(`GET ${url} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await delay(50);
    }
    server.close(() => events.push('server close'));
    server.closeAllConnections();
    events.push('closed all');
    await delay(300);
    return events;
  }

  test("closeAllConnections(): the server's 'close' comes before the destroyed sockets' 'close'", async () => {
    const closes = (events: string[]) => events.filter((e) => e === 'closed all' || e === 'server close' || e === 'socket close');
    const ref = await observeCloseAll(nodeImpl);
    expect(closes(ref)).toEqual(['closed all', 'server close', 'socket close', 'socket close']);
    expect(closes(await observeCloseAll(impl))).toEqual(closes(ref));
  });

  test("closeAllConnections(): per connection, the request's 'aborted', the socket's 'close', then the response's", async () => {
    const ref = await observeCloseAll(nodeImpl);
    expect(ref.slice(4)).toEqual(['aborted /b', 'socket close', 'res close /b', 'aborted /a', 'socket close', 'res close /a']);
    expect(await observeCloseAll(impl)).toEqual(ref);
  });

  test('EADDRINUSE: error event with the shape node gives', async () => {
    const holder = nodeHttp.createServer();
    extra.push(holder);
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as net.AddressInfo).port;
    const run = async (i: Impl) => {
      const s = make(i);
      const p = onceEvent<NodeJS.ErrnoException>(s, 'error', 3000);
      let cbCalled = false;
      s.listen(port, '127.0.0.1', () => (cbCalled = true));
      const [err] = await p;
      await delay(20);
      return { ...errorShape(err), cbCalled, listening: s.listening };
    };
    const ref = await run(nodeImpl);
    expect(ref).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', address: '127.0.0.1', port, cbCalled: false, listening: false });
    expect(await run(impl)).toEqual(ref);
  });

  test("server.setTimeout: an idle connection times out; without a 'timeout' listener it is destroyed", async () => {
    async function o(i: Impl) {
      const { server, port } = await startServer(i, (_q, r) => r.end('ok'));
      server.setTimeout(150);
      const sock = await connectRaw(port);
      sockets.push(sock);
      const t0 = Date.now();
      const closed = await waitClosed(sock, 2000);
      return { closed, fast: Date.now() - t0 < 1500 };
    }
    const ref = await o(nodeImpl);
    expect(ref).toEqual({ closed: true, fast: true });
    expect(await o(impl)).toEqual(ref);
  });

  test("server 'timeout' event gets the socket; the listener decides (here: keep it)", async () => {
    async function o(i: Impl) {
      let timeouts = 0;
      let sameSocket = false;
      let connSock: net.Socket | undefined;
      const { server, port } = await startServer(i, (_q, r) => r.end('ok'), {
        setup: (s) => s.on('connection', (c: net.Socket) => (connSock = c)),
      });
      server.setTimeout(100, (socket: net.Socket) => {
        timeouts++;
        sameSocket = socket === connSock;
      });
      const sock = await connectRaw(port);
      sockets.push(sock);
      // README: timeouts are checked by a 250 ms sweep, so allow 100 + 250 ms and a margin
      const closed = await waitClosed(sock, 700);
      // still usable after the timeout
      const r = await new Promise<string>((resolve) => {
        let d = '';
        sock.on('data', (x) => {
          d += x.toString('latin1');
          if (d.endsWith('ok')) resolve(d.split('\r\n')[0]);
        });
        sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
        setTimeout(() => resolve('no answer'), 1000);
      });
      return { closed, timedOutAtLeastOnce: timeouts >= 1, sameSocket, r };
    }
    const ref = await o(nodeImpl);
    expect(ref).toEqual({ closed: false, timedOutAtLeastOnce: true, sameSocket: true, r: 'HTTP/1.1 200 OK' });
    expect(await o(impl)).toEqual(ref);
  });

  test("headersTimeout with a 'clientError' listener: it gets ERR_HTTP_REQUEST_TIMEOUT", async () => {
    async function o(i: Impl) {
      const seen: unknown[] = [];
      const { port } = await startServer(i, (_q, r) => r.end('ok'), {
        serverOptions: { headersTimeout: 200, requestTimeout: 400, connectionsCheckingInterval: 50 } as http.ServerOptions,
        setup: (s) =>
          s.on('clientError', (e: NodeJS.ErrnoException, socket: net.Socket) => {
            seen.push([e.code, e.message]);
            socket.destroy();
          }),
      });
      const r = await exchange({ port, send: 'GET / HTTP/1.1\r\nHost: x\r\n', timeoutMs: 2000 });
      return { seen, closed: r.closed, bytes: r.raw.toString('latin1') };
    }
    const ref = await o(nodeImpl);
    expect(ref.seen).toEqual([['ERR_HTTP_REQUEST_TIMEOUT', 'Request timeout']]);
    expect(await o(impl)).toEqual(ref);
  });

  test("maxConnections: connections over the limit are dropped ('drop' event)", async () => {
    async function o(i: Impl) {
      const drops: unknown[] = [];
      const { server, port } = await startServer(i, () => undefined /* keep the first busy */, {
        setup: (s) => s.on('drop', (d: { localPort?: number; remoteAddress?: string }) => drops.push(typeof d === 'object' && d !== null ? Object.keys(d).sort() : d)),
      });
      server.maxConnections = 1;
      const first = await connectRaw(port);
      sockets.push(first);
      first.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      await delay(50);
      const second = await exchange({ port, send: 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', timeoutMs: 1000 });
      await delay(20);
      return { secondClosed: second.closed, secondBytes: second.raw.length, drops };
    }
    const ref = await o(nodeImpl);
    expect(ref.secondClosed).toBe(true);
    expect(ref.secondBytes).toBe(0);
    expect(await o(impl)).toEqual(ref);
  });

  test('server.ref()/unref() return the server; setTimeout sets timeout', () => {
    const s = make(impl);
    expect(s.unref()).toBe(s);
    expect(s.ref()).toBe(s);
    const ret = s.setTimeout(1234);
    expect(ret).toBe(s);
    expect(s.timeout).toBe(1234);
  });
});
