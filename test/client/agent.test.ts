// http.Agent, differentially: each scenario runs with node's Agent and with uvhttp's, driven by
// node:http's ClientRequest against real servers on 127.0.0.1 (see test/helpers/agent-harness),
// and the traces must be equal. Each test also asserts, on node's trace, the facts the scenario
// is about, so that a scenario that did nothing cannot pass by comparing two empty traces.
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { createConnection as nativeCreateConnection } from '../../lib/client-connect';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import * as util from 'node:util';

import * as uvhttp from '../../lib';
import { freeSocketDestroyedOnRead } from '../../lib/node-features';
import { AgentClass, closed, delay, differential, nodeSide, Run, Side, turns, uvSide } from '../helpers/agent-harness';

jest.setTimeout(20_000);

const sides: Side[] = [nodeSide, uvSide];

// The members of Agent beyond @types/node's declaration that the scenarios use.
type PoolAgent = http.Agent & {
  totalSocketCount: number;
  keepAlive: boolean;
  options: Record<string, unknown>;
  addRequest(req: http.ClientRequest, options: Record<string, unknown>, ...legacy: unknown[]): void;
  createSocket(req: http.ClientRequest, options: Record<string, unknown>, cb: (err: Error | null, socket?: net.Socket) => void): void;
  removeSocket(socket: net.Socket, options: Record<string, unknown>): void;
  keepSocketAlive(socket: net.Socket): boolean;
};

function pool(agent: http.Agent): PoolAgent {
  return agent as unknown as PoolAgent;
}

type ConnectCallback = (err: Error | null, stream: Duplex) => void;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { name: e.name, code: e.code, message: e.message, type: e.constructor.name };
  }
  return 'no error';
}

function describeProperties(target: object): unknown[] {
  return Reflect.ownKeys(target)
    .map((key) => {
      const d = Object.getOwnPropertyDescriptor(target, key) as PropertyDescriptor;
      const kind = d.get || d.set ? 'accessor' : typeof d.value;
      return [String(key), kind, d.enumerable, d.writable, d.configurable];
    })
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

function forInKeys(target: object): string[] {
  const keys: string[] = [];
  for (const key in target) keys.push(key);
  return keys;
}

describe('the Agent surface', () => {
  test('constructor, prototype and instance have node\'s properties and descriptors', () => {
    const [node, ours] = sides.map((side) => {
      const agent = new side.Agent({ keepAlive: true });
      return {
        statics: describeProperties(side.Agent),
        prototype: describeProperties(side.Agent.prototype),
        // In creation order: util.inspect and for...in show it.
        instance: Reflect.ownKeys(agent).map(String),
        // Own fields, the Agent methods and EventEmitter's (all enumerable on node).
        forIn: forInKeys(agent).sort(),
        name: side.Agent.name,
        length: side.Agent.length,
        defaultMaxSockets: (side.Agent as unknown as { defaultMaxSockets: number }).defaultMaxSockets,
        methodLengths: Object.fromEntries(
          ['getName', 'addRequest', 'createSocket', 'removeSocket', 'keepSocketAlive', 'reuseSocket', 'destroy'].map((m) => [
            m,
            (side.Agent.prototype as unknown as Record<string, () => void>)[m].length,
          ]),
        ),
        // Node's is net.createConnection; ours is its contract over a native connection
        // (README: compatibility notes).
        createConnectionIsTheDefault:
          side.Agent.prototype.createConnection === (side.name === 'node' ? net.createConnection : nativeCreateConnection),
        emitter: agent instanceof (require('node:events') as typeof import('node:events')).EventEmitter,
        listeners: agent.eventNames(),
        constructorLink: agent.constructor === side.Agent,
      };
    });
    expect(node.instance).toContain('totalSocketCount');
    expect(ours).toEqual(node);
  });

  test('Agent.defaultMaxSockets is read when an agent is made', () => {
    const [node, ours] = sides.map((side) => {
      const statics = side.Agent as unknown as { defaultMaxSockets: number };
      statics.defaultMaxSockets = 3;
      try {
        return [new side.Agent().maxSockets, new side.Agent({ maxSockets: 5 }).maxSockets];
      } finally {
        statics.defaultMaxSockets = Infinity;
      }
    });
    expect(node).toEqual([3, 5]);
    expect(ours).toEqual(node);
  });

  test('util.inspect of an agent is node\'s, for several option sets', () => {
    const optionSets: http.AgentOptions[] = [
      {},
      { keepAlive: true, keepAliveMsecs: 2500, maxSockets: 3, maxFreeSockets: 2, maxTotalSockets: 7, scheduling: 'fifo', timeout: 1234 },
      { noDelay: false, localAddress: '127.0.0.1', family: 4 } as http.AgentOptions,
      { maxSockets: 0, maxFreeSockets: 0, keepAliveMsecs: 0 },
    ];
    for (const options of optionSets) {
      const [node, ours] = sides.map((side) => util.inspect(new side.Agent({ ...options }), { depth: 4 }));
      expect(ours).toBe(node);
    }
  });

  test('invalid options throw node\'s errors', () => {
    const cases: unknown[] = [
      { scheduling: 'random' },
      { scheduling: 'x'.repeat(200) },
      { maxTotalSockets: 0 },
      { maxTotalSockets: -0.5 },
      { maxTotalSockets: NaN },
      { maxTotalSockets: '3' },
      { maxTotalSockets: 'a'.repeat(40) },
      { maxTotalSockets: "it's" },
      { maxTotalSockets: null },
      { maxTotalSockets: [1] },
      { maxTotalSockets: Object.create(null) },
      { maxTotalSockets: () => 1 },
      { maxTotalSockets: 10n },
      { maxTotalSockets: Symbol('s') },
      { maxTotalSockets: 1 },
      { maxTotalSockets: Infinity },
    ];
    for (const options of cases) {
      const [node, ours] = sides.map((side) => thrown(() => new side.Agent(options as http.AgentOptions)));
      expect(ours).toEqual(node);
    }
    expect(thrown(() => new http.Agent({ maxTotalSockets: 0 }))).toMatchObject({ code: 'ERR_OUT_OF_RANGE' });
  });

  test('getName is node\'s for every option that names a pool', () => {
    const cases: unknown[] = [
      undefined,
      {},
      { host: 'example.com' },
      { host: 'example.com', port: 8080 },
      { host: 'example.com', port: '8080' },
      { port: 0 },
      { host: '::1', port: 80, localAddress: '::1' },
      { host: 'a', family: 4 },
      { host: 'a', family: 6 },
      { host: 'a', family: '4' },
      { host: 'a', family: 0 },
      { socketPath: '/tmp/x.sock' },
      { host: 'a', port: 1, localAddress: 'b', family: 6, socketPath: '/s' },
      { hostname: 'ignored', lookup: () => {}, servername: 'also ignored' },
      { host: '' },
    ];
    for (const options of cases) {
      const [node, ours] = sides.map((side) => new side.Agent().getName(options as http.ClientRequestArgs));
      expect(ours).toBe(node);
    }
  });

  test('http.globalAgent is an Agent with node 20\'s defaults, and assignable', () => {
    expect(uvhttp.globalAgent).toBeInstanceOf(uvhttp.Agent);
    expect(util.inspect(uvhttp.globalAgent)).toBe(util.inspect(http.globalAgent));
    const descriptor = (module: object) => {
      const d = Object.getOwnPropertyDescriptor(module, 'globalAgent') as PropertyDescriptor;
      return { get: typeof d.get, set: typeof d.set, enumerable: d.enumerable, configurable: d.configurable };
    };
    expect(descriptor(uvhttp)).toEqual(descriptor(http));
    const original = uvhttp.globalAgent;
    const replacement = new uvhttp.Agent({ keepAlive: false });
    const exports = uvhttp as { globalAgent: unknown };
    exports.globalAgent = replacement;
    try {
      expect(uvhttp.globalAgent).toBe(replacement);
    } finally {
      exports.globalAgent = original;
    }
    expect(uvhttp.globalAgent).toBe(original);
  });
});

describe('calling and subclassing the constructor', () => {
  test('Agent() without new, util.inherits with Agent.call(this), and class extends all make working agents', async () => {
    const trace = await differential(async (run) => {
      const Agent = run.Agent;
      const peer = await run.peer('A');

      const called = (Agent as unknown as (o: http.AgentOptions) => http.Agent)({ keepAlive: true });
      run.log('called', called instanceof Agent, called.constructor === Agent);

      // The pre-ES2015 pattern agentkeepalive 3 and others use.
      function Legacy(this: http.Agent & { extra: number }, options: http.AgentOptions) {
        Agent.call(this, options);
        this.extra = 1;
      }
      util.inherits(Legacy, Agent);
      const legacy = new (Legacy as unknown as new (o: http.AgentOptions) => http.Agent & { extra: number })({ keepAlive: true, maxSockets: 2 });
      run.log('legacy', legacy instanceof Agent, legacy.extra, legacy.maxSockets, pool(legacy).keepAlive, Object.keys(legacy));

      class Modern extends Agent {
        readonly label = 'modern';
      }
      const modern = new Modern({ keepAlive: true, maxFreeSockets: 3 });
      run.log('modern', modern instanceof Agent, modern instanceof Modern, modern.label, modern.maxFreeSockets, Object.keys(modern));

      for (const [tag, agent] of [['called', called], ['legacy', legacy], ['modern', modern]] as const) {
        run.track(agent);
        await run.get(agent, peer, `${tag}1`).done;
        await turns();
        await run.get(agent, peer, `${tag}2`).done;
        await turns();
        run.logPools(tag, agent);
      }
    });
    expect(trace).toContainEqual(['legacy', true, 1, 2, true, expect.arrayContaining(['extra', 'totalSocketCount'])]);
    expect(trace).toContainEqual(['modern2', 'socket', expect.any(String), true]);
  });

  test('overriding createConnection, keepSocketAlive, reuseSocket, addRequest and getName', async () => {
    const trace = await differential(async (run) => {
      const Agent = run.Agent;
      const peer = await run.peer('A');
      class Overriding extends Agent {
        override createConnection(options: http.ClientRequestArgs, cb?: ConnectCallback): Duplex | null | undefined {
          const { agent: _agent, ...rest } = options;
          run.log('createConnection', Object.getPrototypeOf(options), Object.entries(rest).sort(), typeof cb);
          return super.createConnection(options, cb);
        }
        override keepSocketAlive(socket: net.Socket): boolean {
          const result = super.keepSocketAlive(socket) as unknown as boolean;
          run.log('keepSocketAlive', this.sock(socket), result, this.kept);
          // Keep only the first socket; a second one freed is refused.
          return result && this.kept++ === 0;
        }
        override reuseSocket(socket: net.Socket, req: http.ClientRequest): void {
          run.log('reuseSocket before', this.sock(socket), req.reusedSocket);
          super.reuseSocket(socket, req);
          run.log('reuseSocket after', req.reusedSocket);
        }
        override getName(options?: http.ClientRequestArgs): string {
          const base = super.getName(options);
          return options?.headers && (options.headers as Record<string, string>)['x-pool'] ? `${base}:${(options.headers as Record<string, string>)['x-pool']}` : base;
        }
        // Not in @types/node's Agent, hence no `override` and the untyped super call.
        addRequest(req: http.ClientRequest, options: Record<string, unknown>): void {
          run.log('addRequest', req.path, options.host, options.port, typeof options.agent);
          (Agent.prototype as unknown as PoolAgent).addRequest.call(this, req, options);
        }
        kept = 0;
        sock(socket: net.Socket): string {
          return run.sock(socket);
        }
      }
      const agent = run.track(new Overriding({ keepAlive: true }));
      await run.get(agent, peer, 'a').done;
      await turns();
      run.logPools('after a', agent);
      await run.get(agent, peer, 'b').done;
      await turns();
      // A request in its own pool (x-pool) gets its own socket; it is refused the pool when free.
      await run.get(agent, peer, 'c', { headers: { 'x-pool': 'blue' } }).done;
      await turns();
      run.logPools('after c', agent);
    });
    expect(trace).toContainEqual(['b', 'socket', 's1', true]);
    expect(trace).toContainEqual(['reuseSocket after', true]);
    expect(trace).toContainEqual(['c', 'socket', 's2', false]);
    expect(trace.filter((e) => (e as unknown[])[0] === 'createConnection')).toHaveLength(2);
  });

  test('the legacy addRequest(req, host, port, localAddress) signature', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      const agent = run.agent({ keepAlive: true });
      const base = pool(agent).addRequest;
      pool(agent).addRequest = function legacyCaller(this: PoolAgent, req, options) {
        run.log('legacy', options.host, options.port);
        (base as (...args: unknown[]) => void).call(this, req, options.host, options.port, '127.0.0.1');
      };
      await run.get(agent, peer, 'a').done;
      await turns();
      run.logPools('after', agent);
    });
    expect(trace).toContainEqual(['after', expect.objectContaining({ free: [['127.0.0.1:<A>:127.0.0.1', ['s1']]] })]);
  });
});

describe('pooling', () => {
  test('keepAlive: sequential requests reuse one socket (req.reusedSocket counts the reuses)', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      const agent = run.agent({ keepAlive: true });
      for (const tag of ['a', 'b', 'c', 'd']) {
        await run.get(agent, peer, tag).done;
        await turns();
        run.logPools(`after ${tag}`, agent);
      }
      run.log('server connections', peer.connections.length);
    });
    const sockets = trace.filter((e) => (e as unknown[])[1] === 'socket');
    expect(sockets).toEqual([
      ['a', 'socket', 's1', false],
      ['b', 'socket', 's1', true],
      ['c', 'socket', 's1', true],
      ['d', 'socket', 's1', true],
    ]);
    expect(trace).toContainEqual(['server connections', 1]);
  });

  test('without keepAlive, a socket closes when no request waits for it', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      // Infinite maxSockets: requests say Connection: close and the socket ends with the response.
      const plain = run.agent();
      const first = run.get(plain, peer, 'a');
      await first.done;
      await closed(first.req.socket as net.Socket);
      run.logPools('plain after a', plain);
      await run.get(plain, peer, 'b').done;
      await turns();
      // Finite maxSockets: requests ask for keep-alive, so a waiting request can take the socket;
      // the last one closes it.
      const limited = run.agent({ maxSockets: 1 });
      const c = run.get(limited, peer, 'c');
      const d = run.get(limited, peer, 'd');
      run.logPools('limited queued', limited);
      await c.done;
      await d.done;
      await closed(d.req.socket as net.Socket);
      run.logPools('limited after', limited);
    });
    expect(trace).toContainEqual(['d', 'socket', 's3', false]);
    expect(trace).toContainEqual(['s3', 'close']);
  });

  test('maxSockets queues requests and hands freed sockets to them in order', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A', { hold: true });
      const agent = run.agent({ keepAlive: true, maxSockets: 2 });
      const exchanges = ['a', 'b', 'c', 'd', 'e'].map((tag) => run.get(agent, peer, tag));
      await turns();
      run.logPools('queued', agent);
      for (const [i, tag] of ['b', 'a', 'c', 'd', 'e'].entries()) {
        await peer.release(`/${tag}`);
        await exchanges[['a', 'b', 'c', 'd', 'e'].indexOf(tag)].done;
        await turns();
        run.logPools(`after ${tag} (${i})`, agent);
      }
      run.log('server connections', peer.connections.length);
    });
    expect(trace).toContainEqual(['queued', expect.objectContaining({ requests: [['127.0.0.1:<A>:', 3]], total: 2 })]);
    expect(trace).toContainEqual(['server connections', 2]);
  });

  test('maxTotalSockets across two hosts', async () => {
    for (const keepAlive of [true, false]) {
      const trace = await differential(async (run) => {
        const a = await run.peer('A', { hold: true });
        const b = await run.peer('B', { hold: true });
        const agent = run.agent({ keepAlive, maxTotalSockets: 2, maxSockets: keepAlive ? undefined : 5 });
        const a1 = run.get(agent, a, 'a1');
        const a2 = run.get(agent, a, 'a2');
        const b1 = run.get(agent, b, 'b1');
        const b2 = run.get(agent, b, 'b2');
        await turns();
        run.logPools('queued', agent);
        await a.release('/a1');
        await a1.done;
        await turns(3);
        run.logPools('after a1', agent);
        await b.release('/b1');
        await b1.done;
        await turns(3);
        run.logPools('after b1', agent);
        await a.release('/a2');
        await b.release('/b2');
        await a2.done;
        await b2.done;
        await turns(3);
        run.logPools('end', agent);
      });
      expect(trace).toContainEqual(['queued', expect.objectContaining({ requests: [['127.0.0.1:<B>:', 2]], total: 2 })]);
      expect(trace).toContainEqual(['b1', 'socket', expect.any(String), false]);
    }
  });

  test('maxFreeSockets caps the idle sockets kept', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A', { hold: true });
      const agent = run.agent({ keepAlive: true, maxFreeSockets: 1 });
      const exchanges = ['a', 'b', 'c'].map((tag) => run.get(agent, peer, tag));
      for (const [i, tag] of ['a', 'b', 'c'].entries()) {
        await peer.release(`/${tag}`);
        await exchanges[i].done;
        await turns(2);
        run.logPools(`after ${tag}`, agent);
      }
    });
    expect(trace).toContainEqual(['after c', expect.objectContaining({ free: [['127.0.0.1:<A>:', ['s1']]], total: 1 })]);
  });

  test('lowering maxSockets while sockets are in use closes the surplus as they free up', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A', { hold: true });
      const agent = run.agent({ keepAlive: true });
      const exchanges = ['a', 'b', 'c'].map((tag) => run.get(agent, peer, tag));
      await turns();
      agent.maxSockets = 1;
      for (const [i, tag] of ['a', 'b', 'c'].entries()) {
        await peer.release(`/${tag}`);
        await exchanges[i].done;
        await turns(2);
        run.logPools(`after ${tag}`, agent);
      }
    });
    expect(trace).toContainEqual(['after c', expect.objectContaining({ free: [['127.0.0.1:<A>:', ['s3']]], total: 1 })]);
  });

  test('pools are per name: localAddress, family and socketPath each make their own', async () => {
    const socketPath = path.join(os.tmpdir(), `uvhttp-agent-${process.pid}.sock`);
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      const local = http.createServer((_req, res) => res.end('local'));
      await new Promise<void>((resolve) => local.listen(socketPath, resolve));
      try {
        const agent = run.agent({ keepAlive: true });
        const variants: Array<[string, http.RequestOptions]> = [
          ['plain', {}],
          ['localAddress', { localAddress: '127.0.0.1' }],
          ['family', { family: 4 }],
          ['socketPath', { socketPath }],
        ];
        for (const round of [1, 2]) {
          for (const [tag, options] of variants) {
            await run.get(agent, peer, `${tag}${round}`, options).done;
            await turns();
          }
        }
        const pools = run.pools(agent) as { free: Array<[string, string[]]> };
        run.log('pool names', pools.free.map(([name]) => name.replace(socketPath, '<path>')));
        run.log('pool sizes', pools.free.map(([, sockets]) => sockets.length));
        run.log('served over TCP', peer.paths);
      } finally {
        local.closeAllConnections();
        await new Promise((resolve) => local.close(resolve));
      }
    });
    expect(trace).toContainEqual(['pool names', ['127.0.0.1:<A>:', '127.0.0.1:<A>:127.0.0.1', '127.0.0.1:<A>::4', '127.0.0.1:<A>::<path>']]);
    expect(trace).toContainEqual(['pool sizes', [1, 1, 1, 1]]);
    expect(trace).toContainEqual(['socketPath2', 'socket', 's4', true]);
    expect(trace).toContainEqual(['served over TCP', ['/plain1', '/localAddress1', '/family1', '/plain2', '/localAddress2', '/family2']]);
  });

  test("the agent's own options name the pool over the request's (and a request reusing a socket finds it by them)", async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      const agent = run.agent({ keepAlive: true, localAddress: '127.0.0.1', family: 4 } as http.AgentOptions);
      await run.get(agent, peer, 'first', {}).done;
      await turns();
      await run.get(agent, peer, 'second', { localAddress: '0.0.0.0', family: 6 } as http.RequestOptions).done;
      await turns();
      const pools = run.pools(agent) as { free: Array<[string, string[]]> };
      run.log('pool names', pools.free.map(([name]) => name));
      run.log('pool sizes', pools.free.map(([, sockets]) => sockets.length));
    });
    expect(trace).toContainEqual(['pool names', ['127.0.0.1:<A>:127.0.0.1:4']]);
    expect(trace).toContainEqual(['pool sizes', [1]]);
    expect(trace).toContainEqual(['second', 'socket', 's1', true]);
  });

  for (const scheduling of ['lifo', 'fifo'] as const) {
    test(`scheduling '${scheduling}' picks the ${scheduling === 'lifo' ? 'most' : 'least'} recently freed socket`, async () => {
      const trace = await differential(async (run) => {
        const peer = await run.peer('A', { hold: true });
        const agent = run.agent({ keepAlive: true, scheduling });
        const a = run.get(agent, peer, 'a');
        const b = run.get(agent, peer, 'b');
        const c = run.get(agent, peer, 'c');
        for (const [tag, exchange] of [['a', a], ['b', b], ['c', c]] as const) {
          await peer.release(`/${tag}`);
          await exchange.done;
          await turns();
        }
        run.logPools('three free', agent);
        const d = run.get(agent, peer, 'd');
        const e = run.get(agent, peer, 'e');
        run.logPools('two taken', agent);
        await peer.release('/d');
        await peer.release('/e');
        await d.done;
        await e.done;
        await turns();
        run.logPools('end', agent);
      });
      expect(trace).toContainEqual(['d', 'socket', scheduling === 'lifo' ? 's3' : 's1', true]);
      expect(trace).toContainEqual(['e', 'socket', scheduling === 'lifo' ? 's2' : 's2', true]);
    });
  }
});

describe('leaving the pool', () => {
  test('a socket that can no longer write when it is freed is closed, not pooled or handed on', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      const agent = run.agent({ keepAlive: true, maxSockets: 1 });
      const a = run.get(agent, peer, 'a');
      // The user half-closes the connection as the response ends, before ClientRequest frees it.
      a.req.on('response', (res) => res.on('end', () => (a.req.socket as net.Socket).end()));
      const b = run.get(agent, peer, 'b');
      await a.done;
      await b.done;
      await turns();
      run.logPools('after', agent);
    });
    expect(trace).toContainEqual(['b', 'socket', 's2', false]);
  });

  test('a socket whose request stopped wanting keep-alive before the socket was freed is closed', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      const agent = run.agent({ keepAlive: true });
      const a = run.get(agent, peer, 'a');
      // ClientRequest emits the request's 'close' just before the socket's 'free'.
      a.req.on('close', () => (a.req.shouldKeepAlive = false));
      await a.done;
      await Promise.race([closed(a.req.socket as net.Socket), delay(1000)]);
      run.logPools('after', agent);
    });
    expect(trace).toContainEqual(['s1', 'close']);
  });

  test("'agentRemove' takes a socket out of the pool and leaves it open (an upgrade)", async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      peer.server.on('upgrade', (_req, socket: net.Socket) => {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\nhello');
      });
      const agent = run.agent({ keepAlive: true, maxSockets: 1 });
      const req = run.side.request({ host: '127.0.0.1', port: peer.port, path: '/up', agent, headers: { Connection: 'Upgrade', Upgrade: 'test' } });
      const upgraded = new Promise<net.Socket>((resolve) =>
        req.on('upgrade', (res, socket: net.Socket, head: Buffer) => {
          run.log('upgrade', res.statusCode, run.sock(socket), head.toString(), socket.destroyed);
          run.logPools('upgraded', agent);
          resolve(socket);
        }),
      );
      const up = run.watch(req, 'up');
      const waiting = run.get(agent, peer, 'after');
      const socket = await upgraded;
      await up.done;
      await waiting.done;
      await turns();
      run.logPools('after waiting request', agent);
      socket.destroy();
      await closed(socket);
      run.logPools('upgraded socket closed', agent);
    });
    expect(trace).toContainEqual(['s1', 'agentRemove']);
    expect(trace).toContainEqual(['after', 'socket', 's2', false]);
  });

  test("an 'agentRemove' emitted by the user on a socket in use", async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A', { hold: true });
      const agent = run.agent({ keepAlive: true });
      const a = run.get(agent, peer, 'a');
      await peer.arrived('/a');
      const socket = a.req.socket as net.Socket;
      socket.emit('agentRemove');
      run.logPools('removed', agent);
      await peer.release('/a');
      await a.done;
      await turns();
      run.logPools('after a', agent);
      socket.destroy();
      await closed(socket);
      run.logPools('closed', agent);
    });
    expect(trace).toContainEqual(['removed', expect.objectContaining({ sockets: [], total: 0 })]);
  });

  test('destroy() mid-use closes the sockets in use and the idle ones', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A', { hold: true });
      const agent = run.agent({ keepAlive: true });
      const a = run.get(agent, peer, 'a');
      const b = run.get(agent, peer, 'b');
      await peer.release('/a');
      await a.done;
      await turns();
      await peer.arrived('/b');
      run.logPools('before destroy', agent);
      agent.destroy();
      run.logPools('just destroyed', agent);
      await b.done;
      await turns(2);
      run.logPools('after destroy', agent);
      // The agent still works afterwards.
      const c = run.get(agent, peer, 'c');
      await peer.release('/c');
      await c.done;
    });
    expect(trace).toContainEqual(['b', 'error', 'ECONNRESET', 'socket hang up']);
    expect(trace).toContainEqual(['after destroy', { sockets: [], free: [], requests: [], total: 0 }]);
  });

  test('a free socket the server closes is dropped, and the next request makes a new one', async () => {
    const trace = await differential(async (run) => {
      const { peer, agent, socket } = await run.idleAfterOneRequest();
      run.logPools('idle', agent);
      peer.server.closeIdleConnections();
      await closed(socket);
      run.logPools('server closed it', agent);
      await run.get(agent, peer, 'b').done;
    });
    expect(trace).toContainEqual(['b', 'socket', 's2', false]);
    expect(trace).toContainEqual(['server closed it', { sockets: [], free: [], requests: [], total: 0 }]);
  });

  // Node 22.23, 24.17 and 26.3.1 destroy an idle socket at any read (the reset too) without
  // 'error', and it leaves the pool on 'close'; before, its 'error' removed it ('agentRemove').
  test('a free socket that errors (reset by the server) leaves the pool, without an uncaught error', async () => {
    const trace = await differential(async (run) => {
      const { peer, agent, socket } = await run.idleAfterOneRequest();
      socket.on('error', (err: NodeJS.ErrnoException) => run.log('socket error', err.code));
      peer.connections[0].resetAndDestroy();
      await closed(socket);
      run.logPools('after reset', agent);
      await run.get(agent, peer, 'b').done;
    });
    if (freeSocketDestroyedOnRead) {
      expect(trace).not.toContainEqual(['socket error', 'ECONNRESET']);
      expect(trace).not.toContainEqual(['s1', 'agentRemove']);
    } else {
      expect(trace).toContainEqual(['socket error', 'ECONNRESET']);
      expect(trace).toContainEqual(['s1', 'agentRemove']);
    }
    expect(trace).toContainEqual(['after reset', { sockets: [], free: [], requests: [], total: 0 }]);
  });

  // Bytes in the kernel that no read has taken yet are looked for before an idle socket is
  // handed on (22.23, 24.17, 26.3.1): the request gets a new connection, not the forged answer.
  test('a free socket with unread bytes waiting when the next request is made', async () => {
    const trace = await differential(async (run) => {
      const { peer, agent } = await run.idleAfterOneRequest();
      peer.connections[0].write('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged');
      // Holds the loop while the bytes cross loopback: no read sees them before b is made.
      const until = Date.now() + 50;
      while (Date.now() < until);
      const b = run.get(agent, peer, 'b');
      b.req.on('response', (res) => res.on('data', (chunk: Buffer) => run.log('b body', chunk.toString())));
      await b.done;
      await turns();
      run.logPools('after b', agent);
    });
    if (freeSocketDestroyedOnRead) {
      expect(trace).toContainEqual(['b', 'socket', 's2', false]);
      expect(trace).toContainEqual(['b body', 'ok']);
    }
  });

  test('a free socket destroyed with an error by the client', async () => {
    const trace = await differential(async (run) => {
      const { peer, agent, socket } = await run.idleAfterOneRequest();
      socket.destroy(new Error('boom'));
      await closed(socket);
      run.logPools('after', agent);
    });
    expect(trace).toContainEqual(['s1', 'agentRemove']);
  });

  test('a free socket destroyed but not yet closed is skipped by the next request', async () => {
    const trace = await differential(async (run) => {
      const { peer, agent, socket } = await run.idleAfterOneRequest();
      socket.destroy();
      const b = run.get(agent, peer, 'b');
      run.logPools('b made', agent);
      await b.done;
      await turns();
      run.logPools('after b', agent);
    });
    expect(trace).toContainEqual(['b', 'socket', 's2', false]);
  });

  test('a free socket times out by the agent\'s timeout option and is closed', async () => {
    const trace = await differential(async (run) => {
      // The server would keep the connection for a minute: only the agent can close it soon.
      const { agent, socket } = await run.idleAfterOneRequest({ timeout: 150 }, { keepAliveTimeout: 60_000 });
      run.log('idle timeout', socket.timeout);
      await Promise.race([closed(socket), delay(2000)]);
      run.log('closed by the agent', socket.closed);
      run.logPools('timed out', agent);
    });
    expect(trace).toContainEqual(['s1', 'timeout']);
    expect(trace).toContainEqual(['idle timeout', 150]);
    expect(trace).toContainEqual(['closed by the agent', true]);
  });
});

describe('timeouts and keep-alive', () => {
  test("the 'timeout' option reaches the socket and the request, and a request's own timeout overrides it", async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A', { hold: true });
      const agent = run.agent({ keepAlive: true, timeout: 120 });
      const a = run.get(agent, peer, 'a');
      a.req.on('socket', (socket) => run.log('a socket timeout', socket.timeout));
      await new Promise((resolve) => a.req.once('timeout', resolve));
      a.req.destroy();
      await a.done;
      await turns();
      // A request with its own timeout on a new socket, then on a reused one.
      const b = run.get(agent, peer, 'b', { timeout: 60 });
      b.req.on('socket', (socket) => run.log('b socket timeout', socket.timeout));
      await peer.release('/b');
      await b.done;
      await turns();
      const c = run.get(agent, peer, 'c', { timeout: 70 });
      c.req.on('socket', (socket) => setImmediate(() => run.log('c socket timeout', socket.timeout)));
      await new Promise((resolve) => c.req.once('timeout', resolve));
      c.req.destroy();
      await c.done;
      await turns();
      run.logPools('end', agent);
    });
    expect(trace).toContainEqual(['a', 'timeout']);
    expect(trace).toContainEqual(['c', 'socket', 's2', true]);
    expect(trace).toContainEqual(['c socket timeout', 70]);
  });

  test("the server's Keep-Alive: timeout=N hint shortens the idle timeout, and timeout=1 forbids reuse", async () => {
    const hints = ['timeout=1', 'timeout=3', 'timeout=3, max=100', 'max=100, timeout=3', 'timeout=abc', 'timeout=10', 'timeout=0'];
    const trace = await differential(async (run) => {
      const peer = await run.rawPeer('A', (n) => {
        const hint = hints[n % hints.length];
        return `HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: ${hint}\r\n\r\nok`;
      });
      for (const timeout of [5000, undefined]) {
        const agent = run.agent({ keepAlive: true, timeout });
        for (const hint of hints) {
          const exchange = run.get(agent, peer, 'x');
          await exchange.done;
          await turns();
          const socket = exchange.req.socket as net.Socket;
          run.log(timeout, hint, socket.timeout, socket.destroyed, Object.keys(agent.freeSockets).length);
          socket.destroy();
          await closed(socket);
        }
      }
    });
    expect(trace).toContainEqual([5000, 'timeout=1', 5000, true, 0]);
    expect(trace).toContainEqual([5000, 'timeout=3', 2000, false, 1]);
    expect(trace).toContainEqual([5000, 'max=100, timeout=3', 5000, false, 1]);
  });

  test("http.globalAgent's idle timeout follows node:http servers' Keep-Alive hint", async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      const agent = run.track(new (run.side.globalAgent.constructor as AgentClass)(pool(run.side.globalAgent).options));
      const a = run.get(agent, peer, 'a');
      a.req.on('socket', (socket) => run.log('new socket timeout', socket.timeout));
      await a.done;
      await turns();
      run.log('idle socket timeout', (a.req.socket as net.Socket).timeout);
      const b = run.get(agent, peer, 'b');
      await b.done;
    });
    expect(trace).toContainEqual(['new socket timeout', 5000]);
    expect(trace).toContainEqual(['idle socket timeout', 4000]);
  });

  test('keepAliveMsecs reaches createConnection and setKeepAlive; noDelay and the pool name reach the options', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      const Agent = run.Agent;
      class Recording extends Agent {
        override createConnection(options: http.ClientRequestArgs, cb?: ConnectCallback): Duplex | null | undefined {
          const o = options as unknown as Record<string, unknown>;
          run.log('options', o.keepAlive, o.keepAliveInitialDelay, o.noDelay, o._agentKey, o.encoding, o.path, o.servername, o.timeout);
          const socket = super.createConnection(options, cb) as net.Socket;
          const setKeepAlive = socket.setKeepAlive;
          socket.setKeepAlive = function (this: net.Socket, ...args: Parameters<net.Socket['setKeepAlive']>) {
            run.log('setKeepAlive', ...args);
            return setKeepAlive.apply(this, args);
          };
          return socket;
        }
      }
      for (const options of [{ keepAlive: true, keepAliveMsecs: 3000 }, { keepAlive: false, maxSockets: 1, keepAliveMsecs: 3000 }, { keepAlive: true }]) {
        const agent = run.track(new Recording(options));
        await run.get(agent, peer, 'a').done;
        await turns();
      }
    });
    expect(trace).toContainEqual(['setKeepAlive', true, 3000]);
    expect(trace).toContainEqual(['options', true, 3000, true, '127.0.0.1:<A>:', null, null, '', '<undefined>']);
  });
});

describe('process liveness', () => {
  // An idle pooled socket is unref()ed, so it does not keep the process alive; handed to a
  // request again it is ref()ed, so the process waits for that response. A child process makes
  // the requests (with each side's Agent, from the compiled dist/) against a server here that
  // would keep idle connections for a minute.
  const ROOT = process.env.UVHTTP_TEST_ROOT || path.resolve(__dirname, '..', '..');
  const CHILD_LIMIT_MS = 4000;

  function child(side: Side, port: number): Promise<{ output: string; outcome: 'exited' | 'alive' }> {
    const module = side.name === 'node' ? 'http' : path.join(ROOT, 'dist');
    const script = `
      const http = require(${JSON.stringify(module)});
      const { Agent } = http;
      const agent = new Agent({ keepAlive: true });
      const get = (path, cb) => http.get({ host: '127.0.0.1', port: ${port}, path, agent }, (res) => {
        res.resume();
        res.on('end', () => cb(res));
      });
      get('/fast', () => setTimeout(() => {
        const req = get('/slow', () => console.log('slow done, reused', req.reusedSocket));
      }, 50));
    `;
    return new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      let stderr = '';
      proc.stdout.on('data', (d) => (output += d));
      proc.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        resolve({ output, outcome: 'alive' });
      }, CHILD_LIMIT_MS);
      proc.on('exit', (code) => {
        clearTimeout(timer);
        if (code === null) return;
        if (code !== 0) reject(new Error(`child failed (${code}): ${stderr}`));
        else resolve({ output, outcome: 'exited' });
      });
    });
  }

  test('an idle socket lets the process exit; a reused one keeps it alive until its response', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('slow'), 400);
      else res.end('fast');
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const [node, ours] = [await child(nodeSide, port), await child(uvSide, port)];
      expect(node).toEqual({ output: 'slow done, reused true\n', outcome: 'exited' });
      expect(ours).toEqual(node);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('createConnection variants', () => {
  test('a createConnection that answers through its callback, later, or with an error', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      const Agent = run.Agent;
      let mode: 'later' | 'error' = 'later';
      class Deferred extends Agent {
        override createConnection(options: http.ClientRequestArgs, cb?: ConnectCallback): undefined {
          setImmediate(() => {
            const callback = cb as (err: Error | null, stream?: Duplex) => void;
            if (mode === 'error') callback(Object.assign(new Error('no route'), { code: 'EHOSTUNREACH' }));
            else callback(null, net.createConnection(options as net.NetConnectOpts));
          });
          return undefined;
        }
      }
      const agent = run.track(new Deferred({ keepAlive: true }));
      const a = run.get(agent, peer, 'a');
      run.logPools('pending', agent);
      await a.done;
      await turns();
      run.logPools('after a', agent);
      mode = 'error';
      await run.get(agent, peer, 'b', { headers: { 'x-other': '1' }, localAddress: '127.0.0.1' }).done;
      await turns();
      run.logPools('after b', agent);
    });
    expect(trace).toContainEqual(['pending', expect.objectContaining({ sockets: [['127.0.0.1:<A>:', []]] })]);
    expect(trace).toContainEqual(['b', 'error', 'EHOSTUNREACH', 'no route']);
  });

  test('servername comes from the Host header, never an IP address; a non-string Host throws', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      const Agent = run.Agent;
      class Recording extends Agent {
        override createConnection(options: http.ClientRequestArgs, cb?: ConnectCallback): Duplex | null | undefined {
          run.log('servername', (options as { servername?: string }).servername);
          return super.createConnection(options, cb);
        }
      }
      const agent = run.track(new Recording());
      for (const host of [undefined, 'example.com', 'example.com:8080', '[::1]:80', '[::1', '10.0.0.1:80', 'name.test']) {
        await run.get(agent, peer, 'a', host === undefined ? {} : { headers: { host } }).done;
      }
      await run.get(agent, peer, 'a', { host: 'localhost', headers: {} }).done;
      run.log('array host', thrown(() => run.side.request({ host: '127.0.0.1', port: peer.port, agent, headers: { host: ['a', 'b'] as unknown as string } })));
    });
    expect(trace.filter((e) => (e as unknown[])[0] === 'servername')).toEqual(
      ['', 'example.com', 'example.com', '', '[::1', '', 'name.test', 'localhost'].map((name) => ['servername', name]),
    );
    expect(trace).toContainEqual(['array host', expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' })]);
  });

  test("agent: false makes a new agent of the default agent's class (ClientRequest's rule, on our Agent)", async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A');
      const req = run.side.request({
        host: '127.0.0.1',
        port: peer.port,
        path: '/a',
        agent: false,
        _defaultAgent: run.side.globalAgent,
      } as http.RequestOptions);
      const agent = (req as http.ClientRequest & { agent: http.Agent }).agent;
      run.log('fresh agent', agent instanceof run.Agent, agent !== run.side.globalAgent, util.inspect(agent).length > 0, pool(agent).keepAlive);
      run.track(agent);
      const exchange = run.watch(req, 'a');
      await exchange.done;
      await closed(req.socket as net.Socket);
      run.logPools('after', agent);
    });
    expect(trace).toContainEqual(['fresh agent', true, true, true, false]);
  });
});

describe('async context', () => {
  test('a queued request gets its socket in its own async context; a reused socket takes the new request\'s', async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A', { hold: true });
      const storage = new AsyncLocalStorage<string>();
      const agent = run.agent({ keepAlive: true, maxSockets: 1 });
      const start = (tag: string) =>
        storage.run(tag, () => {
          const exchange = run.get(agent, peer, tag);
          exchange.req.on('socket', (socket) => {
            run.log(tag, 'socket context', storage.getStore());
            socket.once('data', () => run.log(tag, 'data context', storage.getStore()));
          });
          exchange.req.on('response', () => run.log(tag, 'response context', storage.getStore()));
          return exchange;
        });
      const a = start('a');
      const b = start('b');
      await peer.release('/a');
      await a.done;
      await peer.release('/b');
      await b.done;
      await turns();
      const c = start('c');
      await peer.release('/c');
      await c.done;
    });
    expect(trace).toContainEqual(['b', 'socket context', 'b']);
    expect(trace).toContainEqual(['b', 'response context', 'b']);
    expect(trace).toContainEqual(['c', 'data context', 'c']);
  });

  test("'keylog' listeners on the agent receive its sockets' keylog events", async () => {
    const trace = await differential(async (run) => {
      const peer = await run.peer('A', { hold: true });
      const agent = run.agent({ keepAlive: true });
      run.log('listeners before', agent.listenerCount('newListener'));
      agent.on('keylog', (line: Buffer, socket: net.Socket) => run.log('keylog', line.toString(), run.sock(socket)));
      run.log('listeners after', agent.listenerCount('newListener'));
      const a = run.get(agent, peer, 'a');
      await peer.arrived('/a');
      (a.req.socket as net.Socket).emit('keylog', Buffer.from('CLIENT_RANDOM x y'));
      await peer.release('/a');
      await a.done;
    });
    expect(trace).toContainEqual(['keylog', 'CLIENT_RANDOM x y', 's1']);
  });
});

// Node 24.21 and 26.8 attach a 'keylog' listener added late to the agent's sockets, idle and in
// use, and uvhttp follows. Before, node throws (it takes each pool for a socket): a documented
// deviation (README, compatibility notes), uvhttp attaches it to the sockets in use.
test("a 'keylog' listener added while sockets are in use and idle: on 24.21+ as node, before node throws and uvhttp forwards the in-use sockets' keylog", async () => {
  const outcomes = await Promise.all(
    sides.map(async (side) => {
      const run = new Run(side);
      try {
        const peer = await run.peer('A', { hold: true });
        const agent = run.agent({ keepAlive: true });
        const idle = run.get(agent, peer, 'idle');
        const a = run.get(agent, peer, 'a');
        await peer.arrived('/a');
        await peer.release('/idle');
        await idle.done;
        await turns();
        const lines: string[] = [];
        const outcome = thrown(() => agent.on('keylog', (line: Buffer, socket: net.Socket) => lines.push(`${line} ${run.sock(socket)}`)));
        (a.req.socket as net.Socket).emit('keylog', Buffer.from('in-use'));
        (idle.req.socket as net.Socket).emit('keylog', Buffer.from('idle'));
        await peer.release('/a');
        await a.done;
        return { outcome, lines, distinct: idle.req.socket !== a.req.socket };
      } finally {
        await run.cleanup();
      }
    }),
  );
  const [node, ours] = outcomes;
  expect(node.distinct).toBe(true);
  if (node.outcome === 'no error') {
    expect(node.lines).toEqual(['in-use s2', 'idle s1']);
    expect(ours).toEqual(node);
  } else {
    expect(node).toEqual({ outcome: expect.objectContaining({ type: 'TypeError' }), lines: [], distinct: true });
    expect(ours).toEqual({ outcome: 'no error', lines: ['in-use s2'], distinct: true });
  }
});

describe('agentkeepalive 4.6.0 on top of the Agent', () => {
  type KeepAliveAgentClass = new (options?: Record<string, unknown>) => http.Agent & { getCurrentStatus(): Record<string, unknown> };

  // agentkeepalive extends require('http').Agent; load a copy of it that extends this side's.
  function agentKeepAliveOver(Agent: AgentClass): { HttpAgent: KeepAliveAgentClass; constants: Record<string, symbol> } {
    let loaded: { HttpAgent: KeepAliveAgentClass; constants: Record<string, symbol> } | undefined;
    jest.isolateModules(() => {
      jest.doMock('http', () => ({ ...jest.requireActual<typeof http>('http'), Agent }));
      loaded = require('agentkeepalive');
      jest.dontMock('http');
    });
    return loaded as { HttpAgent: KeepAliveAgentClass; constants: Record<string, symbol> };
  }

  test('reuse, free socket timeout, status counters and socket names are the same', async () => {
    const trace = await differential(async (run) => {
      const { HttpAgent, constants } = agentKeepAliveOver(run.Agent);
      const peer = await run.peer('A');
      const agent = run.track(new HttpAgent({ freeSocketTimeout: 200, timeout: 1000, maxSockets: 1 }));
      run.log('is our agent', agent instanceof run.Agent);
      const socketState = (socket: net.Socket) => {
        const s = socket as unknown as Record<symbol, unknown>;
        return [run.sock(socket), socket.timeout, s[constants.SOCKET_NAME], s[constants.SOCKET_REQUEST_COUNT], s[constants.SOCKET_REQUEST_FINISHED_COUNT]];
      };
      const a = run.get(agent, peer, 'a');
      const b = run.get(agent, peer, 'b');
      await a.done;
      await b.done;
      await turns();
      run.log('idle', ...socketState(b.req.socket as net.Socket));
      run.log('status', agent.getCurrentStatus());
      const c = run.get(agent, peer, 'c');
      c.req.on('socket', (socket) => run.log('reused', ...socketState(socket)));
      await c.done;
      await turns();
      // The free socket timeout (agentkeepalive's) closes it.
      await closed(c.req.socket as net.Socket);
      run.log('status', agent.getCurrentStatus());
      run.logPools('after free timeout', agent);
      await run.get(agent, peer, 'd').done;
      run.log('status', agent.getCurrentStatus());
    });
    expect(trace).toContainEqual(['is our agent', true]);
    expect(trace).toContainEqual(['c', 'socket', 's1', true]);
    expect(trace).toContainEqual(['idle', 's1', 200, 'sock[0#127.0.0.1:<A>:]', 2, 2]);
    expect(trace).toContainEqual(['d', 'socket', 's2', false]);
  });
});

// The harness itself: a scenario that exercises nothing must not look like a pass.
test('the harness compares traces and notices a difference', async () => {
  const traces = await Promise.all(
    sides.map(async (side) => {
      const run = new Run(side);
      const peer = await run.peer('A');
      const agent = run.agent({ keepAlive: true });
      await run.get(agent, peer, 'a').done;
      await delay(1);
      run.logPools('x', agent);
      await run.cleanup();
      return run.trace;
    }),
  );
  expect(traces[1]).toEqual(traces[0]);
  expect(traces[0].length).toBeGreaterThan(4);
  expect([...traces[0], 'extra']).not.toEqual(traces[0]);
});
