// http.Agent: the client's connection pool. It only manages sockets; everything HTTP about them
// (parsing, deciding whether a response leaves the connection reusable, emitting the socket's
// 'free') is the ClientRequest's. The contract between the two is Node 20's, because libraries
// subclass Agent and drive it from Node's own ClientRequest:
//
// - ClientRequest calls `agent.addRequest(req, options)`; the agent answers, now or later, with
//   `req.onSocket(socket)` or `req.onSocket(undefined, err)`.
// - When a response is done and the connection may carry another request, ClientRequest emits
//   'free' on the socket; the agent hands the socket to the next queued request for the same
//   pool name, keeps it in `freeSockets`, or destroys it.
// - A socket leaves the pool when it closes, or at once when it emits 'agentRemove' (an upgraded
//   connection that now belongs to the user).
//
// Pools are keyed by `getName(options)`. `sockets[name]` holds sockets in use (and sockets being
// created), `freeSockets[name]` idle ones, `requests[name]` requests waiting for a socket.
import { AsyncResource } from 'async_hooks';
import { EventEmitter } from 'events';
import * as http from 'http';
import * as net from 'net';
import * as tls from 'tls';

import { binding } from './binding';
import { createConnection } from './client-connect';
import { errInvalidArgType, errInvalidArgValue, errOutOfRange } from './errors';
import { lowercase } from './headers';
import { IncomingMessage } from './incoming-message';
import { legacyConstructor } from './legacy-class';
import {
  agentKeylogReachesPooledSockets,
  freeSocketDestroyedOnRead,
  hasAgentKeepAliveTimeoutBuffer,
  hasAgentProxySupport,
  reusedSocketTakesHighWaterMark,
} from './node-features';
import { checkShouldUseProxy, kProxyConfig, parseProxyConfigFromEnv, ProxyConfig, ProxyEnv } from './proxy-env';
import { Socket } from './socket';

// The connector behind `Agent.prototype.createConnection`, used unless a subclass or the user
// overrides it: net.createConnection's contract over a native connection (client-connect.ts).
// Node's is net.createConnection itself.
const connect: CreateConnection = createConnection as unknown as CreateConnection;

// How much sooner than the server's announced `Keep-Alive: timeout=N` (the RFC 2068 §19.7.1.1
// header, still sent by Node and others) an idle socket is given up. RFC 9112 §9.5: "a client
// might have started to send a new request at the same time that the server has decided to
// close the 'idle' connection"; the margin makes that race (an ECONNRESET for the request)
// unlikely. Node 20 uses one second; Node 22.20 and 24.7 make it the agentKeepAliveTimeoutBuffer
// option, one second by default.
const KEEP_ALIVE_HINT_MARGIN_MS = 1000;
const DEFAULT_KEEP_ALIVE_MSECS = 1000;
const DEFAULT_MAX_FREE_SOCKETS = 256;

// What a queued request remembers: the options to create its socket with if another pool frees
// room first, and the async context it was made in, to hand it its socket in.
const kRequestOptions = Symbol('requestOptions');
const kRequestAsyncResource = Symbol('requestAsyncResource');
// Set once somebody listens for 'keylog' on the agent: forwards each socket's 'keylog' to it.
const kOnKeylog = Symbol('onkeylog');

export type AgentOptions = http.AgentOptions & { [option: string]: unknown };

/** The options a pool works with: the request's, overlaid with the agent's own. */
export interface PoolOptions {
  host?: string | null;
  port?: number | string | null;
  localAddress?: string | null;
  family?: number | string | null;
  socketPath?: string | null;
  path?: string | null;
  servername?: string;
  timeout?: number;
  [option: string]: unknown;
}

/** What the agent needs of a request: Node's ClientRequest has all of it, and so must ours. */
export interface AgentRequest {
  onSocket(socket: PooledSocket | undefined, err?: Error): void;
  getHeader(name: string): unknown;
  reusedSocket: boolean;
  shouldKeepAlive: boolean;
  timeout?: number;
  res?: { headers: Record<string, unknown> } | null;
  [kRequestOptions]?: PoolOptions;
  [kRequestAsyncResource]?: AsyncResource | null;
}

/**
 * The socket members the agent uses: all are net.Socket's, plus `_httpMessage` (the request the
 * socket serves, set by ClientRequest) and, when present, `_handle` for async_hooks.
 */
export type PooledSocket = net.Socket & {
  _httpMessage?: AgentRequest | null;
  _handle?: AsyncHandle | null;
};

interface AsyncHandle {
  asyncReset?: (resource: object) => void;
  getProviderType(): number;
}

export type CreateConnection = (
  options: PoolOptions,
  callback: (err: Error | null, socket?: PooledSocket) => void,
) => PooledSocket | null | undefined | void;

type SocketLists = Record<string, PooledSocket[]>;

class AgentMethods extends EventEmitter {
  declare static defaultMaxSockets: number;

  declare defaultPort: number;
  declare protocol: string;
  declare options: AgentOptions;
  declare requests: Record<string, AgentRequest[]>;
  declare sockets: SocketLists;
  declare freeSockets: SocketLists;
  declare keepAliveMsecs: number;
  declare keepAlive: boolean;
  declare maxSockets: number;
  declare maxFreeSockets: number;
  declare scheduling: 'fifo' | 'lifo';
  declare maxTotalSockets: number;
  declare totalSocketCount: number;
  declare agentKeepAliveTimeoutBuffer?: number;
  declare [kProxyConfig]?: ProxyConfig | null;
  declare [kOnKeylog]?: (this: PooledSocket, line: Buffer) => void;
  declare createConnection: CreateConnection;

  /** The pool a request belongs to: requests with the same name may share connections. */
  getName(options: PoolOptions = {}): string {
    return poolName(options.host, options.port, options.localAddress, options.family, options.socketPath);
  }

  // `addRequest(req, host, port, localAddress)` is the API of old Node versions, still accepted.
  addRequest(req: AgentRequest, requestOptions: PoolOptions | string, port?: number | string, localAddress?: string): void {
    if (typeof requestOptions === 'string') {
      requestOptions = nullObject({ host: requestOptions, port, localAddress });
    }
    // The merged options are what getName, createConnection and a queued request see. With
    // Agent's own getName, a request that finds an idle socket needs only the name, and nobody
    // would see them: they are made only when a socket is to be created or the request waits.
    let options: PoolOptions | null = null;
    let name: string;
    if (this.getName === defaultGetName) {
      name = defaultPoolName(this, req, requestOptions);
    } else {
      options = poolOptions(this, req, requestOptions);
      name = this.getName(options);
    }
    if (!this.sockets[name]) this.sockets[name] = [];

    const free = this.freeSockets[name];
    let socket: PooledSocket | undefined;
    if (free) {
      // Sockets destroyed while idle leave the list when they close; skip those at its head that
      // are already gone.
      while (free.length && free[0].destroyed) free.shift();
      socket = this.scheduling === 'fifo' ? free.shift() : free.pop();
      while (socket && freeSocketDestroyedOnRead && hasPendingRead(socket)) {
        socket.destroy();
        socket = this.scheduling === 'fifo' ? free.shift() : free.pop();
      }
      if (!free.length) delete this.freeSockets[name];
    }
    const poolSize = (free ? free.length : 0) + this.sockets[name].length;

    if (socket && reusedSocketTakesHighWaterMark) {
      // The merged options' highWaterMark (the agent's wins), read from the two layers.
      const own = this.options as PoolOptions;
      const highWaterMark = 'highWaterMark' in own ? own.highWaterMark : requestOptions.highWaterMark;
      if (highWaterMark !== null && highWaterMark !== undefined && socket.writableHighWaterMark !== highWaterMark) {
        (socket as unknown as { _writableState: { highWaterMark: unknown } })._writableState.highWaterMark = highWaterMark;
      }
    }
    if (socket) {
      resetAsyncIdentity(socket);
      this.reuseSocket(socket, req);
      giveSocket(this, req, socket);
      this.sockets[name].push(socket);
    } else if (poolSize < this.maxSockets && this.totalSocketCount < this.maxTotalSockets) {
      this.createSocket(req, options ?? poolOptions(this, req, requestOptions), (err, created) => {
        if (err) req.onSocket(created, err);
        else giveSocket(this, req, created as PooledSocket);
      });
    } else {
      if (!this.requests[name]) this.requests[name] = [];
      req[kRequestOptions] = options ?? poolOptions(this, req, requestOptions);
      req[kRequestAsyncResource] = new AsyncResource('QueuedRequest');
      this.requests[name].push(req);
    }
  }

  createSocket(req: AgentRequest, requestOptions: PoolOptions, cb: (err: Error | null, socket?: PooledSocket) => void): void {
    const options = poolOptions(this, req, requestOptions);
    const name = this.getName(options);
    options._agentKey = name;
    options.encoding = null;

    // createConnection may both return the socket and call back (net's calls its callback again,
    // without arguments, on 'connect'): only the first answer counts.
    let answered = false;
    const oncreate = (err: Error | null, socket?: PooledSocket): void => {
      if (answered) return;
      answered = true;
      if (err) {
        cb(err);
        return;
      }
      const created = socket as PooledSocket;
      if (!this.sockets[name]) this.sockets[name] = [];
      this.sockets[name].push(created);
      this.totalSocketCount++;
      installListeners(this, created, options);
      cb(null, created);
    };
    if (this.keepAlive) {
      // TCP keep-alive probes notice a peer that vanished while the connection sat idle in the
      // pool, and keep middleboxes from forgetting the connection.
      options.keepAlive = this.keepAlive;
      options.keepAliveInitialDelay = this.keepAliveMsecs;
    }
    const socket = this.createConnection(options, oncreate);
    if (socket) oncreate(null, socket);
  }

  /** Takes the socket out of the pool's lists, and makes a socket for a waiting request. */
  removeSocket(socket: PooledSocket, options: PoolOptions): void {
    const name = this.getName(options);
    // A socket that can still write is in use (or just freed); one that cannot may be idle too.
    const lists = socket.writable ? [this.sockets] : [this.sockets, this.freeSockets];
    for (const list of lists) {
      const sockets = list[name];
      if (!sockets) continue;
      const index = sockets.indexOf(socket);
      if (index === -1) continue;
      sockets.splice(index, 1);
      if (sockets.length === 0) delete list[name];
    }

    // The room this socket leaves goes to the next request of its own pool, or else to the
    // oldest waiting pool (waiting for maxTotalSockets), if that pool has no socket in use
    // that will serve it.
    let req: AgentRequest | undefined;
    let reqOptions: PoolOptions | undefined = options;
    if (this.requests[name] && this.requests[name].length) {
      req = this.requests[name][0];
    } else {
      const oldest = Object.keys(this.requests)[0];
      if (oldest !== undefined && !(this.sockets[oldest] && this.sockets[oldest].length)) {
        req = this.requests[oldest][0];
        reqOptions = req[kRequestOptions];
      }
    }
    if (req && reqOptions) {
      const waiting = req;
      // Once is enough: a second close must not make this request a second socket.
      waiting[kRequestOptions] = undefined;
      this.createSocket(waiting, reqOptions, (err, created) => {
        // The new socket goes through the 'free' path, which gives it to the first waiting
        // request of its pool.
        if (err) waiting.onSocket(created, err);
        else (created as PooledSocket).emit('free');
      });
    }
  }

  /**
   * Prepares an idle socket to stay in the pool; false means it should be closed instead. The
   * idle timeout is the agent's `timeout` option, shortened to the server's `Keep-Alive:
   * timeout=N` hint less a margin; a hint no longer than the margin forbids reuse. Without a
   * `timeout` option the hint only forbids, as on Node.
   */
  keepSocketAlive(socket: PooledSocket): boolean {
    socket.setKeepAlive(true, this.keepAliveMsecs);
    // An idle pooled socket must not keep the process alive.
    socket.unref();

    let idleTimeout = (this.options.timeout as number | undefined) || 0;
    let reusable = true;
    const res = socket._httpMessage?.res;
    if (res) {
      const hint = keepAliveHint(res);
      if (hint) {
        const seconds = /^timeout=(\d+)/.exec(String(hint))?.[1];
        if (seconds) {
          const margin = hasAgentKeepAliveTimeoutBuffer ? (this.agentKeepAliveTimeoutBuffer as number) : KEEP_ALIVE_HINT_MARGIN_MS;
          const hintTimeout = Math.max(Number.parseInt(seconds, 10) * 1000 - margin, 0);
          if (hintTimeout === 0) reusable = false;
          else if (hintTimeout < idleTimeout) idleTimeout = hintTimeout;
        }
      }
    }
    if (socket.timeout !== idleTimeout) socket.setTimeout(idleTimeout);
    return reusable;
  }

  /** Prepares an idle socket for the request it is given to. */
  reuseSocket(socket: PooledSocket, req: AgentRequest): void {
    socket.removeListener('error', onFreeSocketError);
    if (socket instanceof Socket) socket._destroyOnRead = false;
    req.reusedSocket = true;
    socket.ref();
  }

  /** Destroys every socket, idle and in use; requests in flight see their socket close. */
  destroy(): void {
    for (const lists of [this.freeSockets, this.sockets]) {
      for (const name of Object.keys(lists)) {
        const sockets = lists[name];
        for (let i = 0; i < sockets.length; i++) sockets[i].destroy();
      }
    }
  }
}

// From Node 22.21 and 24.5 the prototype's createConnection is a function of Node's own, which
// connects to the agent's proxy (proxy-env.ts) when one applies to the request, and otherwise
// calls net.createConnection.
AgentMethods.prototype.createConnection = hasAgentProxySupport
  ? function createConnection(this: AgentMethods, ...args: unknown[]): PooledSocket | null | undefined | void {
      const [options, callback] = (net as unknown as { _normalizeArgs(args: unknown[]): [PoolOptions, (() => void) | null] })._normalizeArgs(args);
      const proxy = this[kProxyConfig];
      if (!proxy || !checkShouldUseProxy(proxy, options)) return (connect as (...connectArgs: unknown[]) => PooledSocket)(...args);
      // Only the proxy's address: nothing of the origin's connection options.
      const proxyOptions = { ...proxy.proxyConnectionOptions };
      if (proxy.protocol === 'https:') return tls.connect(proxyOptions, callback ?? undefined) as unknown as PooledSocket;
      return (connect as (...connectArgs: unknown[]) => PooledSocket)(proxyOptions, callback);
    }
  : connect;

const defaultGetName = AgentMethods.prototype.getName;

// The name of a pool: host, port, local address, family and local socket, as Node spells it.
// The last one made is given again for the same parts: a pool's lists are looked up by name
// several times per request, and a string made anew each time costs V8 a string-table lookup at
// each (a key must be internalised), where the same string is looked up at once. Parts that are
// objects are not compared: their text could change.
const lastPoolName: {
  host: unknown;
  port: unknown;
  localAddress: unknown;
  family: unknown;
  socketPath: unknown;
  name: string | null;
} = { host: undefined, port: undefined, localAddress: undefined, family: undefined, socketPath: undefined, name: null };

function poolName(host: unknown, port: unknown, localAddress: unknown, family: unknown, socketPath: unknown): string {
  const last = lastPoolName;
  if (
    last.name !== null &&
    host === last.host &&
    port === last.port &&
    localAddress === last.localAddress &&
    family === last.family &&
    socketPath === last.socketPath
  ) {
    return last.name;
  }
  const name = buildPoolName(host, port, localAddress, family, socketPath);
  if (primitive(host) && primitive(port) && primitive(localAddress) && primitive(family) && primitive(socketPath)) {
    last.host = host;
    last.port = port;
    last.localAddress = localAddress;
    last.family = family;
    last.socketPath = socketPath;
    last.name = name;
  }
  return name;
}

function primitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

function buildPoolName(host: unknown, port: unknown, localAddress: unknown, family: unknown, socketPath: unknown): string {
  let name = `${host || 'localhost'}:`;
  if (port) name += port;
  name += ':';
  if (localAddress) name += localAddress;
  // The family joins the name only when it is 4 or 6, so names without one keep the form they
  // always had (it shows in logs and in libraries' socket names).
  if (family === 4 || family === 6) name += `:${family}`;
  if (socketPath) name += `:${socketPath}`;
  return name;
}

// The request's options with the agent's laid over them (the agent's win), the way both
// addRequest and createSocket see them.
function poolOptions(agent: AgentMethods, req: AgentRequest, requestOptions: PoolOptions): PoolOptions {
  const options = nullObject<PoolOptions>(requestOptions, agent.options as PoolOptions);
  // net connects to a local socket when `path` is set; the agent's options set it to null.
  if (options.socketPath) options.path = options.socketPath;
  if (!options.servername && options.servername !== '') options.servername = serverName(options, req);
  return options;
}

// getName(poolOptions(...)) for Agent's own getName, read from the two layers instead of their
// merge; a Host header that is not a string throws here too, as it does while the merge is made.
function defaultPoolName(agent: AgentMethods, req: AgentRequest, requestOptions: PoolOptions): string {
  const own = agent.options as PoolOptions;
  const servername = 'servername' in own ? own.servername : requestOptions.servername;
  if (!servername && servername !== '') checkHostHeader(req.getHeader('host'));
  return poolName(
    'host' in own ? own.host : requestOptions.host,
    'port' in own ? own.port : requestOptions.port,
    'localAddress' in own ? own.localAddress : requestOptions.localAddress,
    'family' in own ? own.family : requestOptions.family,
    'socketPath' in own ? own.socketPath : requestOptions.socketPath,
  );
}

// The response's Keep-Alive field, as `res.headers['keep-alive']` gives it. Our responses build
// `headers` when first read; one that nobody read is looked up in its raw fields instead (the
// first of several is enough: keepSocketAlive reads only the start of their joined value).
function keepAliveHint(res: { headers: Record<string, unknown> }): unknown {
  if (!(res instanceof IncomingMessage) || res._headersCache !== null) return res.headers['keep-alive'];
  const raw = res.rawHeaders;
  for (let i = 0; i < res._headersCount; i += 2) {
    if (raw[i].length === 10 && lowercase(raw[i]) === 'keep-alive') return raw[i + 1];
  }
  return undefined;
}

function initAgent(this: AgentMethods, options?: AgentOptions): AgentMethods | void {
  if (!(this instanceof Agent)) return new Agent(options);
  EventEmitter.call(this);
  // Node 22.21 and 24.5 take both from the options, so they come after them.
  if (hasAgentProxySupport) {
    this.options = nullObject(options);
    this.defaultPort = (this.options.defaultPort as number) || 80;
    this.protocol = (this.options.protocol as string) || 'http:';
  } else {
    this.defaultPort = 80;
    this.protocol = 'http:';
    this.options = nullObject(options);
  }
  if (this.options.noDelay === undefined) this.options.noDelay = true;
  // The agent's options are laid over each request's before net sees them: a null path keeps a
  // request's URL path from being taken for a local socket's.
  this.options.path = null;
  this.requests = nullObject();
  this.sockets = nullObject();
  this.freeSockets = nullObject();
  this.keepAliveMsecs = this.options.keepAliveMsecs || DEFAULT_KEEP_ALIVE_MSECS;
  this.keepAlive = this.options.keepAlive || false;
  this.maxSockets = this.options.maxSockets || Agent.defaultMaxSockets;
  this.maxFreeSockets = this.options.maxFreeSockets || DEFAULT_MAX_FREE_SOCKETS;
  this.scheduling = this.options.scheduling || 'lifo';
  this.maxTotalSockets = this.options.maxTotalSockets as number;
  this.totalSocketCount = 0;
  if (hasAgentKeepAliveTimeoutBuffer) {
    const buffer = this.options.agentKeepAliveTimeoutBuffer;
    this.agentKeepAliveTimeoutBuffer =
      typeof buffer === 'number' && buffer >= 0 && Number.isFinite(buffer) ? buffer : KEEP_ALIVE_HINT_MARGIN_MS;
  }
  const proxyEnv = this.options.proxyEnv;
  if (hasAgentProxySupport && typeof proxyEnv === 'object' && proxyEnv !== null) {
    this[kProxyConfig] = parseProxyConfigFromEnv(proxyEnv as ProxyEnv, this.protocol);
  }

  if (this.scheduling !== 'fifo' && this.scheduling !== 'lifo') {
    throw errInvalidArgValue('scheduling', this.scheduling, "must be one of: 'fifo', 'lifo'");
  }
  if (this.maxTotalSockets === undefined) {
    this.maxTotalSockets = Infinity;
  } else if (typeof this.maxTotalSockets !== 'number') {
    throw errInvalidArgType('maxTotalSockets', 'of type number', this.maxTotalSockets);
  } else if (!(this.maxTotalSockets >= 1)) {
    throw errOutOfRange('maxTotalSockets', '>= 1', this.maxTotalSockets);
  }

  // A listener, not a method: subclasses add their own 'free' listeners after this one
  // (agentkeepalive adjusts the idle timeout there) and rely on this one running first.
  this.on('free', (socket: PooledSocket, freeOptions: PoolOptions) => onSocketFree(this, socket, freeOptions));
  this.on('newListener', maybeEnableKeylog);
}

/** A socket's request is done with it: give it to a waiting request, keep it idle, or close it. */
function onSocketFree(agent: AgentMethods, socket: PooledSocket, options: PoolOptions): void {
  const name = agent.getName(options);
  // It ended or failed as its last response finished: it cannot carry another request.
  if (!socket.writable) {
    socket.destroy();
    return;
  }

  const queue = agent.requests[name];
  if (queue && queue.length) {
    if (freeSocketDestroyedOnRead && hasPendingRead(socket)) {
      // Its close makes a socket for the waiting request (removeSocket).
      socket.destroy();
      return;
    }
    const req = queue.shift() as AgentRequest;
    const context = req[kRequestAsyncResource];
    if (context) {
      // The request waited; its socket event and response belong to the context it was made in,
      // not to that of the request that freed the socket.
      context.runInAsyncScope(() => {
        resetAsyncIdentity(socket);
        giveSocket(agent, req, socket);
      });
      req[kRequestAsyncResource] = null;
    } else {
      giveSocket(agent, req, socket);
    }
    if (queue.length === 0) delete agent.requests[name];
    return;
  }

  // Nobody waits. Keep it only if the exchange allows reuse (the request's and the response's
  // Connection headers decided shouldKeepAlive) and the pool has room for it.
  const req = socket._httpMessage;
  if (!req || !req.shouldKeepAlive || !agent.keepAlive) {
    socket.destroy();
    return;
  }
  const free = agent.freeSockets[name] || [];
  const inPool = free.length + (agent.sockets[name] ? agent.sockets[name].length : 0);
  if (
    agent.totalSocketCount > agent.maxTotalSockets ||
    inPool > agent.maxSockets ||
    free.length >= agent.maxFreeSockets ||
    !agent.keepSocketAlive(socket)
  ) {
    socket.destroy();
    return;
  }
  agent.freeSockets[name] = free;
  socket._httpMessage = null;
  agent.removeSocket(socket, options);
  // Nobody else listens for errors on an idle socket.
  socket.once('error', onFreeSocketError);
  if (freeSocketDestroyedOnRead && socket instanceof Socket) guardFreeSocket(socket);
  free.push(socket);
}

// Bytes on an idle connection answer no request: kept, they would be read as the response to
// the next request that takes the socket. From 22.23, 24.17 and 26.3.1 Node destroys the socket
// at any read while it is idle (bytes, the peer's end, a read error), without 'error', and the
// socket leaves the pool on 'close'. Node puts the guard on its libuv handle's reads; ours is
// the native socket's (a socket a createConnection made with a handle of Node's has no guard).
function guardFreeSocket(socket: Socket): void {
  if (socket.readableLength > 0) {
    socket.destroy();
    return;
  }
  socket._destroyOnRead = true;
}

// The guard sees only what the loop has read: bytes that reached the kernel since its last poll
// are looked for before a socket that was idle or just freed is handed to a request (Node's
// handle.hasPendingRead(), on the same lines).
function hasPendingRead(socket: PooledSocket): boolean {
  // A connect error still to come is the request's to hear.
  if (socket.connecting) return false;
  // (A native socket without a connection yet has no id: -1.)
  if (socket instanceof Socket) return !socket.destroyed && socket._id !== -1 && binding.hasPendingRead(socket._id);
  const handle = socket._handle as { hasPendingRead?: () => boolean } | null | undefined;
  return typeof handle?.hasPendingRead === 'function' && handle.hasPendingRead() === true;
}

// An idle socket that fails leaves the pool at once, not on 'close': one destroyed with an error,
// or on the lines without the read guard above, one the server reset.
function onFreeSocketError(this: PooledSocket): void {
  this.destroy();
  this.emit('agentRemove');
}

function installListeners(agent: AgentMethods, socket: PooledSocket, options: PoolOptions): void {
  function onFree(): void {
    agent.emit('free', socket, options);
  }
  socket.on('free', onFree);

  // Closing is how a socket leaves the pool: every error ends in 'close' too.
  function onClose(): void {
    agent.totalSocketCount--;
    agent.removeSocket(socket, options);
  }
  socket.on('close', onClose);

  // The idle timeout (keepSocketAlive's) closes an idle socket. A socket in use times out into
  // its request's hands instead ('timeout' on the ClientRequest).
  function onTimeout(): void {
    const idle = Object.keys(agent.freeSockets).some((name) => agent.freeSockets[name].includes(socket));
    if (idle) socket.destroy();
  }
  socket.on('timeout', onTimeout);

  // 'agentRemove' takes the socket out of the pool for good while it stays open: an upgraded
  // or CONNECT connection now belongs to the user.
  function onRemove(): void {
    agent.totalSocketCount--;
    agent.removeSocket(socket, options);
    socket.removeListener('close', onClose);
    socket.removeListener('free', onFree);
    socket.removeListener('timeout', onTimeout);
    socket.removeListener('agentRemove', onRemove);
  }
  socket.on('agentRemove', onRemove);

  const onKeylog = agent[kOnKeylog];
  if (onKeylog) socket.on('keylog', onKeylog);
}

function giveSocket(agent: AgentMethods, req: AgentRequest, socket: PooledSocket): void {
  req.onSocket(socket);
  // A request's own timeout replaces the one the socket has from the agent.
  const agentTimeout = (agent.options.timeout as number | undefined) || 0;
  if (req.timeout === undefined || req.timeout === agentTimeout) return;
  socket.setTimeout(req.timeout);
}

// TLS sockets emit 'keylog'; forwarding costs a listener per socket, so it starts only once the
// agent has a 'keylog' listener.
function maybeEnableKeylog(this: AgentMethods, eventName: string | symbol): void {
  if (eventName !== 'keylog') return;
  this.removeListener('newListener', maybeEnableKeylog);
  const agent = this;
  const onKeylog = function onkeylog(this: PooledSocket, line: Buffer): void {
    agent.emit('keylog', line, this);
  };
  this[kOnKeylog] = onKeylog;
  // Node 24.21 and 26.8 attach it to the sockets already made, idle and in use. Before, Node
  // took each pool for a socket and threw a TypeError; uvhttp attaches it to those in use.
  const lists = agentKeylogReachesPooledSockets ? [this.freeSockets, this.sockets] : [this.sockets];
  for (const list of lists) {
    for (const sockets of Object.values(list)) {
      for (const socket of sockets) socket.on('keylog', onKeylog);
    }
  }
}

// The TLS server name for the connection: the Host header's host if the request has one (it
// names the site even when connecting to an address), else the host; never an IP address
// (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName").
function serverName(options: PoolOptions, req: AgentRequest): string {
  let name = options.host as string;
  const hostHeader = req.getHeader('host');
  if (checkHostHeader(hostHeader)) {
    if (hostHeader[0] === '[') {
      const end = hostHeader.indexOf(']');
      name = end === -1 ? hostHeader : hostHeader.substring(1, end);
    } else {
      name = hostHeader.split(':', 1)[0];
    }
  }
  return net.isIP(name) ? '' : name;
}

// Whether the request has a Host header to take the server name from; one that is not a string
// is the caller's error.
function checkHostHeader(hostHeader: unknown): hostHeader is string {
  if (!hostHeader) return false;
  if (typeof hostHeader !== 'string') throw errInvalidArgType('options.headers.host', 'of type string', hostHeader);
  return true;
}

// async_hooks: a pooled socket's libuv handle keeps the async identity it had when it was made,
// so callbacks on it would run in the first request's context. Node gives the handle a fresh
// identity each time the socket is handed to a request; a handle that cannot (a socket the user
// made, or one without a libuv handle) is left alone.
class ReusedHandle {
  constructor(
    readonly type: number,
    readonly handle: AsyncHandle,
  ) {}
}

function resetAsyncIdentity(socket: PooledSocket): void {
  const handle = socket._handle;
  if (handle && typeof handle.asyncReset === 'function') {
    handle.asyncReset(new ReusedHandle(handle.getProviderType(), handle));
  } else if (typeof (socket as { _asyncReset?: () => void })._asyncReset === 'function') {
    // A native socket: the same, on its own async resource.
    (socket as unknown as { _asyncReset(): void })._asyncReset();
  }
}

// Objects without a prototype, as Node's: a pool name like "__proto__:80:" or "constructor"
// must not find anything it was not given.
function nullObject<T extends object>(...sources: Array<T | undefined>): T {
  return Object.assign(Object.create(null) as T, ...sources);
}

export const Agent = legacyConstructor('Agent', AgentMethods, initAgent);
export type Agent = AgentMethods;

Agent.defaultMaxSockets = Infinity;

// Node's global agent keeps connections alive, and closes idle ones after 5 s. From 22.21 and
// 24.5 it is made with the proxyEnv option too: the environment when NODE_USE_ENV_PROXY=1 or
// --use-env-proxy asks for it (an option value uvhttp cannot read, so it takes what node:http's
// own global agent was given), else undefined.
let currentGlobalAgent: Agent = new Agent(
  hasAgentProxySupport
    ? { keepAlive: true, scheduling: 'lifo', timeout: 5000, proxyEnv: (http.globalAgent as unknown as Agent).options.proxyEnv }
    : { keepAlive: true, scheduling: 'lifo', timeout: 5000 },
);

/** The agent requests use when they name none (`http.globalAgent`, which users may replace). */
export function getGlobalAgent(): Agent {
  return currentGlobalAgent;
}

export function setGlobalAgent(agent: Agent): void {
  currentGlobalAgent = agent;
}
