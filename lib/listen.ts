// server.listen(): every argument shape Node's net.Server#listen accepts, with its errors and in
// its order (a callback is registered before a bad port throws, as there), and where the
// listening socket comes from: an address to bind, a local socket's path, an open descriptor
// (listen({ fd }), systemd's fd 3), a Node handle (listen(handle), listen(netServer)), or, in a
// cluster worker, the primary (cluster._getServer), as Node's lib/net.js decides.
import * as dns from 'dns';
import * as fs from 'fs';
import { Socket as NetSocket } from 'net';

import { binding } from './binding';
import { hasReusePort, listenFlagsWithoutHost, pipeChmodSetsMode, UV_TCP_REUSEPORT } from './node-features';
import { errInvalidArgType, errInvalidArgValue, errnoException, errServerAlreadyListen, errSocketBadPort, exceptionWithHostPort } from './errors';

// A handle of Node's that a server can listen through: a TCP or Pipe handle (from listen(handle)
// or the cluster primary's shared handle), or the stand-in Node's cluster gives a worker under
// round-robin, which has no descriptor: the primary accepts and sends each connection over IPC
// to `onconnection`.
export interface NodeHandle {
  fd?: number;
  close(callback?: () => void): void;
  listen?(backlog: number): number;
  ref?(): void;
  unref?(): void;
  getsockname?(out: object): number;
  onconnection?: (error: number, clientHandle: NodeHandle) => void;
  [key: symbol]: unknown;
}

// What listen() needs of the server (lib/server.ts implements it).
export interface ListeningServer {
  _listeningId: number;
  _pipeName?: string;
  readonly listening: boolean;
  once(event: 'listening' | 'close', listener: () => void): this;
  emit(event: 'error', error: Error): boolean;
  close(): this;
  // Node's setupListenHandle without a handle: bind (or open `fd`) and listen.
  _listenLocally(address: string | null, port: number | null, addressType: number | null, backlog: unknown, fd: number | undefined, flags: number | undefined): void;
  // Node's setupListenHandle with a handle: listen through it.
  _listenThroughHandle(handle: NodeHandle, address: string | null, port: number | null, backlog: unknown): void;
}

interface ListenOptions {
  port?: unknown;
  host?: unknown;
  path?: unknown;
  fd?: unknown;
  backlog?: unknown;
  exclusive?: unknown;
  ipv6Only?: unknown;
  reusePort?: unknown;
  readableAll?: unknown;
  writableAll?: unknown;
  signal?: unknown;
  _handle?: unknown;
  handle?: unknown;
}

interface ClusterModule {
  isPrimary: boolean;
  _getServer(server: ListeningServer, query: object, callback: (errno: number, handle: NodeHandle | null) => void): void;
}

// uv_pipe_chmod's modes for readableAll and writableAll.
const READABLE_ALL = 0o444;
const WRITABLE_ALL = 0o222;

export function listen(server: ListeningServer, args: unknown[]): void {
  const [normalized, callback] = normalizeArgs(args);
  if (server.listening) throw errServerAlreadyListen();
  if (callback !== null) server.once('listening', callback);
  // (handle, backlog), (path, backlog), (port, backlog) or (port, host, backlog)
  const backlogFromArgs = toNumber(args.length > 1 && args[1]) || toNumber(args.length > 2 && args[2]);
  const options = (normalized._handle || normalized.handle || normalized) as ListenOptions;
  const reusePort = hasReusePort && options.reusePort === true;
  const flags = (options.ipv6Only === true ? binding.UV_TCP_IPV6ONLY : 0) | (reusePort ? UV_TCP_REUSEPORT : 0);
  // A listen still waiting for a lookup or the primary is superseded.
  server._listeningId++;
  if (isTcpHandle(options)) {
    server._listenThroughHandle(options, null, -1, backlogFromArgs);
    return;
  }
  closeOnAbort(server, options);
  if (typeof options.fd === 'number' && options.fd >= 0) {
    listenInCluster(server, null, null, null, backlogFromArgs, options.fd, false);
    return;
  }
  // listen(), listen(null), listen(cb), listen({ port: undefined }): any free port.
  if (args.length === 0 || typeof args[0] === 'function' || (options.port === undefined && 'port' in options) || options.port === null) {
    options.port = 0;
  }
  if (typeof options.port === 'number' || typeof options.port === 'string') {
    validatePort(options.port);
    const port = (options.port as number) | 0;
    const backlog = options.backlog || backlogFromArgs;
    // Each process (or cluster worker) binds its own socket to share the port through the kernel.
    if (reusePort) options.exclusive = true;
    if (options.host) {
      lookupAndListen(server, port, options.host as string, backlog, options.exclusive, flags);
    } else {
      // Node 20 leaves the flags out here: ipv6Only takes effect only with a host ('::').
      listenInCluster(server, null, port, 4, backlog, undefined, options.exclusive, listenFlagsWithoutHost ? flags : undefined);
    }
    return;
  }
  if (options.path && isPipeName(options.path)) {
    listenOnPath(server, options, backlogFromArgs);
    return;
  }
  if (!('port' in options || 'path' in options)) {
    throw errInvalidArgValue('options', options, 'must have the property "port" or "path"');
  }
  throw errInvalidArgValue('options', options);
}

// net's normalizeArgs: (options[, cb]), (path[, cb]) or ([port][, host][, cb]), the backlog
// being read separately.
function normalizeArgs(args: unknown[]): [ListenOptions, (() => void) | null] {
  if (args.length === 0) return [{}, null];
  const first = args[0];
  let options: ListenOptions = {};
  if (typeof first === 'object' && first !== null) {
    options = first as ListenOptions;
  } else if (isPipeName(first)) {
    options.path = first;
  } else {
    options.port = first;
    if (args.length > 1 && typeof args[1] === 'string') options.host = args[1];
  }
  const last = args[args.length - 1];
  return [options, typeof last === 'function' ? (last as () => void) : null];
}

function toNumber(value: unknown): number | false {
  const number = Number(value);
  return number >= 0 ? number : false;
}

// A string that is not a number names a local socket ('8080' is a port, '-1' a path).
function isPipeName(value: unknown): value is string {
  return typeof value === 'string' && toNumber(value) === false;
}

// Node's validatePort: a number or numeric string (' 80 ', '0x50', '1e3') of an integer 0-65535.
function validatePort(port: unknown): void {
  if (
    (typeof port === 'string' && port.trim().length === 0) ||
    +(port as number) !== +(port as number) >>> 0 ||
    (port as number) > 0xffff
  ) {
    throw errSocketBadPort('options.port', port);
  }
}

// Node's `options instanceof TCP`: a TCP handle is taken over as it is, even in a cluster worker.
function isTcpHandle(value: unknown): value is NodeHandle {
  return typeof value === 'object' && value !== null && (value as { constructor?: { name?: string } }).constructor?.name === 'TCP' && typeof (value as NodeHandle).fd === 'number';
}

// listen({ signal }): the server closes when the signal aborts.
function closeOnAbort(server: ListeningServer, options: ListenOptions): void {
  const signal = options.signal;
  if (signal === undefined) return;
  if (signal === null || typeof signal !== 'object' || !('aborted' in signal)) {
    throw errInvalidArgType('options.signal', 'an instance of AbortSignal', signal);
  }
  const abortSignal = signal as AbortSignal;
  const onAbort = () => server.close();
  if (abortSignal.aborted) {
    process.nextTick(onAbort);
    return;
  }
  abortSignal.addEventListener('abort', onAbort, { once: true });
  server.once('close', () => abortSignal.removeEventListener('abort', onAbort));
}

function lookupAndListen(server: ListeningServer, port: number, host: string, backlog: unknown, exclusive: unknown, flags: number): void {
  const listeningId = server._listeningId;
  dns.lookup(host, (error, address, family) => {
    if (listeningId !== server._listeningId) return;
    if (error) server.emit('error', error);
    else listenInCluster(server, address, port, address ? family : 4, backlog, undefined, exclusive, flags);
  });
}

function listenOnPath(server: ListeningServer, options: ListenOptions, backlogFromArgs: unknown): void {
  const path = options.path as string;
  if (path[0] === '\0' && (options.readableAll || options.writableAll)) {
    // Node's wording, typo included.
    throw errInvalidArgValue('options', options, 'can not set readableAll or writableAllt to true when path is abstract unix socket');
  }
  server._pipeName = path;
  const backlog = options.backlog || backlogFromArgs;
  listenInCluster(server, path, -1, -1, backlog, undefined, options.exclusive, undefined, {
    readableAll: options.readableAll,
    writableAll: options.writableAll,
  });
  // In a worker the handle comes later, and the primary applies the modes.
  if (!server.listening) return;
  const mode = (options.readableAll === true ? READABLE_ALL : 0) | (options.writableAll === true ? WRITABLE_ALL : 0);
  if (mode !== 0) chmodPipe(server, path, mode);
}

// uv_pipe_chmod: sets the mode (libuv 1.51 and later), or adds the permission bits to the
// socket file unless it has them (earlier).
function chmodPipe(server: ListeningServer, path: string, mode: number): void {
  try {
    if (pipeChmodSetsMode) {
      fs.chmodSync(path, mode);
      return;
    }
    const current = fs.statSync(path).mode;
    if ((current & mode) !== mode) fs.chmodSync(path, (current | mode) & 0o7777);
  } catch (error) {
    server.close();
    throw errnoException((error as NodeJS.ErrnoException).errno ?? binding.UV_EINVAL, 'uv_pipe_chmod');
  }
}

let cluster: ClusterModule | undefined;

// Node's listenInCluster: a primary (or an exclusive listen) opens its own socket; a worker asks
// the primary, which binds once per address and either shares the listening handle with every
// worker (SCHED_NONE) or accepts itself and sends each connection to one worker in turn
// (SCHED_RR, the default).
function listenInCluster(
  server: ListeningServer,
  address: string | null,
  port: number | null,
  addressType: number | null,
  backlog: unknown,
  fd: number | undefined,
  exclusive: unknown,
  flags?: number,
  pipeModes?: object,
): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  cluster ??= require('cluster') as ClusterModule;
  if (cluster.isPrimary || exclusive) {
    server._listenLocally(address, port, addressType, backlog, fd, flags);
    return;
  }
  const query = { address, port, addressType, fd, flags, backlog, ...pipeModes };
  const listeningId = server._listeningId;
  cluster._getServer(server, query, (errno, handle) => {
    if (listeningId !== server._listeningId) {
      handle?.close();
      return;
    }
    errno = checkBindError(errno, port, handle);
    if (errno) {
      server.emit('error', exceptionWithHostPort(errno, 'bind', address, port));
      return;
    }
    server._listenThroughHandle(handle as NodeHandle, address, port, backlog);
  });
}

// A failed bind followed by listen() binds a random port: the primary's socket must be on the
// port asked for.
function checkBindError(errno: number, port: number | null, handle: NodeHandle | null): number {
  if (errno === 0 && port !== null && port > 0 && handle?.getsockname) {
    const out: { port?: number } = {};
    errno = handle.getsockname(out);
    if (errno === 0 && port !== out.port) errno = binding.UV_EADDRINUSE;
  }
  return errno;
}

let ownerSymbol: symbol | null | undefined;

// Node's cluster code finds the server behind a handle through the handle's owner symbol (to
// refuse a connection over maxConnections, and to close the server on worker.disconnect()). The
// symbol is internal; net.Socket sets it on the handle it is given, which is where we read it.
function handleOwnerSymbol(): symbol | null {
  if (ownerSymbol === undefined) {
    const probe = {};
    // eslint-disable-next-line no-new
    new NetSocket({ handle: probe, readable: false, writable: false, manualStart: true } as unknown as ConstructorParameters<typeof NetSocket>[0]);
    ownerSymbol = Object.getOwnPropertySymbols(probe).find((symbol) => symbol.description === 'owner_symbol') ?? null;
  }
  return ownerSymbol;
}

// Makes `server` the owner of a Node handle it listens through, as net's setupListenHandle does.
export function claimHandle(handle: NodeHandle, server: object, onconnection: NodeHandle['onconnection']): void {
  handle.onconnection = onconnection;
  const owner = handleOwnerSymbol();
  if (owner !== null) handle[owner] = server;
}
