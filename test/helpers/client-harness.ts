// Differential harness for the client (ClientRequest, the response IncomingMessage): a scenario
// runs once with node:http's request/get/Agent and once with uvhttp's, against real servers on
// 127.0.0.1, and records what a caller observes: the request's and the response's events in
// order, the response head (status, headers, rawHeaders), the body bytes, trailers, errors with
// code and message, and the bytes each raw server received. Server ports are written as the
// server's label, so the two traces compare with toEqual. The trace is taken when the scenario
// is done (and a few turns later), before the servers are closed.
import * as http from 'node:http';
import * as net from 'node:net';

import * as uvhttp from '../../lib';

export interface ClientSide {
  name: 'node' | 'uvhttp';
  http: typeof http;
}

export const nodeClient: ClientSide = { name: 'node', http };
export const uvClient: ClientSide = { name: 'uvhttp', http: uvhttp as unknown as typeof http };

/** One connection a RawServer accepted: every byte it received, and a way to wait for more. */
export class RawConn {
  // Every byte so far, in a buffer that doubles when full: a check after each chunk sees all of
  // it without copying everything again (an 8 MB upload arrives in ~128 reads).
  private store = Buffer.alloc(0);
  private length = 0;
  private consumed = 0;
  private waiters: Array<() => void> = [];
  ended = false;

  constructor(readonly socket: net.Socket) {
    socket.on('error', () => {});
    socket.on('data', (data) => {
      this.append(data);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  get received(): Buffer {
    return this.store.subarray(0, this.length);
  }

  private append(data: Buffer): void {
    if (this.length + data.length > this.store.length) {
      const grown = Buffer.alloc(Math.max(2 * this.store.length, this.length + data.length, 4096));
      this.store.copy(grown, 0, 0, this.length);
      this.store = grown;
    }
    data.copy(this.store, this.length);
    this.length += data.length;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once `test(unconsumed bytes)` gives a length to consume (or rejects after ms). */
  private take(test: (rest: Buffer) => number, what: string, ms: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw server: no ${what} within ${ms} ms; got ${JSON.stringify(this.received.toString('latin1'))}`)), ms);
      const check = () => {
        const rest = this.received.subarray(this.consumed);
        const n = test(rest);
        if (n >= 0) {
          clearTimeout(timer);
          this.consumed += n;
          resolve(Buffer.from(rest.subarray(0, n)));
        } else if (this.ended) {
          clearTimeout(timer);
          reject(new Error(`raw server: connection ended before ${what}; got ${JSON.stringify(this.received.toString('latin1'))}`));
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  /** The next request head (through its empty line). */
  head(ms = 3000): Promise<string> {
    return this.take(
      (rest) => {
        const end = rest.indexOf('\r\n\r\n');
        return end < 0 ? -1 : end + 4;
      },
      'request head',
      ms,
    ).then((b) => b.toString('latin1'));
  }

  /** The next request, head and body (framed by Content-Length or chunked, else none). */
  async request(ms = 3000): Promise<string> {
    const head = await this.head(ms);
    const cl = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
    if (cl) return head + (await this.take((rest) => (rest.length >= Number(cl[1]) ? Number(cl[1]) : -1), 'request body', ms)).toString('latin1');
    if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) {
      const body = await this.take(
        (rest) => {
          // The last chunk and an empty trailer section (the harness's clients send no trailers).
          const s = rest.toString('latin1');
          const end = s.startsWith('0\r\n\r\n') ? 0 : s.indexOf('\r\n0\r\n\r\n');
          if (end < 0) return -1;
          return end === 0 && s.startsWith('0\r\n\r\n') ? 5 : end + 7;
        },
        'chunked request body',
        ms,
      );
      return head + body.toString('latin1');
    }
    return head;
  }

  /** The next n bytes. */
  bytes(n: number, ms = 3000): Promise<string> {
    return this.take((rest) => (rest.length >= n ? n : -1), `${n} bytes`, ms).then((b) => b.toString('latin1'));
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  end(data?: string | Buffer): void {
    if (data !== undefined) this.write(data);
    this.socket.end();
  }
}

/** A net server whose connections a script answers with literal bytes. */
export class RawServer {
  readonly conns: RawConn[] = [];
  readonly errors: unknown[] = [];
  port = 0;

  constructor(
    readonly label: string,
    readonly server: net.Server,
    script: (conn: RawConn, index: number) => Promise<void> | void,
  ) {
    server.on('connection', (socket) => {
      socket.setNoDelay(true);
      const conn = new RawConn(socket);
      const index = this.conns.length;
      this.conns.push(conn);
      Promise.resolve()
        .then(() => script(conn, index))
        .catch((err) => this.errors.push(String(err)));
    });
  }

  close(): void {
    for (const conn of this.conns) conn.socket.destroy();
    this.server.close();
  }
}

/** A script answering each request (head and body) on a connection with `responses[n]`, in turn. */
export function answers(...responses: string[]): (conn: RawConn) => Promise<void> {
  return async (conn) => {
    for (const response of responses) {
      await conn.request();
      conn.write(response);
    }
  };
}

export interface WatchOptions {
  /** Read the response body (default), or leave it unread. */
  read?: boolean;
  /** Also log 'drain' on the request. */
  drain?: boolean;
  /** Don't call req.end() (the scenario writes the body). */
  keepOpen?: boolean;
  /**
   * Log errors by name, code and message only: where the bytes arrive in reads of sizes the
   * scenario does not control (an endless head), bytesParsed and rawPacket depend on them.
   */
  briefErrors?: boolean;
}

export interface Exchange {
  req: http.ClientRequest;
  /** The response, once it came. */
  response: Promise<http.IncomingMessage>;
  /** Resolves when the request has closed, and the response too if one came. */
  done: Promise<void>;
}

export function describeError(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException & { bytesParsed?: number; rawPacket?: Buffer; reason?: string };
  // node's own errors come from another realm than jest's: not instanceof this Error.
  if (err === null || typeof err !== 'object' || typeof (err as Error).message !== 'string') return { thrown: String(err) };
  const out: Record<string, unknown> = { name: e.name, code: e.code, message: e.message };
  if (e.reason !== undefined) {
    // A parse error's reason is the parser's own wording (uvhttp's parser is not llhttp, and
    // words its reasons for its own checks: docs/PARSER.md); what compares is the code, where
    // it stopped (bytesParsed), the packet, and the message's shape.
    out.message = e.message === `Parse Error: ${e.reason}` ? 'Parse Error: <reason>' : e.message;
    out.reason = typeof e.reason;
  }
  if (e.bytesParsed !== undefined) out.bytesParsed = e.bytesParsed;
  if (e.rawPacket !== undefined) out.rawPacket = Buffer.from(e.rawPacket).toString('latin1');
  if (e.syscall !== undefined) out.syscall = e.syscall;
  for (const key of ['address', 'port'] as const) if ((e as unknown as Record<string, unknown>)[key] !== undefined) out[key] = (e as unknown as Record<string, unknown>)[key];
  return out;
}

export function briefError(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  return { name: e?.name, code: e?.code, message: e?.message };
}

/** What `fn` throws, as a comparable value ('no error' if nothing). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return describeError(err);
  }
  return 'no error';
}

/** One run of a scenario on one side: what it needs, and the trace it leaves. */
export class ClientRun {
  readonly trace: unknown[] = [];
  private readonly portLabels = new Map<number, string>();
  private readonly closers: Array<() => void> = [];
  private readonly agents: http.Agent[] = [];

  constructor(readonly side: ClientSide) {}

  get http(): typeof http {
    return this.side.http;
  }

  log(...entry: unknown[]): void {
    this.trace.push(this.normalize(entry));
  }

  /** A new agent of this side, destroyed when the run ends. */
  agent(options?: http.AgentOptions): http.Agent {
    const agent = new this.side.http.Agent(options);
    this.agents.push(agent);
    return agent;
  }

  /** A raw net server on 127.0.0.1:0 whose connections `script` answers. */
  async rawServer(label: string, script: (conn: RawConn, index: number) => Promise<void> | void): Promise<RawServer> {
    const raw = new RawServer(label, net.createServer(), script);
    raw.port = await listen(raw.server);
    this.portLabels.set(raw.port, label);
    this.closers.push(() => raw.close());
    return raw;
  }

  /** A node:http server (the client's peer is always node's server) on 127.0.0.1:0. */
  async nodeServer(label: string, handler: http.RequestListener, options: http.ServerOptions = {}): Promise<{ server: http.Server; port: number }> {
    const server = http.createServer(options, handler);
    const port = await listen(server);
    this.portLabels.set(port, label);
    this.closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
    return { server, port };
  }

  /** Registers something to close when the run ends. */
  onCleanup(fn: () => void): void {
    this.closers.push(fn);
  }

  /** Names a port in the trace (a port the trace may meet that no server of the run has). */
  labelPort(port: number, label: string): void {
    this.portLabels.set(port, label);
  }

  /** request() of this side to the server, with a fresh agent of this side unless one is given; watched and ended. */
  request(server: { port: number }, tag: string, options: http.RequestOptions = {}, watch: WatchOptions = {}): Exchange {
    const opts: http.RequestOptions = { host: '127.0.0.1', port: server.port, path: `/${tag}`, ...options };
    if (!('agent' in options) && !options.createConnection) opts.agent = this.agent();
    return this.watch(this.side.http.request(opts), tag, watch);
  }

  /** Logs what a request and its response show, under `tag`. */
  watch(req: http.ClientRequest, tag: string, options: WatchOptions = {}): Exchange {
    let resolveResponse: (res: http.IncomingMessage) => void = () => {};
    const response = new Promise<http.IncomingMessage>((resolve) => (resolveResponse = resolve));
    let resClosed: Promise<void> = Promise.resolve();
    req.on('socket', () => this.log(tag, 'socket', req.reusedSocket));
    for (const event of ['finish', 'timeout', 'abort', 'continue']) req.on(event, () => this.log(tag, event));
    if (options.drain) req.on('drain', () => this.log(tag, 'drain'));
    req.on('information', (info: http.InformationEvent) =>
      this.log(tag, 'information', info.statusCode, info.statusMessage, info.httpVersion, info.headers, info.rawHeaders),
    );
    const describe = options.briefErrors ? briefError : describeError;
    req.on('error', (err) => this.log(tag, 'error', describe(err)));
    req.on('response', (res) => {
      this.log(tag, 'response', res.statusCode, res.statusMessage, res.httpVersion, res.headers, res.rawHeaders);
      const body: Buffer[] = [];
      if (options.read !== false) res.on('data', (chunk: Buffer) => body.push(chunk));
      res.on('end', () => this.log(tag, 'res end', Buffer.concat(body).toString('latin1'), res.complete, res.trailers, res.rawTrailers));
      res.on('aborted', () => this.log(tag, 'res aborted', res.complete));
      res.on('error', (err) => this.log(tag, 'res error', describe(err)));
      res.on('timeout', () => this.log(tag, 'res timeout'));
      resClosed = new Promise((resolve) =>
        res.on('close', () => {
          this.log(tag, 'res close', Buffer.concat(body).length);
          resolve();
        }),
      );
      resolveResponse(res);
    });
    const done = new Promise<void>((resolve) =>
      req.on('close', () => {
        this.log(tag, 'close');
        resolve();
      }),
    ).then(() => resClosed);
    if (!options.keepOpen) req.end();
    return { req, response, done };
  }

  async cleanup(): Promise<void> {
    for (const agent of this.agents) agent.destroy();
    for (const close of this.closers) close();
    await turns(2);
  }

  // Values as the trace keeps them: ports by label, undefined spelled out.
  normalize(value: unknown): unknown {
    const ports = this.portLabels;
    const replacePorts = (text: string) => {
      let out = text;
      for (const [port, label] of ports) out = out.split(`:${port}`).join(`:<${label}>`);
      return out;
    };
    return JSON.parse(
      JSON.stringify(value, (_key, v: unknown) => {
        if (v === undefined) return '<undefined>';
        if (typeof v === 'function') return `<function ${v.name}>`;
        if (typeof v === 'number' && ports.has(v)) return `<${ports.get(v)}>`;
        if (typeof v === 'string') return replacePorts(v);
        if (v !== null && typeof v === 'object' && (v as { type?: string }).type === 'Buffer') return v;
        if (v !== null && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
          return Object.fromEntries(Object.entries(v).map(([key, member]) => [replacePorts(key), member]));
        }
        return v;
      }),
    );
  }
}

export function listen(server: net.Server, target?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const onListening = () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    };
    if (target !== undefined) server.listen(target, onListening);
    else server.listen(0, '127.0.0.1', onListening);
  });
}

/** Waits for `n` turns of the event loop. */
export async function turns(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects after ms with `what`, unless the promise settles first. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]);
}

const SCENARIO_TIME_LIMIT_MS = 8000;

export type ClientScenario = (run: ClientRun) => Promise<void>;

/** Runs the scenario with one side, within a time limit; returns its trace. */
export async function runClientScenario(side: ClientSide, scenario: ClientScenario): Promise<unknown[]> {
  const run = new ClientRun(side);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${side.name}: scenario did not finish in ${SCENARIO_TIME_LIMIT_MS} ms; trace so far:\n${JSON.stringify(run.trace, null, 1)}`)),
      SCENARIO_TIME_LIMIT_MS,
    );
  });
  let trace: unknown[];
  try {
    await Promise.race([scenario(run), limit]);
    // Events that follow the last awaited one in the same few turns belong to the scenario.
    await turns(3);
    trace = run.trace.slice();
  } finally {
    clearTimeout(timer);
    await run.cleanup();
  }
  return trace;
}

/**
 * The differential check: the scenario's trace with uvhttp's client must equal the trace with
 * node's. Returns node's trace, on which a test asserts the facts the scenario is about (two
 * empty traces would otherwise compare equal and prove nothing).
 */
export async function differential(scenario: ClientScenario): Promise<unknown[]> {
  const expected = await runClientScenario(nodeClient, scenario);
  const actual = await runClientScenario(uvClient, scenario);
  expect(actual).toEqual(expected);
  return expected;
}

/** The entries of a trace whose second member is `event` (for assertions on node's trace). */
export function events(trace: unknown[], event: string): unknown[][] {
  return (trace as unknown[][]).filter((entry) => Array.isArray(entry) && entry[1] === event);
}

/** The event names of a trace, in order, for one tag. */
export function eventNames(trace: unknown[], tag: string): string[] {
  return (trace as unknown[][]).filter((entry) => Array.isArray(entry) && entry[0] === tag).map((entry) => String(entry[1]));
}

/** The first values of the untagged entries `run.log(name, value, ...)` of a trace. */
export function logged(trace: unknown[], name: string): unknown[] {
  return (trace as unknown[][]).filter((entry) => Array.isArray(entry) && entry[0] === name).map((entry) => entry[1]);
}
