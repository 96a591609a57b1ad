// http.Server: listens through the native listener and owns the connections it accepted.
import * as net from 'net';
import { getDefaultHighWaterMark } from 'stream';

import { AddressInfo, binding, ListenerSettings, ListenResult } from './binding';
import { openConnection, registerListener, unregisterListener } from './dispatch';
import { errInvalidArgType, errnoException, errServerNotRunning, uvExceptionWithHostPort } from './errors';
import { IncomingMessage } from './incoming-message';
import { claimHandle, listen, NodeHandle } from './listen';
import type { ServerConnection } from './server-connection';
import { ServerResponse } from './server-response';

export interface ServerOptions {
  IncomingMessage?: typeof IncomingMessage;
  ServerResponse?: typeof ServerResponse;
  maxHeaderSize?: number;
  insecureHTTPParser?: boolean;
  requestTimeout?: number;
  headersTimeout?: number;
  keepAliveTimeout?: number;
  connectionsCheckingInterval?: number;
  requireHostHeader?: boolean;
  joinDuplicateHeaders?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  highWaterMark?: number;
  rejectNonStandardBodyWrites?: boolean;
  uniqueHeaders?: Array<string | string[]>;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

// Node's default for --max-http-header-size.
const DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
// Node passes 511 to listen(2) when no backlog is given: the kernel rounds backlog + 1 up to a
// power of two, so the queue holds 512.
const DEFAULT_BACKLOG = 511;
// The port given to the native listen for a local socket (host is then its path).
const LOCAL_SOCKET = -1;

function validateNonNegativeInteger(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw errInvalidArgType(`options.${name}`, 'a non-negative integer', value);
  }
}

// A net.Server subclass as in Node, so `instanceof net.Server` holds for code that checks; the
// listening socket and the connections are native, not net's.
export class Server extends net.Server {
  _IncomingMessage: typeof IncomingMessage;
  _ServerResponse: typeof ServerResponse;
  maxHeaderSize: number | undefined;
  insecureHTTPParser: boolean | undefined;
  private _requestTimeout: number;
  private _headersTimeout: number;
  connectionsCheckingInterval: number;
  private _keepAliveTimeout = 5_000;
  requireHostHeader: boolean;
  joinDuplicateHeaders: boolean | undefined;
  rejectNonStandardBodyWrites: boolean;
  highWaterMark: number | undefined;
  _uniqueHeaders: Set<string> | null;
  httpAllowHalfOpen = false;
  timeout = 0;
  maxHeadersCount: number | null = null;
  maxRequestsPerSocket = 0;
  _listenerId: number | null = null;
  // The handle of Node's this server listens through, if any (listen(handle), a cluster worker's).
  private _nodeHandle: NodeHandle | null = null;
  // net.Server's: the path of the local socket listen() was given.
  _pipeName?: string;
  // net.Server's: bumped by listen() and close(), so a listen waiting for a lookup or for the
  // cluster primary knows it was superseded.
  declare _listeningId: number;
  // net.Server's count of open connections (Node's cluster code reads it for maxConnections).
  declare _connections: number;
  private _connectionSet = new Set<ServerConnection>();
  private _closing = false;
  private _unref = false;

  constructor(options?: ServerOptions | RequestListener, requestListener?: RequestListener) {
    super({ allowHalfOpen: true });
    if (typeof options === 'function') {
      requestListener = options;
      options = {};
    } else if (options === null || options === undefined) {
      options = {};
    } else if (typeof options !== 'object') {
      throw errInvalidArgType('options', 'of type object', options);
    }
    this._IncomingMessage = options.IncomingMessage ?? IncomingMessage;
    this._ServerResponse = options.ServerResponse ?? ServerResponse;
    if (options.maxHeaderSize !== undefined) validateNonNegativeInteger(options.maxHeaderSize, 'maxHeaderSize');
    this.maxHeaderSize = options.maxHeaderSize;
    this.insecureHTTPParser = options.insecureHTTPParser;
    this._requestTimeout = options.requestTimeout ?? 300_000;
    this._headersTimeout = options.headersTimeout ?? Math.min(60_000, this._requestTimeout);
    this._keepAliveTimeout = options.keepAliveTimeout ?? 5_000;
    this.connectionsCheckingInterval = options.connectionsCheckingInterval ?? 30_000;
    this.requireHostHeader = options.requireHostHeader ?? true;
    this.joinDuplicateHeaders = options.joinDuplicateHeaders;
    this.rejectNonStandardBodyWrites = options.rejectNonStandardBodyWrites ?? false;
    this.highWaterMark = options.highWaterMark;
    this._uniqueHeaders = uniqueHeaderSet(options.uniqueHeaders);
    if (requestListener) this.on('request', requestListener);
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
        ? binding.listenOnDescriptor(fd, false, listenBacklog, ...this._listenerSettings())
        : [binding.UV_EINVAL, 'listen'];
    } else if (port === -1 && addressType === -1) {
      result = binding.listen(address as string, LOCAL_SOCKET, listenBacklog, ...this._listenerSettings(), false);
    } else {
      // No address: "::" with IPv4 mapped in, as Node reports it.
      if (!address) errorAddress = '::';
      const ipv6Only = ((flags ?? 0) & binding.UV_TCP_IPV6ONLY) !== 0;
      result = binding.listen(address ?? '', port ?? 0, listenBacklog, ...this._listenerSettings(), ipv6Only);
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
      result = binding.listenOnDescriptor(handle.fd, true, backlogValue(backlog), ...this._listenerSettings());
    } else {
      const errno = handle.listen?.(backlogValue(backlog)) ?? 0;
      result = errno !== 0 ? [errno, 'listen'] : binding.listenerForHandedConnections(...this._listenerSettings());
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
    if (id >= 0) openConnection(this, id);
  }

  private _listenerSettings(): ListenerSettings {
    return [
      this.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE,
      this.insecureHTTPParser === true,
      timeoutValue(this._headersTimeout),
      timeoutValue(this._requestTimeout),
      keepAliveIdle(this._keepAliveTimeout),
      this.highWaterMark ?? getDefaultHighWaterMark(false),
    ];
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

  private _pushTimeouts(): void {
    if (this._listenerId === null) return;
    binding.setServerTimeouts(
      this._listenerId,
      timeoutValue(this._headersTimeout),
      timeoutValue(this._requestTimeout),
      keepAliveIdle(this._keepAliveTimeout),
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

// What Node's handle.listen() takes: the backlog (511 for none), as an int32.
function backlogValue(backlog: unknown): number {
  return ((backlog || DEFAULT_BACKLOG) as number) | 0;
}

// Node's keep-alive timer runs a little past the advertised timeout, so the client closes first
// and never races a request into a connection the server is closing.
const KEEP_ALIVE_TIMEOUT_BUFFER = 1000;

function keepAliveIdle(keepAliveTimeout: number): number {
  return timeoutValue(keepAliveTimeout) > 0 ? timeoutValue(keepAliveTimeout) + KEEP_ALIVE_TIMEOUT_BUFFER : 0;
}

// What native takes: a whole number of milliseconds, 0 for "none" (as Node treats anything
// that is not a positive number).
function timeoutValue(milliseconds: unknown): number {
  return typeof milliseconds === 'number' && milliseconds > 0 ? Math.min(Math.floor(milliseconds), 2 ** 52) : 0;
}

// Node's parseUniqueHeadersOption: names (or lists of names) whose values join on one line.
function uniqueHeaderSet(option: Array<string | string[]> | undefined): Set<string> | null {
  if (option === undefined || option === null) return null;
  if (!Array.isArray(option)) throw errInvalidArgType('options.uniqueHeaders', 'an instance of Array', option);
  const names = new Set<string>();
  for (const entry of option) {
    for (const name of Array.isArray(entry) ? entry : [entry]) names.add(String(name).toLowerCase());
  }
  return names;
}

// net.Server declares `listening` as a property; ours answers from the native listener.
Object.defineProperty(Server.prototype, 'listening', {
  configurable: true,
  enumerable: false,
  get(this: Server): boolean {
    return this._listenerId !== null;
  },
});

export function createServer(options?: ServerOptions | RequestListener, requestListener?: RequestListener): Server {
  return new Server(options, requestListener);
}
