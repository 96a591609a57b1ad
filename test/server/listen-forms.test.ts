// server.listen() in every form Node accepts (issue 9 items 2 and 4), compared with node:http:
// argument shapes, what `listening` says before and after, the address, that the socket serves,
// Node's errors thrown and emitted (code, message, errno, syscall, address, port, own keys),
// listen(handle) and listen(netServer) taking over a socket, listen({ fd }) on descriptors of
// every kind (in child processes, which own the descriptor as a service would), systemd socket
// activation, and listen({ signal }).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodeHttp from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { types } from 'node:util';
import { candidates, nodeImpl, type Impl } from '../helpers/impls';
import { delay, within } from '../helpers/server';
import type * as http from 'node:http';

jest.setTimeout(20000);

const ROOT = path.resolve(__dirname, '..', '..');
const FD_SERVER = path.join(__dirname, '..', 'fixtures', 'apps', 'fd-server.js');

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tmpPath(label: string): string {
  const file = path.join(os.tmpdir(), `uvhttp-listen-${process.pid}-${label}-${Math.random().toString(36).slice(2)}.sock`);
  cleanups.push(() => fs.rmSync(file, { force: true }));
  return file;
}

function closeQuietly(server: net.Server): Promise<void> {
  return within(new Promise<void>((resolve) => {
    (server as http.Server).closeAllConnections?.();
    server.close(() => resolve());
  }), 3000, 'close');
}

function make(impl: Impl): http.Server {
  const server = impl.http.createServer((req, res) => res.end(`served ${req.url}`));
  cleanups.push(() => closeQuietly(server));
  return server;
}

async function netServer(...args: unknown[]): Promise<net.Server & { accepted: number }> {
  const server = net.createServer((socket) => {
    server.accepted++;
    socket.destroy();
  }) as net.Server & { accepted: number };
  server.accepted = 0;
  await within(new Promise<void>((resolve) => server.listen(...(args as [number]), () => resolve())), 3000, 'net listen');
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

interface ErrorShape {
  isError: boolean;
  name: string;
  code: unknown;
  errno: unknown;
  syscall: unknown;
  address: unknown;
  port: unknown;
  message: string;
  keys: string[];
}

function errorShape(error: unknown, port?: number): ErrorShape {
  const e = error as NodeJS.ErrnoException & { address?: unknown; port?: unknown };
  const mask = (text: string) => (port ? text.split(String(port)).join('PORT') : text);
  return {
    isError: types.isNativeError(e),
    name: e.name,
    code: e.code,
    errno: e.errno,
    syscall: e.syscall,
    address: e.address,
    port: port !== undefined && e.port === port ? 'PORT' : e.port,
    message: mask(e.message),
    keys: Object.keys(e),
  };
}

/** One request on its own connection: the body, or the error's code. */
function fetchOnce(target: { host?: string; port?: number; socketPath?: string }, urlPath = '/'): Promise<string> {
  return new Promise((resolve) => {
    const req = nodeHttp.get({ ...target, path: urlPath, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.setTimeout(3000, () => req.destroy(new Error('client timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

interface Observation {
  threw?: ErrorShape;
  returnedServer?: boolean;
  listeningAfterCall: boolean;
  listenersAdded: number;
  events: string[];
  error?: ErrorShape;
  address?: unknown;
  listeningInEvent?: boolean;
  ipv4?: string;
  ipv6?: string;
  local?: string;
  after?: unknown;
}

/**
 * Calls `call(server)` (a listen in some form) and records what a user sees: whether it threw,
 * `listening` right after, the events that follow, address() (port masked), and whether the
 * socket serves over IPv4 and IPv6 loopback (TCP) or its path (local).
 */
async function observe(
  impl: Impl,
  call: (server: http.Server) => unknown,
  opts: { port?: number; socketPath?: string; after?: (server: http.Server) => Promise<unknown> } = {},
): Promise<Observation> {
  const server = make(impl);
  const events: string[] = [];
  const settled = new Promise<void>((resolve) => {
    server.once('listening', () => resolve());
    server.once('error', () => resolve());
    setTimeout(resolve, 1500);
  });
  let errorSeen: unknown;
  let listeningInEvent: boolean | undefined;
  server.on('listening', () => {
    events.push('listening');
    listeningInEvent = server.listening;
  });
  server.on('error', (error) => {
    events.push('error');
    errorSeen = error;
  });
  server.on('close', () => events.push('close'));
  const observation: Observation = { listeningAfterCall: false, listenersAdded: 0, events };
  const before = server.listenerCount('listening');
  try {
    const returned = call(server);
    observation.returnedServer = returned === server;
  } catch (error) {
    observation.threw = errorShape(error, opts.port);
  }
  observation.listeningAfterCall = server.listening;
  observation.listenersAdded = server.listenerCount('listening') - before;
  if (observation.threw === undefined) await settled;
  await delay(20);
  if (errorSeen !== undefined) observation.error = errorShape(errorSeen, opts.port);
  observation.listeningInEvent = listeningInEvent;
  if (server.listening) {
    const address = server.address();
    if (address !== null && typeof address === 'object') {
      observation.address = { ...address, port: address.port > 0 ? 'PORT' : address.port };
      observation.ipv4 = await fetchOnce({ host: '127.0.0.1', port: address.port });
      observation.ipv6 = await fetchOnce({ host: '::1', port: address.port });
    } else {
      observation.address = address;
      if (opts.socketPath) observation.local = await fetchOnce({ socketPath: opts.socketPath });
    }
  }
  if (opts.after) observation.after = await opts.after(server);
  return observation;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe.each(candidates.map((i) => [i.name, i] as const))('listen forms: %s against node:http', (_name, impl) => {
  async function same(call: (server: http.Server, port: number) => unknown, check?: (o: Observation) => void, portFor?: () => Promise<number>) {
    const nodePort = portFor ? await portFor() : 0;
    const ref = await observe(nodeImpl, (s) => call(s, nodePort), { port: nodePort || undefined });
    check?.(ref);
    const port = portFor ? await portFor() : 0;
    const got = await observe(impl, (s) => call(s, port), { port: port || undefined });
    expect(got).toEqual(ref);
    return ref;
  }

  describe('argument shapes', () => {
    const shapes: Array<[string, (s: http.Server, port: number) => unknown]> = [
      ['listen()', (s) => s.listen()],
      ['listen(cb)', (s) => s.listen(() => undefined)],
      ['listen(null)', (s) => s.listen(null as unknown as number)],
      ['listen(undefined, cb)', (s) => s.listen(undefined, () => undefined)],
      ['listen(0)', (s) => s.listen(0)],
      ["listen('0')", (s) => s.listen('0' as unknown as number)],
      ["listen(' 0 ', cb)", (s) => s.listen(' 0 ' as unknown as number, () => undefined)],
      ['listen(0, cb)', (s) => s.listen(0, () => undefined)],
      ["listen(0, '127.0.0.1')", (s) => s.listen(0, '127.0.0.1')],
      ["listen(0, '127.0.0.1', 10, cb)", (s) => s.listen(0, '127.0.0.1', 10, () => undefined)],
      ['listen(0, 10, cb): a backlog, not a host', (s) => s.listen(0, 10, () => undefined)],
      ["listen(0, '::1')", (s) => s.listen(0, '::1')],
      ["listen(0, 'localhost')", (s) => s.listen(0, 'localhost')],
      ['listen(0, 123): a host that is not a string is ignored', (s) => s.listen(0, 123 as unknown as string)],
      ["listen(0, ''): no host", (s) => s.listen(0, '')],
      ['listen({ port: 0 })', (s) => s.listen({ port: 0 })],
      ["listen({ port: '0' })", (s) => s.listen({ port: '0' })],
      ['listen({ port: undefined })', (s) => s.listen({ port: undefined })],
      ['listen({ port: null })', (s) => s.listen({ port: null } as unknown as net.ListenOptions)],
      ["listen({ port: 0, host: '127.0.0.1', backlog: 5, exclusive: true })", (s) => s.listen({ port: 0, host: '127.0.0.1', backlog: 5, exclusive: true })],
      ["listen({ port: 0, host: '::', ipv6Only: true }): no IPv4", (s) => s.listen({ port: 0, host: '::', ipv6Only: true })],
      ["listen({ port: 0, host: '::', ipv6Only: false })", (s) => s.listen({ port: 0, host: '::', ipv6Only: false })],
      ['listen({ port: 0, ipv6Only: true }): without a host Node ignores ipv6Only', (s) => s.listen({ port: 0, ipv6Only: true })],
      ["listen({ port: 0, host: '127.0.0.1' }, cb)", (s) => s.listen({ port: 0, host: '127.0.0.1' }, () => undefined)],
    ];
    test.each(shapes)('%s', async (_label, call) => {
      const ref = await same(call);
      expect(ref.events[0]).toBe('listening');
    });

    test('a chosen port as a number, a string, a padded string and hex', async () => {
      for (const form of [(p: number) => p, (p: number) => String(p), (p: number) => ` ${p} `, (p: number) => `0x${p.toString(16)}`]) {
        const ref = await same((s, port) => s.listen(form(port) as unknown as number, '127.0.0.1'), undefined, freePort);
        expect(ref.ipv4).toBe('200 served /');
      }
    });

    test("ipv6Only with host '::' refuses IPv4 and serves IPv6", async () => {
      const ref = await same((s) => s.listen({ port: 0, host: '::', ipv6Only: true }));
      expect(ref.ipv4).toBe('ECONNREFUSED');
      expect(ref.ipv6).toBe('200 served /');
    });

    test('listen(path), listen({ path }), and readableAll/writableAll set the mode', async () => {
      for (const form of ['path', 'options', 'modes'] as const) {
        const modes: number[] = [];
        const observations: Observation[] = [];
        for (const i of [nodeImpl, impl]) {
          const socketPath = tmpPath(`${i.name}-${form}`);
          observations.push(await observe(i, (s) => {
            if (form === 'path') return s.listen(socketPath);
            if (form === 'options') return s.listen({ path: socketPath, backlog: 7 });
            return s.listen({ path: socketPath, readableAll: true, writableAll: true });
          }, { socketPath }));
          modes.push(fs.statSync(socketPath).mode & 0o777);
          observations[observations.length - 1].address = (observations[observations.length - 1].address as string).replace(socketPath, 'PATH');
        }
        expect(observations[1]).toEqual(observations[0]);
        expect(observations[0].local).toBe('200 served /');
        expect(modes[1]).toBe(modes[0]);
      }
    });

    test('listening is false until bound: a host waits for its lookup, no host binds at once', async () => {
      const ref = await same((s) => s.listen(0, '127.0.0.1'));
      expect(ref.listeningAfterCall).toBe(false);
      expect(ref.listeningInEvent).toBe(true);
      const ref2 = await same((s) => s.listen(0));
      expect(ref2.listeningAfterCall).toBe(true);
    });

    test('close() while the lookup is pending: never listens, close(cb) says not running', async () => {
      const run = async (i: Impl) => {
        const s = make(i);
        const events: string[] = [];
        s.on('listening', () => events.push('listening'));
        s.listen(0, 'localhost');
        const error = await within(new Promise<Error | undefined>((resolve) => s.close((e) => resolve(e))), 3000, 'close cb');
        await delay(100);
        return { events, code: (error as NodeJS.ErrnoException | undefined)?.code, listening: s.listening };
      };
      const ref = await run(nodeImpl);
      expect(ref).toEqual({ events: [], code: 'ERR_SERVER_NOT_RUNNING', listening: false });
      expect(await run(impl)).toEqual(ref);
    });

    test('a second listen() while the first waits for its lookup supersedes it', async () => {
      const run = async (i: Impl) => {
        const s = make(i);
        let count = 0;
        s.on('listening', () => count++);
        s.listen(0, 'localhost');
        s.listen(0, '127.0.0.1');
        await delay(200);
        return { count, address: (s.address() as net.AddressInfo).address };
      };
      const ref = await run(nodeImpl);
      expect(ref).toEqual({ count: 1, address: '127.0.0.1' });
      expect(await run(impl)).toEqual(ref);
    });

    test('two servers with reusePort on one port: both serve (Node 22.12+), or the second gets EADDRINUSE (Node 20)', async () => {
      const run = async (i: Impl): Promise<{ first: string; second: string; servedBy: string[] }> => {
        const tagged = (tag: string): http.Server => {
          const server = i.http.createServer((_req, res) => res.end(tag));
          cleanups.push(() => closeQuietly(server));
          return server;
        };
        const a = tagged('a');
        const b = tagged('b');
        const listen = (server: http.Server, port: number) =>
          within(
            new Promise<string>((resolve) => {
              server.once('error', (error) => resolve(`${(error as NodeJS.ErrnoException).code} ${(error as NodeJS.ErrnoException).syscall}`));
              server.listen({ port, host: '127.0.0.1', reusePort: true } as net.ListenOptions, () => resolve('listening'));
            }),
            3000,
            `${i.name} listen`,
          );
        const first = await listen(a, 0);
        const port = (a.address() as net.AddressInfo).port;
        const second = await listen(b, port);
        const servedBy = new Set<string>();
        // The kernel spreads new connections over both sockets by a hash of the client's port.
        for (let n = 0; n < 40 && servedBy.size < 2; n++) servedBy.add(await fetchOnce({ host: '127.0.0.1', port }));
        return { first, second, servedBy: [...servedBy].sort() };
      };
      const ref = await run(nodeImpl);
      expect(ref.first).toBe('listening');
      expect(await run(impl)).toEqual(ref);
    });

    test('listen again after close', async () => {
      await same(async (s) => {
        s.listen(0, '127.0.0.1');
        await new Promise((resolve) => s.once('listening', resolve));
        await new Promise((resolve) => s.close(resolve));
        s.listen(0, '127.0.0.1');
      });
    });
  });

  describe("Node's errors", () => {
    const thrown: Array<[string, (s: http.Server) => unknown]> = [
      ['listen(-1)', (s) => s.listen(-1)],
      ['listen(65536)', (s) => s.listen(65536)],
      ['listen(1.5)', (s) => s.listen(1.5)],
      ['listen(NaN)', (s) => s.listen(NaN)],
      ["listen(' ')", (s) => s.listen(' ' as unknown as number)],
      ["listen({ port: 'abc' }, cb): the callback is registered first", (s) => s.listen({ port: 'abc' }, () => undefined)],
      ["listen({ port: '' })", (s) => s.listen({ port: '' } as unknown as net.ListenOptions)],
      ['listen({ port: 70000 })', (s) => s.listen({ port: 70000 })],
      ['listen({ port: -5 })', (s) => s.listen({ port: -5 })],
      ['listen({ port: true })', (s) => s.listen({ port: true } as unknown as net.ListenOptions)],
      ['listen({})', (s) => s.listen({})],
      ["listen({ host: '127.0.0.1' })", (s) => s.listen({ host: '127.0.0.1' })],
      ['listen({ fd: -1 })', (s) => s.listen({ fd: -1 })],
      ["listen({ path: '123' }): a numeric path", (s) => s.listen({ path: '123' })],
      ['listen({ port: 0, host: 5 })', (s) => s.listen({ port: 0, host: 5 } as unknown as net.ListenOptions)],
      ["listen({ port: 0, signal: 'x' })", (s) => s.listen({ port: 0, signal: 'x' } as unknown as net.ListenOptions)],
      ['listen({ port: 0, signal: null })', (s) => s.listen({ port: 0, signal: null } as unknown as net.ListenOptions)],
      ['an abstract socket with readableAll', (s) => s.listen({ path: '\0uvhttp-abstract', readableAll: true })],
    ];
    test.each(thrown)('%s throws as Node does', async (_label, call) => {
      const ref = await same(call);
      expect(ref.threw?.code).toBeDefined();
    });

    test('listen() while listening: ERR_SERVER_ALREADY_LISTEN, the callback not registered', async () => {
      const run = async (i: Impl) => {
        const s = make(i);
        await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
        const before = s.listenerCount('listening');
        try {
          s.listen(0, () => undefined);
          return 'no throw';
        } catch (error) {
          return { ...errorShape(error), added: s.listenerCount('listening') - before };
        }
      };
      const ref = await run(nodeImpl);
      expect(ref).toMatchObject({ code: 'ERR_SERVER_ALREADY_LISTEN', added: 0 });
      expect(await run(impl)).toEqual(ref);
    });

    test('EADDRINUSE with and without a host, and on a local socket path', async () => {
      const holder = await netServer(0);
      const port = (holder.address() as net.AddressInfo).port;
      const withHost = await same((s) => s.listen(port, '127.0.0.1'), undefined, async () => port);
      expect(withHost.error).toMatchObject({ code: 'EADDRINUSE', syscall: 'listen', address: '127.0.0.1', port: 'PORT' });
      const anyAddress = await same((s) => s.listen(port), undefined, async () => port);
      expect(anyAddress.error).toMatchObject({ code: 'EADDRINUSE', address: '::' });
      const socketPath = tmpPath('in-use');
      fs.writeFileSync(socketPath, '');
      const local = await same((s) => s.listen(socketPath));
      expect(local.error).toMatchObject({ code: 'EADDRINUSE', address: socketPath, port: -1 });
    });

    test("a bind that fails (an address not on this machine) is reported as 'listen'", async () => {
      // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a host, so bind fails locally.
      const ref = await same((s) => s.listen(0, '192.0.2.1'));
      expect(ref.error).toMatchObject({ code: 'EADDRNOTAVAIL', syscall: 'listen', address: '192.0.2.1' });
    });

    test('listen({ fd }) on a file, on a descriptor that is not open, and on non-int32 numbers: EINVAL', async () => {
      const file = fs.openSync(__filename, 'r');
      cleanups.push(() => fs.closeSync(file));
      for (const fd of [file, 4000, 2 ** 31, 3.5]) {
        const ref = await same((s) => s.listen({ fd }));
        expect(ref.error).toMatchObject({ code: 'EINVAL', syscall: 'listen', address: null, message: 'listen EINVAL: invalid argument' });
      }
      // the file was left open, as Node leaves it
      expect(fs.fstatSync(file).isFile()).toBe(true);
    });
  });

  describe('listen(handle) and listen(netServer)', () => {
    const forms: Array<[string, (s: http.Server, holder: net.Server) => unknown]> = [
      ['listen(netServer)', (s, holder) => s.listen(holder)],
      ['listen(netServer._handle)', (s, holder) => s.listen((holder as unknown as { _handle: object })._handle)],
      ['listen({ handle: netServer._handle })', (s, holder) => s.listen({ handle: (holder as unknown as { _handle: object })._handle } as unknown as net.ListenOptions)],
      ['listen({ _handle })', (s, holder) => s.listen({ _handle: (holder as unknown as { _handle: object })._handle } as unknown as net.ListenOptions)],
    ];
    test.each(forms)('%s takes over the listening socket: every connection is served by the http server', async (_label, call) => {
      const run = async (i: Impl) => {
        const holder = await netServer(0, '127.0.0.1');
        const { port } = holder.address() as net.AddressInfo;
        const observation = await observe(i, (s) => call(s, holder));
        const answers: string[] = [];
        for (let n = 0; n < 6; n++) answers.push(await fetchOnce({ host: '127.0.0.1', port }));
        return { observation, answers: [...new Set(answers)], accepted: holder.accepted, holderAddress: (holder.address() as net.AddressInfo).port === port };
      };
      const ref = await run(nodeImpl);
      expect(ref.answers).toEqual(['200 served /']);
      expect(ref.observation.listeningAfterCall).toBe(true);
      expect(await run(impl)).toEqual(ref);
    });

    test('closing the server closes the taken-over socket (as on Node, where the handle is shared)', async () => {
      const run = async (i: Impl) => {
        const holder = await netServer(0, '127.0.0.1');
        const { port } = holder.address() as net.AddressInfo;
        return observe(i, (s) => s.listen(holder), {
          after: async (s) => {
            await closeQuietly(s);
            let holderAddress: string;
            try {
              holderAddress = JSON.stringify(holder.address());
            } catch (error) {
              holderAddress = (error as NodeJS.ErrnoException).code ?? 'threw';
            }
            return { answer: await fetchOnce({ host: '127.0.0.1', port }), holderListening: holder.listening, holderAddress };
          },
        });
      };
      const ref = await run(nodeImpl);
      expect(ref.after).toMatchObject({ answer: 'ECONNREFUSED', holderAddress: 'EBADF' });
      expect(await run(impl)).toEqual(ref);
    });

    test('a bound, not yet listening handle (net._createServerHandle): served, released on close', async () => {
      const run = async (i: Impl) => {
        const handle = (net as unknown as { _createServerHandle(a: string, p: number, t: number): { getsockname(o: object): number } })._createServerHandle('127.0.0.1', 0, 4);
        const out: { port?: number } = {};
        handle.getsockname(out);
        return observe(i, (s) => s.listen(handle), {
          port: out.port,
          after: async (s) => {
            await closeQuietly(s);
            return fetchOnce({ host: '127.0.0.1', port: out.port });
          },
        });
      };
      const ref = await run(nodeImpl);
      expect(ref).toMatchObject({ ipv4: '200 served /', after: 'ECONNREFUSED' });
      expect(await run(impl)).toEqual(ref);
    });

    test('listen(netServer) on a local socket: EEXIST, as Node (its descriptor is already watched)', async () => {
      const ref = await same(async (s) => s.listen(await netServer(tmpPath('pipe-holder'))));
      expect(ref.error).toMatchObject({ code: 'EEXIST', syscall: 'listen', address: null });
    });

    test('listen(connectedSocket): EINVAL with port -1', async () => {
      const run = async (i: Impl) => {
        const peer = await netServer(0, '127.0.0.1');
        const socket = net.connect((peer.address() as net.AddressInfo).port, '127.0.0.1');
        cleanups.push(() => socket.destroy());
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.on('error', () => undefined);
        return observe(i, (s) => s.listen(socket));
      };
      const ref = await run(nodeImpl);
      expect(ref.error).toMatchObject({ code: 'EINVAL', address: null, port: -1 });
      expect(await run(impl)).toEqual(ref);
    });
  });

  describe('listen({ signal })', () => {
    test('abort closes the server', async () => {
      const run = async (i: Impl) => {
        const controller = new AbortController();
        return observe(i, (s) => s.listen({ port: 0, host: '127.0.0.1', signal: controller.signal }), {
          after: async (s) => {
            const { port } = s.address() as net.AddressInfo;
            controller.abort();
            await delay(50);
            return { listening: s.listening, answer: await fetchOnce({ host: '127.0.0.1', port }) };
          },
        });
      };
      const ref = await run(nodeImpl);
      expect(ref).toMatchObject({ events: ['listening', 'close'], after: { listening: false, answer: 'ECONNREFUSED' } });
      expect(await run(impl)).toEqual(ref);
    });

    test('an aborted signal closes the server before it emits listening', async () => {
      const run = async (i: Impl) => {
        const s = make(i);
        const events: string[] = [];
        s.on('listening', () => events.push('listening'));
        s.on('close', () => events.push('close'));
        s.listen({ port: 0, signal: AbortSignal.abort() });
        const listeningAfterCall = s.listening;
        await delay(50);
        return { events, listeningAfterCall, listening: s.listening };
      };
      const ref = await run(nodeImpl);
      expect(ref.events).toEqual(['close']);
      expect(await run(impl)).toEqual(ref);
    });
  });

  describe('listen({ fd }) on an inherited descriptor (a child process that owns it)', () => {
    interface FdRun {
      first: Record<string, unknown>;
      answers: string[];
      last?: Record<string, unknown>;
      afterExit?: string;
    }

    /** Runs fd-server.js with `fd` as its descriptor 3, requests `requests`, closes it. */
    function runFdServer(i: Impl, fd: number | 'pipe' | 'ignore', options: { env?: NodeJS.ProcessEnv; listen?: object; activate?: boolean; connectTo?: { port?: number; socketPath?: string } } = {}): Promise<FdRun> {
      const spec = i.name === 'node' ? 'node:http' : ROOT;
      const args = [FD_SERVER, spec, ...(options.listen ? [JSON.stringify(options.listen)] : [])];
      // As systemd: LISTEN_PID is the service's own pid, known only once it runs; `exec` keeps
      // the shell's. Under scripts/test-arm64.sh the shell cannot exec the arm64 Node itself
      // (test/qemu/exec-foreign.js routes only Node's spawns): it execs the same qemu, which
      // keeps the pid too.
      const qemu = process.env.UVHTTP_QEMU ? [process.env.UVHTTP_QEMU, '-L', process.env.UVHTTP_QEMU_SYSROOT as string] : [];
      const child = options.activate
        ? spawn('/bin/sh', ['-c', 'LISTEN_PID=$$ exec "$0" "$@"', ...qemu, process.execPath, ...args], { stdio: ['pipe', 'pipe', 'inherit', fd], env: { ...process.env, LISTEN_FDS: '1', ...options.env } })
        : spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit', fd], env: { ...process.env, ...options.env } });
      const kill = setTimeout(() => child.kill('SIGKILL'), 10000);
      cleanups.push(() => {
        clearTimeout(kill);
        child.kill('SIGKILL');
      });
      const lines: Array<Record<string, unknown>> = [];
      let waiting: (() => void) | null = null;
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let newline;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buffered.slice(0, newline)));
          buffered = buffered.slice(newline + 1);
          waiting?.();
        }
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const line = (n: number) => within(new Promise<Record<string, unknown>>((resolve) => {
        const check = () => lines.length > n && resolve(lines[n]);
        waiting = check;
        check();
        exited.then(() => setTimeout(() => resolve(lines[n] ?? { event: 'exited' }), 50));
      }), 8000, `line ${n} from fd-server`);
      return (async () => {
        const first = await line(0);
        const result: FdRun = { first, answers: [] };
        if (first.event !== 'listening') return result;
        const address = first.address as net.AddressInfo | null;
        const connectTo = options.connectTo ?? { host: '127.0.0.1', port: address?.port };
        for (let n = 0; n < 3; n++) result.answers.push(await fetchOnce(connectTo, `/${n}`));
        child.stdin!.write('close\n');
        result.last = await line(1);
        await within(exited, 5000, 'fd-server exit');
        result.afterExit = await fetchOnce(connectTo);
        return result;
      })();
    }

    function mask(run: FdRun): FdRun {
      return JSON.parse(JSON.stringify(run).replace(/"port":\d+/g, '"port":"PORT"'));
    }

    /** A socket listening in this process, handed to the child and closed here. */
    async function listeningDescriptor(...args: unknown[]): Promise<{ fd: number; server: net.Server }> {
      const server = await netServer(...args);
      return { fd: (server as unknown as { _handle: { fd: number } })._handle.fd, server };
    }

    test('a listening TCP socket: served, and closed with the server (the port is released)', async () => {
      const results: FdRun[] = [];
      for (const i of [nodeImpl, impl]) {
        const { fd, server } = await listeningDescriptor(0, '127.0.0.1');
        const port = (server as net.Server).address() as net.AddressInfo;
        const run = runFdServer(i, fd);
        // spawn() returns once the child runs with its copy: this process stops listening on its own.
        server.close();
        results.push(mask(await run));
        expect(port.port).toBeGreaterThan(0);
      }
      expect(results[0]).toMatchObject({ first: { event: 'listening', listening: true }, answers: ['200 fd server /0', '200 fd server /1', '200 fd server /2'], afterExit: 'ECONNREFUSED' });
      expect(results[1]).toEqual(results[0]);
    });

    test('systemd socket activation: LISTEN_FDS=1, LISTEN_PID, the socket as fd 3', async () => {
      const results: FdRun[] = [];
      for (const i of [nodeImpl, impl]) {
        const { fd, server } = await listeningDescriptor(0, '127.0.0.1');
        const run = runFdServer(i, fd, { activate: true });
        server.close();
        results.push(mask(await run));
      }
      expect(results[0]).toMatchObject({ first: { event: 'listening', address: { address: '127.0.0.1', family: 'IPv4', port: 'PORT' } }, afterExit: 'ECONNREFUSED' });
      expect(results[0].answers).toEqual(['200 fd server /0', '200 fd server /1', '200 fd server /2']);
      expect(results[1]).toEqual(results[0]);
    });

    test('a bound local socket: served on its path; address() is null as on Node', async () => {
      const results: FdRun[] = [];
      for (const i of [nodeImpl, impl]) {
        const socketPath = tmpPath(`fd-${i.name}`);
        // Bound, not listening: this process accepts nothing on it. Closed at cleanup (which
        // unlinks the path), once the child is done.
        const handle = (net as unknown as { _createServerHandle(a: string, p: number, t: number): { fd: number; close(): void } })._createServerHandle(socketPath, -1, -1);
        cleanups.push(() => handle.close());
        results.push(await runFdServer(i, handle.fd, { connectTo: { socketPath } }));
      }
      expect(results[0]).toMatchObject({ first: { event: 'listening', address: null }, answers: ['200 fd server /0', '200 fd server /1', '200 fd server /2'] });
      expect(results[1]).toEqual(results[0]);
    });

    test('a bound TCP socket that is not listening yet', async () => {
      const results: FdRun[] = [];
      for (const i of [nodeImpl, impl]) {
        const handle = (net as unknown as { _createServerHandle(a: string, p: number, t: number): { fd: number; close(): void } })._createServerHandle('127.0.0.1', 0, 4);
        const run = runFdServer(i, handle.fd);
        handle.close();
        results.push(mask(await run));
      }
      expect(results[0].answers).toEqual(['200 fd server /0', '200 fd server /1', '200 fd server /2']);
      expect(results[1]).toEqual(results[0]);
    });

    test('a connected local socket (a stdio pipe) and no descriptor at all: Node\'s errors', async () => {
      for (const fd of ['pipe', 'ignore'] as const) {
        const ref = await runFdServer(nodeImpl, fd);
        expect(ref.first.event).toBe('error');
        expect(await runFdServer(impl, fd)).toEqual(ref);
      }
    });

    test('a systemd-style service refuses descriptors meant for another process', async () => {
      const { fd, server } = await listeningDescriptor(0, '127.0.0.1');
      void server;
      const run = await runFdServer(impl, fd, { env: { LISTEN_FDS: '1', LISTEN_PID: '1' } });
      expect(run.first.event).toBe('not-activated');
    });
  });
});
