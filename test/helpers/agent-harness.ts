// Differential harness for http.Agent: a scenario runs once with node's Agent and once with
// uvhttp's, both driven by node:http's own ClientRequest against real servers on 127.0.0.1, and
// records a trace of what a caller can observe: request and socket events in order, which
// socket served which request and whether it was reused, the pools at chosen moments, errors.
// Sockets are named s1, s2, ... in the order the trace first meets them, and server ports by
// the peer's label, so the two traces compare with toEqual.
import * as http from 'node:http';
import * as net from 'node:net';

import * as uvhttp from '../../lib';

export type AgentClass = typeof http.Agent;

export interface Side {
  name: 'node' | 'uvhttp';
  Agent: AgentClass;
  globalAgent: http.Agent;
  // The side's own client: node's Agent under node's ClientRequest, ours under ours.
  request: typeof http.request;
  get: typeof http.get;
}

export const nodeSide: Side = { name: 'node', Agent: http.Agent, globalAgent: http.globalAgent, request: http.request, get: http.get };
export const uvSide: Side = {
  name: 'uvhttp',
  Agent: uvhttp.Agent as unknown as AgentClass,
  globalAgent: uvhttp.globalAgent as unknown as http.Agent,
  request: uvhttp.request as unknown as typeof http.request,
  get: uvhttp.get as unknown as typeof http.get,
};

/** A node:http server that answers at once, or holds each request until the test releases it. */
export class Peer {
  readonly connections: net.Socket[] = [];
  readonly paths: string[] = [];
  private readonly held = new Map<string, http.ServerResponse>();
  private readonly waiting = new Map<string, () => void>();
  port = 0;

  constructor(
    readonly label: string,
    readonly server: http.Server,
    private readonly hold: boolean,
    private readonly headers: http.OutgoingHttpHeaders,
  ) {
    server.on('connection', (socket: net.Socket) => this.connections.push(socket));
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const path = req.url as string;
      this.paths.push(path);
      req.resume();
      if (!this.hold) {
        res.writeHead(200, this.headers).end('ok');
        return;
      }
      this.held.set(path, res);
      this.waiting.get(path)?.();
    });
  }

  /** Answers the held request for `path` once it has arrived. */
  async release(path: string, status = 200, headers: http.OutgoingHttpHeaders = this.headers): Promise<void> {
    if (!this.held.has(path)) await new Promise<void>((resolve) => this.waiting.set(path, resolve));
    const res = this.held.get(path) as http.ServerResponse;
    this.held.delete(path);
    res.writeHead(status, headers).end('ok');
  }

  /** Resolves when the request for `path` has reached the server (it is held). */
  async arrived(path: string): Promise<void> {
    if (!this.held.has(path)) await new Promise<void>((resolve) => this.waiting.set(path, resolve));
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}

/** A net server that answers each request head with the bytes `respond(n)` gives (n from 0). */
export class RawPeer {
  readonly connections: net.Socket[] = [];
  port = 0;
  private answered = 0;

  constructor(
    readonly label: string,
    readonly server: net.Server,
    respond: (n: number) => string,
  ) {
    server.on('connection', (socket) => {
      this.connections.push(socket);
      socket.on('error', () => {});
      let pending = '';
      socket.on('data', (data) => {
        pending += data.toString('latin1');
        let end: number;
        while ((end = pending.indexOf('\r\n\r\n')) !== -1) {
          pending = pending.slice(end + 4);
          socket.write(respond(this.answered++));
        }
      });
    });
  }

  close(): void {
    for (const socket of this.connections) socket.destroy();
    this.server.close();
  }
}

export interface Exchange {
  req: http.ClientRequest;
  /** Resolves on the request's 'close'. */
  done: Promise<void>;
}

/** One run of a scenario: what it needs, and the trace it leaves. */
export class Run {
  readonly trace: unknown[] = [];
  private readonly socketIds = new Map<object, string>();
  private readonly portLabels = new Map<number, string>();
  private readonly agents: http.Agent[] = [];
  private readonly peers: Array<Peer | RawPeer> = [];

  constructor(readonly side: Side) {}

  get Agent(): AgentClass {
    return this.side.Agent;
  }

  /** A new agent of this side, destroyed when the run ends. */
  agent(options?: http.AgentOptions): http.Agent {
    return this.track(new this.side.Agent(options));
  }

  /** Registers an agent made some other way (a subclass) to be destroyed when the run ends. */
  track<T extends http.Agent>(agent: T): T {
    this.agents.push(agent);
    return agent;
  }

  log(...entry: unknown[]): void {
    this.trace.push(this.normalize(entry));
  }

  /** The name the trace gives this socket; its 'free', 'agentRemove', 'timeout' and 'close' are logged. */
  sock(socket: net.Socket | undefined | null): string {
    if (!socket) return String(socket);
    let id = this.socketIds.get(socket);
    if (id === undefined) {
      id = `s${this.socketIds.size + 1}`;
      const name = id;
      this.socketIds.set(socket, id);
      for (const event of ['free', 'agentRemove', 'timeout']) socket.on(event, () => this.log(name, event));
      socket.on('close', () => this.log(name, 'close'));
    }
    return id;
  }

  /** The pools of an agent, socket lists by name, queued request counts, the total. */
  pools(agent: http.Agent): unknown {
    const lists = (set: NodeJS.ReadOnlyDict<net.Socket[]>) =>
      Object.entries(set).map(([name, sockets]) => [name, (sockets as net.Socket[]).map((s) => this.sock(s))]);
    const a = agent as http.Agent & { totalSocketCount: number };
    return this.normalize({
      sockets: lists(agent.sockets),
      free: lists(agent.freeSockets),
      requests: Object.entries(agent.requests).map(([name, reqs]) => [name, (reqs as unknown[]).length]),
      total: a.totalSocketCount,
    });
  }

  logPools(label: string, agent: http.Agent): void {
    this.trace.push([label, this.pools(agent)]);
  }

  async peer(label: string, options: { hold?: boolean; headers?: http.OutgoingHttpHeaders; keepAliveTimeout?: number } = {}): Promise<Peer> {
    const server = http.createServer();
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    const peer = new Peer(label, server, options.hold ?? false, options.headers ?? {});
    peer.port = await listen(server);
    this.portLabels.set(peer.port, label);
    this.peers.push(peer);
    return peer;
  }

  async rawPeer(label: string, respond: (n: number) => string): Promise<RawPeer> {
    const peer = new RawPeer(label, net.createServer(), respond);
    peer.port = await listen(peer.server);
    this.portLabels.set(peer.port, label);
    this.peers.push(peer);
    return peer;
  }

  /**
   * The start of the free-socket scenarios: peer A, a keep-alive agent, request `a` answered
   * and its socket back in the pool (one turn after the response ended).
   */
  async idleAfterOneRequest(
    agentOptions: http.AgentOptions = {},
    peerOptions: Parameters<Run['peer']>[1] = {},
  ): Promise<{ peer: Peer; agent: http.Agent; a: Exchange; socket: net.Socket }> {
    const peer = await this.peer('A', peerOptions);
    const agent = this.agent({ keepAlive: true, ...agentOptions });
    const a = this.get(agent, peer, 'a');
    await a.done;
    await turns();
    return { peer, agent, a, socket: a.req.socket as net.Socket };
  }

  /** Sends `GET /tag` with node's http.request and logs what the request sees. */
  get(agent: http.Agent | false | undefined, peer: { port: number }, tag: string, options: http.RequestOptions = {}): Exchange {
    const req = this.side.request({ host: '127.0.0.1', port: peer.port, path: `/${tag}`, agent, ...options });
    return this.watch(req, tag);
  }

  /** Logs what a request sees, under `tag`. */
  watch(req: http.ClientRequest, tag: string): Exchange {
    req.on('socket', (socket) => this.log(tag, 'socket', this.sock(socket), req.reusedSocket));
    req.on('response', (res) => {
      this.log(tag, 'response', res.statusCode);
      res.on('end', () => this.log(tag, 'end'));
      res.on('error', (err: NodeJS.ErrnoException) => this.log(tag, 'response error', err.code, err.message));
      res.resume();
    });
    req.on('timeout', () => this.log(tag, 'timeout'));
    req.on('error', (err: NodeJS.ErrnoException) => this.log(tag, 'error', err.code, err.message));
    const done = new Promise<void>((resolve) =>
      req.on('close', () => {
        this.log(tag, 'close');
        resolve();
      }),
    );
    req.end();
    return { req, done };
  }

  // Closing the peers closes every connection even if an agent under test is too broken to.
  async cleanup(): Promise<void> {
    for (const peer of this.peers) peer.close();
    const failures: unknown[] = [];
    for (const agent of this.agents) {
      try {
        agent.destroy();
      } catch (err) {
        failures.push(err);
      }
    }
    await turns(2);
    if (failures.length) throw failures[0];
  }

  // Values as the trace keeps them: ports by label, functions by name, undefined spelled out.
  private normalize(value: unknown): unknown {
    const ports = this.portLabels;
    const replacePorts = (text: string) => {
      let out = text;
      for (const [port, label] of ports) out = out.split(String(port)).join(`<${label}>`);
      return out;
    };
    return JSON.parse(
      JSON.stringify(value, (_key, v: unknown) => {
        if (v === undefined) return '<undefined>';
        if (typeof v === 'function') return `<function ${v.name}>`;
        if (typeof v === 'number' && ports.has(v)) return `<${ports.get(v)}>`;
        if (v === Infinity) return '<Infinity>';
        if (typeof v === 'string') return replacePorts(v);
        if (v !== null && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
          return Object.fromEntries(Object.entries(v).map(([key, member]) => [replacePorts(key), member]));
        }
        if (v instanceof http.Agent || v instanceof uvSide.Agent) return '<agent>';
        return v;
      }),
    );
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** Waits for `n` turns of the event loop (timers and I/O callbacks of the turn run). */
export async function turns(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when the socket has emitted 'close' (at once if it already has). */
export function closed(socket: net.Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

const SCENARIO_TIME_LIMIT_MS = 8000;

export type Scenario = (run: Run) => Promise<void>;

/** Runs the scenario with one side, within a time limit; returns its trace. */
export async function runScenario(side: Side, scenario: Scenario): Promise<unknown[]> {
  const run = new Run(side);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${side.name}: scenario did not finish in ${SCENARIO_TIME_LIMIT_MS} ms; trace so far:\n${JSON.stringify(run.trace)}`)),
      SCENARIO_TIME_LIMIT_MS,
    );
  });
  try {
    await Promise.race([scenario(run), limit]);
  } finally {
    clearTimeout(timer);
    await run.cleanup();
  }
  return run.trace;
}

/**
 * The differential check: the scenario's trace with uvhttp's Agent must equal the trace with
 * node's. Returns node's trace, on which a test asserts that the scenario did what it is about
 * (an empty or trivial trace would otherwise compare equal and prove nothing).
 */
export async function differential(scenario: Scenario): Promise<unknown[]> {
  const expected = await runScenario(nodeSide, scenario);
  const actual = await runScenario(uvSide, scenario);
  expect(actual).toEqual(expected);
  return expected;
}
