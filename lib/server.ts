// http.Server: listens through the native listener and owns the connections it accepted.
import * as diagnostics from 'diagnostics_channel';
import { EventEmitter } from 'events';
import * as net from 'net';
import { getDefaultHighWaterMark } from 'stream';

import { AddressInfo, binding, ListenResult, NativeSettings, ROLE_SERVER } from './binding';
import { registerListener, unregisterListener } from './native-events';
import type { ListenerOwner } from './native-events';
import { errInvalidArgType, errInvalidArgValue, errnoException, errServerNotRunning, uvExceptionWithHostPort } from './errors';
import { defaultMaxHeaderSize, LENIENT_ALL, LENIENT_NONE, parserLeniency } from './http-common';
import { IncomingMessage } from './incoming-message';
import { claimHandle, listen, NodeHandle } from './listen';
import { hasHttpValidation, hasKeepAliveTimeoutBuffer, hasOptimizeEmptyRequests, hasShouldUpgradeCallback, parserCountsRequestFields, UV_TCP_REUSEPORT } from './node-features';
import { legacyConstructor } from './legacy-class';
import { uniqueHeaderSet } from './outgoing-headers';
import { ServerConnection } from './server-connection';
import { ServerResponse } from './server-response';
import { Socket } from './socket';
import { SocketStandIn } from './socket-stand-in';
import { StreamParser } from './stream-parser';
import { NativeTransport, StreamTransport } from './transport';

const netServerSocketChannel = diagnostics.channel('net.server.socket');

export interface ServerOptions {
  IncomingMessage?: typeof IncomingMessage;
  ServerResponse?: typeof ServerResponse;
  maxHeaderSize?: number;
  insecureHTTPParser?: boolean;
  // Node 24.19 (hasHttpValidation); not together with insecureHTTPParser.
  httpValidation?: 'strict' | 'relaxed' | 'insecure';
  requestTimeout?: number;
  headersTimeout?: number;
  keepAliveTimeout?: number;
  keepAliveTimeoutBuffer?: number;
  connectionsCheckingInterval?: number;
  requireHostHeader?: boolean;
  joinDuplicateHeaders?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  highWaterMark?: number;
  rejectNonStandardBodyWrites?: boolean;
  uniqueHeaders?: Array<string | string[]>;
  shouldUpgradeCallback?: (this: Server, req: IncomingMessage) => boolean;
  optimizeEmptyRequests?: boolean;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

// Node passes 511 to listen(2) when no backlog is given: the kernel rounds backlog + 1 up to a
// power of two, so the queue holds 512.
const DEFAULT_BACKLOG = 511;
// Node's default connectionsCheckingInterval.
const DEFAULT_CHECKING_INTERVAL = 30_000;
// The port given to the native listen for a local socket (host is then its path).
const LOCAL_SOCKET = -1;

function validateNonNegativeInteger(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw errInvalidArgType(`options.${name}`, 'a non-negative integer', value);
  }
}

// A net.Server subclass as in Node, so `instanceof net.Server` holds for code that checks; the
// listening socket and the connections are native, not net's.
class ServerMethods extends net.Server implements ListenerOwner {
  declare _IncomingMessage: typeof IncomingMessage;
  declare _ServerResponse: typeof ServerResponse;
  declare maxHeaderSize: number | undefined;
  declare insecureHTTPParser: boolean | undefined;
  // An own property where the running Node has it (hasHttpValidation).
  declare httpValidation?: string;
  // The parser leniency (parserLeniency's LENIENT_*) and header limit of the native settings,
  // which every connection starts with.
  declare _settingsLeniency: number;
  declare _settingsMaxHeaderSize: number;
  declare _requestTimeout: number;
  declare _headersTimeout: number;
  declare connectionsCheckingInterval: number;
  declare _keepAliveTimeout: number;
  // An own, enumerable property where the running Node has it (hasKeepAliveTimeoutBuffer).
  declare keepAliveTimeoutBuffer?: number;
  declare _keepAliveTimeoutBuffer: number;
  declare requireHostHeader: boolean;
  declare joinDuplicateHeaders: boolean | undefined;
  declare rejectNonStandardBodyWrites: boolean;
  declare highWaterMark: number;
  declare noDelay: boolean;
  declare keepAlive: boolean;
  declare keepAliveInitialDelay: number;
  // optimizeEmptyRequests (24.12+; Node keeps it under a symbol).
  declare _optimizeEmptyRequests: boolean;
  // Whether a request with Upgrade goes to 'upgrade' listeners (own property from 22.21, 24.9).
  declare shouldUpgradeCallback: (this: Server, req: IncomingMessage) => boolean;
  declare _uniqueHeaders: Set<string> | null;
  declare httpAllowHalfOpen: boolean;
  declare timeout: number;
  declare maxHeadersCount: number | null;
  declare _maxHeadersCount: number | null;
  declare maxRequestsPerSocket: number;
  declare _listenerId: number | null;
  // The handle of Node's this server listens through, if any (listen(handle), a cluster worker's).
  declare _nodeHandle: NodeHandle | null;
  // net.Server's: the path of the local socket listen() was given.
  declare _pipeName?: string;
  // net.Server's: bumped by listen() and close(), so a listen waiting for a lookup or for the
  // cluster primary knows it was superseded.
  declare _listeningId: number;
  // net.Server's count of open connections (Node's cluster code reads it for maxConnections).
  declare _connections: number;
  declare _connectionSet: Set<ServerConnection>;
  declare _closing: boolean;
  declare _unref: boolean;
  // Limits and timeouts native reads for every connection of this server (made on first use).
  declare _settings: NativeSettings | null;


  _nativeSettings(): NativeSettings {
    if (this._settings === null) {
      // From the options alone: --insecure-http-parser is read (and warned about) per
      // connection, as Node reads it (_parserLimitsAt).
      const leniency = parserLeniency(this.httpValidation, this.insecureHTTPParser ?? false);
      this._settingsLeniency = leniency;
      this._settingsMaxHeaderSize = connectionMaxHeaderSize(this);
      this._settings = binding.createSettings(
        this._settingsMaxHeaderSize,
        leniency === LENIENT_ALL,
        timeoutValue(this._headersTimeout),
        timeoutValue(this._requestTimeout),
        keepAliveIdle(this._keepAliveTimeout, this._keepAliveTimeoutBuffer),
        this.highWaterMark ?? getDefaultHighWaterMark(false),
        timeoutValue(this.connectionsCheckingInterval) || DEFAULT_CHECKING_INTERVAL,
        maxHeaderFields(this._maxHeadersCount),
        leniency !== LENIENT_NONE,
      );
    }
    return this._settings;
  }

  // Node reads a connection's header limit and parser leniency when it takes the connection
  // (so a change of maxHeaderSize, insecureHTTPParser or httpValidation after listen() applies
  // to the next ones, and --insecure-http-parser warns at the first); native is told only when
  // they are not the settings' own.
  _parserLimitsAt(id: number): void {
    const leniency = parserLeniency(this.httpValidation, this.insecureHTTPParser);
    const maxHeaderSize = connectionMaxHeaderSize(this);
    if (leniency !== this._settingsLeniency || maxHeaderSize !== this._settingsMaxHeaderSize) {
      binding.setConnectionLimits(id, maxHeaderSize, leniency === LENIENT_ALL, leniency !== LENIENT_NONE);
    }
  }

  // A connection the native listener accepted.
  onConnection(id: number): void {
    if (this.maxConnections > 0 && this._connections >= this.maxConnections) {
      // net.Server's rule: over maxConnections the new connection is closed, with a 'drop'.
      const local = binding.localAddress(id);
      const remote = binding.peerAddress(id);
      binding.destroy(id);
      this.emit('drop', Object.assign(Object.create(null), {
        localAddress: local?.address,
        localPort: local?.port,
        localFamily: local?.family,
        remoteAddress: remote?.address,
        remotePort: remote?.port,
        remoteFamily: remote?.family,
      }));
      return;
    }
    this._parserLimitsAt(id);
    // Nobody sees a new connection's socket unless something listens for it here (our own
    // 'connection' listener is always there; APM agents wrap emit to see 'connection'): it is
    // then made now, else the connection starts with a stand-in (socket-stand-in.ts) and the
    // socket is made once user code reaches it.
    if (this.listenerCount('connection') <= 1 && this.emit === EventEmitter.prototype.emit && !netServerSocketChannel.hasSubscribers) {
      const standIn = new SocketStandIn(id);
      const connection = new ServerConnection(this, new NativeTransport(standIn));
      standIn._owner = connection;
      this._applySocketOptions(standIn);
      this._connectionOpened(connection);
      return;
    }
    const socket = new Socket({ allowHalfOpen: true, highWaterMark: this.highWaterMark } as net.SocketConstructorOpts);
    socket._attach(id);
    this._applySocketOptions(socket);
    const connection = new ServerConnection(this, new NativeTransport(socket));
    socket._receiver = connection;
    socket._owner = connection;
    this._connectionOpened(connection);
    this.emit('connection', socket);
    // As net.Server's onconnection, for the connections it accepts (not emit('connection', s)).
    if (netServerSocketChannel.hasSubscribers) netServerSocketChannel.publish({ socket });
  }


  // Node's onconnection: noDelay (on unless the options say otherwise) and keepAlive go to the
  // new connection. Native starts every server connection with TCP_NODELAY on.
  private _applySocketOptions(socket: Socket | SocketStandIn): void {
    if (!this.noDelay) socket.setNoDelay(false);
    if (this.keepAlive) socket.setKeepAlive(true, this.keepAliveInitialDelay * 1000);
  }

  override listen(...args: unknown[]): this {
    listen(this, args);
    return this;
  }

  // Node's setupListenHandle when there is no handle yet: opens the descriptor, or binds the
  // address (every address for none) or the local socket's path, and listens. Errors are
  // emitted on the next tick, with Node's syscall ('listen') whichever step failed.
  _listenLocally(address: string | null, port: number | null, addressType: number | null, backlog: unknown, fd: number | undefined, flags: number | undefined): void {
    const listenBacklog = backlogValue(backlog);
    let result: ListenResult;
    let errorAddress = address;
    if (typeof fd === 'number' && fd >= 0) {
      // Node's createHandle refuses what is not an int32 (validateInt32) as EINVAL.
      result = Number.isInteger(fd) && fd <= 0x7fffffff
        ? binding.listenOnDescriptor(fd, false, listenBacklog, this._nativeSettings())
        : [binding.UV_EINVAL, 'listen'];
    } else if (port === -1 && addressType === -1) {
      result = binding.listen(address as string, LOCAL_SOCKET, listenBacklog, this._nativeSettings(), false, false);
    } else {
      // No address: "::" with IPv4 mapped in, as Node reports it.
      if (!address) errorAddress = '::';
      const ipv6Only = ((flags ?? 0) & binding.UV_TCP_IPV6ONLY) !== 0;
      const reusePort = ((flags ?? 0) & UV_TCP_REUSEPORT) !== 0;
      result = binding.listen(address ?? '', port ?? 0, listenBacklog, this._nativeSettings(), ipv6Only, reusePort);
    }
    if (typeof result !== 'number') {
      this._listenFailed(result[0], errorAddress, port);
      return;
    }
    this._startedListening(result, null);
  }

  // Node's setupListenHandle with a handle: the server listens through a handle of Node's and
  // closes it when it closes. A TCP or Pipe handle's socket is listened on natively through a
  // duplicate of its descriptor; connections the handle itself accepts (or, under the cluster's
  // round-robin, that the primary sends) come to onconnection and are adopted.
  _listenThroughHandle(handle: NodeHandle, address: string | null, port: number | null, backlog: unknown): void {
    claimHandle(handle, this, (error, clientHandle) => this._adoptConnection(error, clientHandle));
    let result: ListenResult;
    if (typeof handle.fd === 'number') {
      result = binding.listenOnDescriptor(handle.fd, true, backlogValue(backlog), this._nativeSettings());
    } else {
      const errno = handle.listen?.(backlogValue(backlog)) ?? 0;
      result = errno !== 0 ? [errno, 'listen'] : binding.listenerForHandedConnections(this._nativeSettings());
    }
    if (typeof result !== 'number') {
      handle.close();
      this._listenFailed(result[0], address, port);
      return;
    }
    this._startedListening(result, handle);
  }

  private _listenFailed(errno: number, address: string | null, port: number | null): void {
    const error = uvExceptionWithHostPort(errno, 'listen', address, port);
    process.nextTick(() => this.emit('error', error));
  }

  private _startedListening(listenerId: number, handle: NodeHandle | null): void {
    this._listenerId = listenerId;
    this._nodeHandle = handle;
    registerListener(listenerId, this);
    if (this._unref) this.unref();
    process.nextTick(() => {
      if (this.listening) this.emit('listening');
    });
  }

  // A connection accepted elsewhere, as a Node handle: served natively from a duplicate of its
  // descriptor, and Node's handle closed. One that cannot be taken (no descriptor left to
  // duplicate) is closed, as a failed accept is.
  private _adoptConnection(errno: number, clientHandle: NodeHandle): void {
    if (errno) {
      this.emit('error', errnoException(errno, 'accept'));
      return;
    }
    const id = this._listenerId === null || typeof clientHandle.fd !== 'number' ? -1 : binding.adoptConnection(this._listenerId, clientHandle.fd);
    clientHandle.close();
    if (id >= 0) this.onConnection(id);
  }



  // The timeouts are read by native at every check, for the connections already open too (as
  // Node's checkConnections and its keep-alive timer read them): setting one after listen()
  // applies at once.
  get headersTimeout(): number {
    return this._headersTimeout;
  }

  set headersTimeout(milliseconds: number) {
    this._headersTimeout = milliseconds;
    this._pushTimeouts();
  }

  get requestTimeout(): number {
    return this._requestTimeout;
  }

  set requestTimeout(milliseconds: number) {
    this._requestTimeout = milliseconds;
    this._pushTimeouts();
  }

  get keepAliveTimeout(): number {
    return this._keepAliveTimeout;
  }

  set keepAliveTimeout(milliseconds: number) {
    this._keepAliveTimeout = milliseconds;
    this._pushTimeouts();
  }

  _pushTimeouts(): void {
    if (this._settings === null) return;
    binding.setTimeouts(
      this._settings,
      timeoutValue(this._headersTimeout),
      timeoutValue(this._requestTimeout),
      keepAliveIdle(this._keepAliveTimeout, this._keepAliveTimeoutBuffer),
    );
  }

  // As net.Server: a TCP listener's address, else the path listen() was given (kept after close),
  // else null (a local socket opened from a descriptor). Under the cluster's round-robin the
  // address is the primary's socket's.
  override address(): AddressInfo | string | null {
    if (this._listenerId !== null) {
      const handle = this._nodeHandle;
      if (handle !== null && typeof handle.fd !== 'number') {
        if (handle.getsockname) {
          const out = {} as AddressInfo;
          handle.getsockname(out);
          return out;
        }
      } else {
        const address = binding.listenerAddress(this._listenerId);
        if (address !== null && typeof address === 'object') return address;
      }
    }
    return this._pipeName ?? null;
  }

  override close(callback?: (error?: Error) => void): this {
    this._listeningId++;
    if (callback) {
      if (this._listenerId === null) {
        this.once('close', () => callback(errServerNotRunning()));
      } else {
        this.once('close', callback);
      }
    }
    if (this._listenerId !== null) {
      binding.closeListener(this._listenerId);
      unregisterListener(this._listenerId);
      this._listenerId = null;
    }
    if (this._nodeHandle !== null) {
      const handle = this._nodeHandle;
      this._nodeHandle = null;
      handle.close();
    }
    this._closing = true;
    // Node 19+: close() also ends connections that are not serving a request.
    this.closeIdleConnections();
    this._maybeEmitClose();
    return this;
  }

  closeAllConnections(): void {
    for (const connection of [...this._connectionSet]) connection.socket.destroy();
  }

  closeIdleConnections(): void {
    for (const connection of [...this._connectionSet]) {
      if (connection.idle) connection.socket.destroy();
    }
  }

  setTimeout(milliseconds: number, callback?: () => void): this {
    this.timeout = milliseconds;
    if (callback) this.on('timeout', callback);
    return this;
  }

  override getConnections(callback: (error: Error | null, count: number) => void): this {
    process.nextTick(callback, null, this._connections);
    return this;
  }

  // As net.Server: applies to the listening handle, now or when listen() creates it.
  override ref(): this {
    this._unref = false;
    if (this._listenerId !== null) binding.refListener(this._listenerId, true);
    this._nodeHandle?.ref?.();
    return this;
  }

  override unref(): this {
    this._unref = true;
    if (this._listenerId !== null) binding.refListener(this._listenerId, false);
    this._nodeHandle?.unref?.();
    return this;
  }

  override async [Symbol.asyncDispose](): Promise<void> {
    await new Promise<void>((resolve, reject) => this.close((error) => (error ? reject(error) : resolve())));
  }

  _connectionOpened(connection: ServerConnection): void {
    this._connectionSet.add(connection);
    this._connections = this._connectionSet.size;
  }

  _connectionClosed(connection: ServerConnection): void {
    this._connectionSet.delete(connection);
    this._connections = this._connectionSet.size;
    this._maybeEmitClose();
  }

  private _maybeEmitClose(): void {
    if (this._closing && this._listenerId === null && this._connectionSet.size === 0) {
      this._closing = false;
      process.nextTick(() => this.emit('close'));
    }
  }
}

// Node's Server is a plain function (http.Server(listener) without `new`, Server.call(this) with
// util.inherits): see legacy-class.ts.
function initServer(this: ServerMethods, options?: ServerOptions | RequestListener, requestListener?: RequestListener): ServerMethods | void {
  if (!(this instanceof Server)) return new Server(options as ServerOptions, requestListener);
  if (typeof options === 'function') {
    requestListener = options;
    options = {};
  } else if (options === null || options === undefined) {
    options = {};
  } else if (typeof options !== 'object') {
    throw errInvalidArgType('options', 'of type object', options);
  }
  // As Node's: net.Server validates and keeps the socket options (server.noDelay, keepAlive,
  // keepAliveInitialDelay in seconds, highWaterMark), and onConnection applies them.
  net.Server.call(this, {
    allowHalfOpen: true,
    noDelay: options.noDelay ?? true,
    keepAlive: options.keepAlive,
    keepAliveInitialDelay: options.keepAliveInitialDelay,
    highWaterMark: options.highWaterMark,
  } as net.ServerOpts);
  this._keepAliveTimeout = 5_000;
  this._keepAliveTimeoutBuffer = KEEP_ALIVE_TIMEOUT_BUFFER;
  this.httpAllowHalfOpen = false;
  this.timeout = 0;
  this._maxHeadersCount = null;
  if (parserCountsRequestFields) {
    // Native counts the fields of each new connection's requests: the value goes there when set.
    Object.defineProperty(this, 'maxHeadersCount', {
      get: () => this._maxHeadersCount,
      set: (count: number | null) => {
        this._maxHeadersCount = count;
        if (this._settings !== null) binding.setMaxHeaderFields(this._settings, maxHeaderFields(count));
      },
      enumerable: true,
      configurable: true,
    });
  } else {
    this.maxHeadersCount = null;
  }
  this.maxRequestsPerSocket = 0;
  this._listenerId = null;
  this._nodeHandle = null;
  this._connectionSet = new Set<ServerConnection>();
  this._closing = false;
  this._unref = false;
  this._settings = null;
  this._IncomingMessage = options.IncomingMessage ?? IncomingMessage;
  this._ServerResponse = options.ServerResponse ?? ServerResponse;
  if (options.maxHeaderSize !== undefined) validateNonNegativeInteger(options.maxHeaderSize, 'maxHeaderSize');
  this.maxHeaderSize = options.maxHeaderSize;
  const insecureHTTPParser = options.insecureHTTPParser;
  if (insecureHTTPParser !== undefined && typeof insecureHTTPParser !== 'boolean') {
    throw errInvalidArgType('options.insecureHTTPParser', 'of type boolean', insecureHTTPParser);
  }
  this.insecureHTTPParser = insecureHTTPParser;
  if (hasHttpValidation) {
    const httpValidation = options.httpValidation;
    if (httpValidation !== undefined) {
      if (httpValidation !== 'strict' && httpValidation !== 'relaxed' && httpValidation !== 'insecure') {
        throw errInvalidArgValue('options.httpValidation', httpValidation, "must be one of: 'strict', 'relaxed', 'insecure'");
      }
      if (insecureHTTPParser !== undefined) {
        throw errInvalidArgValue('options.httpValidation', httpValidation, 'cannot be used together with options.insecureHTTPParser');
      }
    }
    this.httpValidation = httpValidation;
  }
  this._settingsLeniency = LENIENT_NONE;
  this._settingsMaxHeaderSize = 0;
  this._requestTimeout = options.requestTimeout ?? 300_000;
  this._headersTimeout = options.headersTimeout ?? Math.min(60_000, this._requestTimeout);
  this._keepAliveTimeout = options.keepAliveTimeout ?? 5_000;
  if (hasKeepAliveTimeoutBuffer) {
    if (options.keepAliveTimeoutBuffer !== undefined) {
      validateNonNegativeInteger(options.keepAliveTimeoutBuffer, 'keepAliveTimeoutBuffer');
      this._keepAliveTimeoutBuffer = options.keepAliveTimeoutBuffer;
    }
    // Node reads it at the end of each response; native holds the idle time, so a setter.
    Object.defineProperty(this, 'keepAliveTimeoutBuffer', {
      get: () => this._keepAliveTimeoutBuffer,
      set: (milliseconds: number) => {
        this._keepAliveTimeoutBuffer = milliseconds;
        this._pushTimeouts();
      },
      enumerable: true,
      configurable: true,
    });
  }
  this.connectionsCheckingInterval = options.connectionsCheckingInterval ?? DEFAULT_CHECKING_INTERVAL;
  this.requireHostHeader = options.requireHostHeader ?? true;
  this.joinDuplicateHeaders = options.joinDuplicateHeaders;
  this.rejectNonStandardBodyWrites = options.rejectNonStandardBodyWrites ?? false;
  this._optimizeEmptyRequests = false;
  if (hasOptimizeEmptyRequests) {
    const optimize = options.optimizeEmptyRequests;
    if (optimize !== undefined && typeof optimize !== 'boolean') {
      throw errInvalidArgType('options.optimizeEmptyRequests', 'of type boolean', optimize);
    }
    this._optimizeEmptyRequests = optimize === true;
  }
  if (hasShouldUpgradeCallback) {
    const shouldUpgrade = options.shouldUpgradeCallback;
    if (shouldUpgrade !== undefined && typeof shouldUpgrade !== 'function') {
      throw errInvalidArgType('options.shouldUpgradeCallback', 'of type function', shouldUpgrade);
    }
    this.shouldUpgradeCallback = shouldUpgrade ?? upgradeWhenListened;
  }
  this._uniqueHeaders = uniqueHeaderSet(options.uniqueHeaders);
  // As Node's: HTTP is served on every socket that reaches 'connection', the ones this server
  // accepted and any stream given to server.emit('connection', stream).
  this.on('connection', connectionListener);
  if (requestListener) this.on('request', requestListener);
}

export const Server = legacyConstructor('Server', ServerMethods, initServer);
export type Server = ServerMethods;

// The parser's field count limit for a maxHeadersCount (Node 22+: its parser's maxHeaderPairs,
// count << 1, or 2000 entries when not a number; none at or below 0), or 0 where Node 20 leaves
// the count to JS.
function maxHeaderFields(count: number | null): number {
  if (!parserCountsRequestFields) return 0;
  const pairs = typeof count === 'number' ? count << 1 : 2000;
  return pairs > 0 ? pairs >>> 1 : 0;
}

// Node's default shouldUpgradeCallback: an upgrade when someone listens for it.
function upgradeWhenListened(this: Server): boolean {
  return this.listenerCount('upgrade') > 0;
}

// What Node's handle.listen() takes: the backlog (511 for none), as an int32.
function backlogValue(backlog: unknown): number {
  return ((backlog || DEFAULT_BACKLOG) as number) | 0;
}

// Node's keep-alive timer runs a little past the advertised timeout, so the client closes first
// and never races a request into a connection the server is closing: 1 s, or from Node 22.19 /
// 24.6 server.keepAliveTimeoutBuffer (a value that is not a finite non-negative number counts
// as 1 s, as there).
const KEEP_ALIVE_TIMEOUT_BUFFER = 1000;

function keepAliveIdle(keepAliveTimeout: number, buffer: number): number {
  const extra = Number.isFinite(buffer) && buffer >= 0 ? buffer : KEEP_ALIVE_TIMEOUT_BUFFER;
  return timeoutValue(keepAliveTimeout) > 0 ? timeoutValue(keepAliveTimeout) + extra : 0;
}

// What native takes: a whole number of milliseconds, 0 for "none" (as Node treats anything
// that is not a positive number).
function timeoutValue(milliseconds: unknown): number {
  return typeof milliseconds === 'number' && milliseconds > 0 ? Math.min(Math.floor(milliseconds), 2 ** 52) : 0;
}


// net.Server declares `listening` as a property; ours answers from the native listener.
Object.defineProperty(Server.prototype, 'listening', {
  configurable: true,
  enumerable: false,
  get(this: Server): boolean {
    return this._listenerId !== null;
  },
});

// The header limit of a connection taken now: 0 or none is --max-http-header-size (Node hands
// `server.maxHeaderSize || 0` to its parser).
function connectionMaxHeaderSize(server: Server): number {
  return server.maxHeaderSize || defaultMaxHeaderSize;
}

// Serves HTTP on a stream this server did not accept (emit('connection', stream): a TLS
// socket, a socket from another server, any Duplex): the same native parser, fed from JS.
function connectionListener(this: Server, socket: net.Socket): void {
  const own = socket as unknown as Partial<Socket>;
  if (own._receiver !== undefined && own._receiver !== null) return;
  const parser = new StreamParser(socket, ROLE_SERVER, this._nativeSettings());
  this._parserLimitsAt(parser.id);
  // eslint-disable-next-line prefer-const
  let connection: ServerConnection;
  const transport = new StreamTransport(socket, parser, () => connection.onSocketDrain());
  connection = new ServerConnection(this, transport);
  parser.receiver = connection;
  socket.on('timeout', () => connection.onSocketTimeout());
  socket.on('close', () => {
    parser.free();
    connection.onSocketClose();
  });
  this._connectionOpened(connection);
}

export function createServer(options?: ServerOptions | RequestListener, requestListener?: RequestListener): Server {
  return new Server(options, requestListener);
}
