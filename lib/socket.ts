// The socket of a native connection, the one users see on `req.socket`, `res.socket`, the
// 'connection' event and a client request's 'socket' event. It is a real net.Socket (Duplex)
// for everything code can observe of it — `instanceof`, events, properties, write/end/destroy,
// pause/resume, timeouts, addresses — while its bytes move natively: no libuv handle of Node's
// sits under it (`_handle` is null), the HTTP parser reads natively, and responses and requests
// are written through the message sink below without crossing the Writable. Bytes written with
// socket.write() go through the Writable as on any net.Socket.
import { Buffer } from 'buffer';
import * as net from 'net';
import { constants as osConstants } from 'os';

import { AddressInfo, binding, NativeSettings, WRITE_LATIN1_BODY } from './binding';
import { aggregateError, errnoException, errSocketClosed, exceptionWithHostPort } from './errors';
import { forgetStream, registerStream, StreamOwner } from './native-events';
import type { SocketStandIn } from './socket-stand-in';

/** The HTTP side of a connection: where the parser's events go. */
export interface MessageReceiver {
  onHead(code: number, text: string, major: number, minor: number, rawHeaders: string[], flags: number): number | void;
  onUpgrade(head: Buffer | undefined): void;
  onBody(chunk: Buffer): void;
  onMessageEnd(rawTrailers: string[] | undefined): void;
  onParseError(code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined, status: number): void;
  // The peer ended its side (after the end of a message it framed by closing).
  onEnd(): void;
}

/** What a server connection is told of its socket, in the socket's order. */
export interface SocketOwner {
  onSocketDrain(): void;
  // Before the socket's own 'close' listeners (Node's socketOnClose is the first).
  onSocketClose(hadError: boolean): void;
  // destroy() was called: the connection is on its way out (its 'close' follows once native has
  // closed it).
  onSocketDestroyed(): void;
  onSocketTimeout(): void;
  // The socket was destroyed with an error (Node's http.Server hears it through its own 'error'
  // listener on every socket and reports it to 'clientError').
  onSocketError(error: Error): void;
}

/**
 * Where an outgoing message's bytes go: latin1 framing around a body, `flags` WRITE_* bits.
 * Returns the bytes queued and not yet taken by the peer, -1 if the connection is gone. A native
 * socket is one; a stream we do not own is wrapped in a StreamSink (stream-sink.ts).
 */
export interface MessageSink {
  readonly writable: boolean;
  readonly writableHighWaterMark: number;
  _writeMessage(prefix: string | undefined, body: string | ArrayBufferView | undefined, encoding: BufferEncoding | undefined, suffix: string | undefined, flags: number): number;
  // Asks for a 'drain' (onSocketDrain / the 'drain' event) once the queue has emptied.
  _watchDrain(): void;
  // The last write carried WRITE_ENDS_CONNECTION: the connection ends once it is sent.
  _endedWithLastWrite(): void;
}

/** Where a client socket connects: an IP literal and port, or a local socket path. */
export interface ConnectTarget {
  address?: string;
  port?: number;
  family?: number;
  path?: string;
  localAddress?: string;
  localPort?: number;
}

type WriteCallback = (error?: Error | null) => void;

// Where a connection with several addresses to try stands.
interface ConnectAttempts {
  targets: ConnectTarget[];
  next: number;
  errors: Error[];
  timeout: number;
  timer: NodeJS.Timeout | null;
  settings: NativeSettings;
}

// libuv's errors are negative errnos on POSIX systems.
const UV_ETIMEDOUT = -osConstants.errno.ETIMEDOUT;

// A piece of output made before the connection exists (a client still connecting).
export interface HeldWrite {
  prefix: string | undefined;
  body: string | ArrayBufferView | undefined;
  encoding: BufferEncoding | undefined;
  suffix: string | undefined;
  flags: number;
}

const kNoId = -1;

export class Socket extends net.Socket implements StreamOwner, MessageSink {
  _id = kNoId;
  _owner: SocketOwner | null = null;
  _receiver: MessageReceiver | null = null;
  // The message currently allowed to write (Node's socket._httpMessage).
  _httpMessage: unknown = null;
  server: unknown = null;
  _server: unknown = null;
  declare timeout: number | undefined;
  // Set while reading is stopped because a request body's buffer is full.
  _pausedForReader = false;
  // Set while the socket idles in an agent's pool on the Node lines that destroy such a socket
  // at any read event (agent.ts, freeSocketDestroyedOnRead): bytes, the peer's end or a read
  // error destroy it, without 'data', 'end' or 'error'.
  _destroyOnRead = false;
  _pausedByUser = false;
  _sent = 0;
  // What the native connection had read when it closed (bytesRead after 'close', as on Node).
  _readBeforeClose = 0;
  // What native held unsent after the last write (until it reports the queue empty).
  _queuedNatively = 0;
  private _peer: AddressInfo | undefined;
  private _local: AddressInfo | undefined;
  // The connection closed natively; 'close' is emitted once the stream is destroyed too.
  _nativeClosed = false;
  _closeError = 0;
  _closeEmitted = false;
  private _finalCallback: WriteCallback | null = null;
  private _writeCallback: WriteCallback | null = null;
  private _held: HeldWrite[] | null = null;
  // Message writes made while the socket is corked, sent when it is uncorked (as a net.Socket
  // buffers its writes while corked).
  _corkedWrites: HeldWrite[] | null = null;
  // Their bytes (counted in what a write reports queued, as a corked net.Socket's buffer is),
  // and whether a 'drain' was asked for meanwhile.
  _corkedBytes = 0;
  _drainAfterUncork = false;
  _timeoutMs = 0;
  _noDelay: boolean | null = null;
  _keepAlive: [boolean, number] | null = null;
  private _unref = false;
  private _target: ConnectTarget | null = null;
  private _attempts: ConnectAttempts | null = null;
  private _client = false;
  private _rawReads = false;
  // The parser limits last set on the native connection (a client's requests set them; most set
  // the same ones): maxHeaderSize * 3 + the leniency (http-common.ts), -1 for none.
  _parserLimits = -1;

  constructor(options?: net.SocketConstructorOpts) {
    super(options);
    // The parser reads natively; the Readable side only ever carries the end of input. Flowing
    // from the start so that 'end' is emitted when the peer ends, as on Node's HTTP sockets
    // (whose 'data' listener the parser replaced).
    net.Socket.prototype.resume.call(this);
    // A first read() (nothing to read) leaves the stream out of its initial "sync" state, so
    // bytes pushed from native events reach 'data' at once, as a handle's reads do.
    this.read(0);
  }

  /** A connection native accepted (or adopted): its events come here from now on. */
  _attach(id: number): void {
    this._id = id;
    registerStream(id, this);
  }

  /**
   * The socket of a server connection that had a stand-in until now (socket-stand-in.ts), made
   * from what was set and counted on the connection since it was accepted, so that it reads as
   * if it had existed from the start: bytes written, timeout, noDelay and keep-alive, pauses,
   * corks and the writes they hold, the response it serves and that response's 'close'
   * listener, an end or a close already under way. The caller routes native events to it.
   */
  static _takeOver(standIn: SocketStandIn): Socket {
    const socket = new Socket({ allowHalfOpen: true, highWaterMark: standIn._highWaterMarkOption } as net.SocketConstructorOpts);
    socket._id = standIn._id;
    socket._owner = standIn._owner;
    socket._receiver = standIn._owner;
    socket.server = standIn.server;
    socket._httpMessage = standIn._httpMessage;
    socket._sent = standIn._sent;
    socket._queuedNatively = standIn._queuedNatively;
    socket.timeout = standIn.timeout;
    socket._timeoutMs = timeoutMs(standIn.timeout);
    socket._noDelay = standIn._noDelay;
    socket._keepAlive = standIn._keepAlive;
    socket._pausedForReader = standIn._pausedForReader;
    if (standIn._pausedByUser) {
      socket._pausedByUser = true;
      net.Socket.prototype.pause.call(socket);
    }
    for (let i = 0; i < standIn.corked; i++) net.Socket.prototype.cork.call(socket);
    socket._corkedWrites = standIn._corkedWrites;
    socket._corkedBytes = standIn._corkedBytes;
    socket._drainAfterUncork = standIn._drainAfterUncork;
    for (const listener of standIn._closeListeners()) socket.on('close', listener);
    if (standIn._inputEnded) socket.push(null);
    if (standIn._nativeClosed) {
      socket._nativeClosed = true;
      socket._readBeforeClose = standIn._readBeforeClose;
      socket._closeError = standIn._closeError;
      socket._closeEmitted = standIn._closeEmitted;
    }
    // Native is ending the connection already (ending it again does nothing).
    if (standIn._ending) (net.Socket.prototype.end as () => void).call(socket);
    if (standIn.destroyed) socket.destroy();
    return socket;
  }

  // --- net.Socket's surface over the native connection ----------------------------------------

  // Node's own getters ask these; they answer from the native handle.
  _getpeername(): AddressInfo | {} {
    return this._peerAddress() ?? {};
  }

  _getsockname(): AddressInfo | {} {
    return this._localAddress() ?? {};
  }

  override address(): AddressInfo | {} {
    return this._localAddress() ?? {};
  }

  override setTimeout(milliseconds: number, callback?: () => void): this {
    const ms = timeoutMs(milliseconds);
    this.timeout = milliseconds;
    this._timeoutMs = ms;
    if (this._id !== kNoId && !this.destroyed) binding.setTimeout(this._id, ms);
    if (callback) {
      if (ms === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    return this;
  }

  override setNoDelay(noDelay = true): this {
    this._noDelay = Boolean(noDelay);
    if (this._id !== kNoId && !this.destroyed) binding.setNoDelay(this._id, this._noDelay);
    return this;
  }

  override setKeepAlive(enable = false, initialDelay = 0): this {
    const on = Boolean(enable);
    const seconds = Math.floor((initialDelay || 0) / 1000);
    // The agent sets the same values each time a socket goes back to the pool: the socket has
    // them already (applied at connect, or by the call that stored them).
    const current = this._keepAlive;
    if (current !== null && current[0] === on && current[1] === seconds) return this;
    this._keepAlive = [on, seconds];
    if (this._id !== kNoId && !this.destroyed) binding.setKeepAlive(this._id, on, seconds);
    return this;
  }

  override uncork(): void {
    super.uncork();
    if (this.writableCorked === 0) sendCorkedWrites(this);
  }

  override ref(): this {
    this._unref = false;
    if (this._id !== kNoId && !this.destroyed) binding.refConnection(this._id, true);
    return this;
  }

  override unref(): this {
    this._unref = true;
    if (this._id !== kNoId && !this.destroyed) binding.refConnection(this._id, false);
    return this;
  }

  override pause(): this {
    this._pausedByUser = true;
    if (this._id !== kNoId && !this.destroyed) binding.pause(this._id);
    net.Socket.prototype.pause.call(this);
    return this;
  }

  override resume(): this {
    this._pausedByUser = false;
    if (this._id !== kNoId && !this.destroyed && !this._pausedForReader) binding.resume(this._id);
    net.Socket.prototype.resume.call(this);
    return this;
  }

  override resetAndDestroy(): this {
    return this.destroy();
  }

  // Node refreshes a JS timer on every read and write; native keeps the clock here.
  _unrefTimer(): void {}

  override _read(): void {}

  override _write(chunk: Buffer | string, encoding: BufferEncoding, callback: WriteCallback): void {
    const queued = this._writeMessage(undefined, chunk, encoding, undefined, 0);
    if (queued < 0) {
      callback(errSocketClosed());
    } else if (queued < this.writableHighWaterMark) {
      callback();
    } else {
      this._writeCallback = callback;
      this._watchDrain();
    }
  }

  override _final(callback: WriteCallback): void {
    if (this.connecting) {
      // As net: the end waits for the connection (and for the writes held until then).
      this.once('connect', () => this._final(callback));
      return;
    }
    if (this._id === kNoId || this._nativeClosed) {
      callback();
      return;
    }
    // 'finish' once everything is sent and the write side shut down: native closes then.
    this._finalCallback = callback;
    binding.end(this._id);
  }

  override _destroy(error: Error | null, callback: WriteCallback): void {
    setConnecting(this, false);
    this._owner?.onSocketDestroyed();
    if (this._id !== kNoId && !this._nativeClosed) binding.destroy(this._id);
    callback(error);
    if (this._nativeClosed || this._id === kNoId) process.nextTick(emitCloseNT, this);
  }

  /**
   * The connection leaves HTTP (an upgrade, a CONNECT tunnel): native gave up its handle and the
   * descriptor `fd` is a duplicate of it. From now on this object is a plain net.Socket over a
   * handle of Node's, as the socket Node hands to 'upgrade' is the one 'connection' gave: the
   * handle of a net.Socket made on the descriptor moves here, and so does the prototype. Returns
   * the socket to hand over (a new one, only if Node's internals are not as expected).
   */
  _becomeNetSocket(fd: number): net.Socket {
    const carrier = new net.Socket({ fd, readable: true, writable: true, allowHalfOpen: this.allowHalfOpen });
    const handle = handleOf(carrier) as Record<symbol, unknown> | null;
    const ownerKey = handle ? Object.getOwnPropertySymbols(handle).find((key) => handle[key] === carrier) : undefined;
    const asyncKey = Object.getOwnPropertySymbols(carrier).find((key) => key.description === 'async_id_symbol');
    if (!handle || ownerKey === undefined || asyncKey === undefined) return carrier;
    (carrier as unknown as { _handle: unknown })._handle = null;
    handle[ownerKey] = this;
    const self = this as unknown as Record<string | symbol, unknown>;
    self[asyncKey] = (carrier as unknown as Record<symbol, unknown>)[asyncKey];
    Object.setPrototypeOf(this, net.Socket.prototype);
    self._handle = handle;
    self._sockname = null;
    // What was set on the native connection carries over to the handle.
    if (this._timeoutMs > 0) this.setTimeout(this._timeoutMs);
    if (this._unref) this.unref();
    if (this._noDelay !== null) this.setNoDelay(this._noDelay);
    return this;
  }

  // --- The message sink: what HTTP writes, without the Writable ------------------------------

  _writeMessage(
    prefix: string | undefined,
    body: string | ArrayBufferView | undefined,
    encoding: BufferEncoding | undefined,
    suffix: string | undefined,
    flags: number,
  ): number {
    // bytesWritten counts what was written, sent or still held for a connection to come, as Node
    // counts its pending writes.
    this._sent += pieceLength(prefix, body, encoding, suffix);
    return this._sendMessage(prefix, body, encoding, suffix, flags);
  }

  private _sendMessage(
    prefix: string | undefined,
    body: string | ArrayBufferView | undefined,
    encoding: BufferEncoding | undefined,
    suffix: string | undefined,
    flags: number,
  ): number {
    if (this._held !== null) {
      this._held.push({ prefix, body, encoding, suffix, flags });
      return 0;
    }
    return sendToNative(this, prefix, body, encoding, suffix, flags);
  }

  // Raw bytes outside any message (an error response): straight to the connection.
  _writeRaw(data: string | ArrayBufferView, encoding?: BufferEncoding): number {
    return this._writeMessage(undefined, data, encoding, undefined, 0);
  }

  _watchDrain(): void {
    watchNativeDrain(this);
  }

  _endedWithLastWrite(): void {
    // Native ends the connection after these bytes; the Writable ends with it.
    if (!this.writableEnded) (net.Socket.prototype.end as () => void).call(this);
  }

  // --- Client connections --------------------------------------------------------------------

  /**
   * Connects natively to addresses JS already resolved (client-connect.ts does the lookup):
   * one, or several tried in turn as net's autoSelectFamily does (RFC 8305, Happy Eyeballs),
   * each given `attemptTimeout` ms before the next. Writes made until a connection exists are
   * held and sent once it does.
   */
  // The socket starts connecting (a lookup may come first): writes are held from now on.
  _beginConnect(): void {
    this._client = true;
    setConnecting(this, true);
    if (this._held === null) this._held = [];
  }

  _connectNative(targets: ConnectTarget[], settings: NativeSettings, attemptTimeout = 0): void {
    this._beginConnect();
    this._attempts = targets.length > 1 ? { targets, next: 0, errors: [], timeout: attemptTimeout, timer: null, settings } : null;
    if (this._attempts !== null) (this as { autoSelectFamilyAttemptedAddresses?: string[] }).autoSelectFamilyAttemptedAddresses = [];
    this._attempt(targets[0], settings);
  }

  private _attempt(target: ConnectTarget, settings: NativeSettings): void {
    this._target = target;
    const attempts = this._attempts;
    if (attempts !== null) {
      attempts.next++;
      (this as unknown as { autoSelectFamilyAttemptedAddresses: string[] }).autoSelectFamilyAttemptedAddresses.push(`${target.address}:${target.port}`);
    }
    let id: number | [number, string];
    if (target.path !== undefined) {
      id = binding.connectLocal(target.path, settings);
    } else {
      this.emit('connectionAttempt', target.address, target.port, target.family);
      id = binding.connect(target.address as string, target.port as number, target.localAddress ?? '', target.localPort ?? 0, settings);
    }
    if (typeof id !== 'number') {
      const [errno, syscall] = id;
      const error = syscall === 'bind'
        ? exceptionWithHostPort(errno, 'bind', target.localAddress ?? '', target.localPort ?? 0)
        : exceptionWithHostPort(errno, syscall, target.address ?? '', target.port ?? 0);
      process.nextTick(() => this._attemptFailed(error));
      return;
    }
    this._attach(id);
    if (this._rawReads) binding.setRawReads(id, true);
    if (this._timeoutMs > 0) binding.setTimeout(id, this._timeoutMs);
    if (this._unref) binding.refConnection(id, false);
    if (attempts !== null && attempts.next < attempts.targets.length && attempts.timeout > 0) {
      attempts.timer = setTimeout(() => this._attemptTimedOut(), attempts.timeout);
    }
  }

  private _attemptTimedOut(): void {
    const attempts = this._attempts;
    const target = this._target as ConnectTarget;
    if (attempts === null || !this.connecting) return;
    attempts.timer = null;
    this.emit('connectionAttemptTimeout', target.address, target.port, target.family);
    attempts.errors.push(exceptionWithHostPort(UV_ETIMEDOUT, 'connect', target.address ?? '', target.port ?? 0));
    this._abandonAttempt();
    this._attempt(attempts.targets[attempts.next], attempts.settings);
  }

  // The attempt's native connection goes; its events go nowhere from now on.
  private _abandonAttempt(): void {
    if (this._id === kNoId) return;
    forgetStream(this._id);
    binding.destroy(this._id);
    this._id = kNoId;
  }

  private _attemptFailed(error: Error): void {
    if (this.destroyed) return;
    const attempts = this._attempts;
    if (attempts === null) {
      this.destroy(error);
      return;
    }
    if (attempts.timer !== null) clearTimeout(attempts.timer);
    attempts.timer = null;
    attempts.errors.push(error);
    this._abandonAttempt();
    if (attempts.next < attempts.targets.length) {
      this._attempt(attempts.targets[attempts.next], attempts.settings);
    } else {
      this.destroy(aggregateError(attempts.errors));
    }
  }

  onConnect(status: number): void {
    if (this.destroyed) return;
    const target = this._target as ConnectTarget;
    if (status !== 0) {
      const error =
        target.path !== undefined
          ? exceptionWithHostPort(status, 'connect', target.path, 0)
          : exceptionWithHostPort(status, 'connect', target.address ?? '', target.port ?? 0);
      this.emit('connectionAttemptFailed', target.address, target.port, target.family, error);
      this._attemptFailed(error);
      return;
    }
    if (this._attempts !== null && this._attempts.timer !== null) clearTimeout(this._attempts.timer);
    this._attempts = null;
    setConnecting(this, false);
    if (this._noDelay !== null) binding.setNoDelay(this._id, this._noDelay);
    if (this._keepAlive !== null) binding.setKeepAlive(this._id, this._keepAlive[0], this._keepAlive[1]);
    const held = this._held ?? [];
    this._held = null;
    for (const piece of held) this._sendMessage(piece.prefix, piece.body, piece.encoding, piece.suffix, piece.flags);
    this.emit('connect');
    this.emit('ready');
  }

  // --- Events from native (native-events.ts) --------------------------------------------------

  onHead(code: number, text: string, major: number, minor: number, rawHeaders: string[], flags: number): number | void {
    const receiver = this._receiver;
    if (receiver === null) {
      // A message nobody asked for (bytes on an idle client connection): the connection cannot
      // be trusted any more.
      this.destroy();
      return undefined;
    }
    return receiver.onHead(code, text, major, minor, rawHeaders, flags);
  }

  onUpgrade(head: Buffer | undefined): void {
    this._receiver?.onUpgrade(head);
  }

  onBody(chunk: Buffer): void {
    if (this._receiver === null) this.destroy();
    else this._receiver.onBody(chunk);
  }

  onMessageEnd(rawTrailers: string[] | undefined): void {
    this._receiver?.onMessageEnd(rawTrailers);
  }

  onParseError(code: string, reason: string, bytesParsed: number, rawPacket: Buffer | undefined, status: number): void {
    if (this._receiver === null) this.destroy();
    else this._receiver.onParseError(code, reason, bytesParsed, rawPacket, status);
  }

  onEnd(): void {
    if (this._destroyOnRead) {
      this.destroy();
      return;
    }
    this._receiver?.onEnd();
    if (!this.readableEnded) this.push(null);
  }

  onDrain(): void {
    this._queuedNatively = 0;
    const callback = this._writeCallback;
    if (callback !== null) {
      // A socket.write() waiting for room: the Writable emits its own 'drain' after it.
      this._writeCallback = null;
      callback();
    }
    this._owner?.onSocketDrain();
    this.emit('drain');
  }

  onTimeout(): void {
    if (this._owner) this._owner.onSocketTimeout();
    else this.emit('timeout');
  }

  onData(chunk: Buffer): void {
    if (this._destroyOnRead) this.destroy();
    else if (!this.destroyed) this.push(chunk);
  }

  // A client socket's bytes reach 'data' listeners as on Node (whose client parser is one of
  // them); native hands them over only once somebody listens. A server socket's are the
  // parser's alone, as Node's are (its parser consumes the handle).
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event === 'data') this._wantData();
    return super.on(event as string, listener);
  }

  override addListener(event: string | symbol, listener: (...args: any[]) => void): this {
    return this.on(event, listener);
  }

  override prependListener(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event === 'data') this._wantData();
    return super.prependListener(event as string, listener);
  }

  // Node's client parser is a 'data' listener of the socket from when a request takes it until
  // it goes back to the pool, and libraries read that count: node-fetch tells a chunked body
  // cut short (the socket closing under the response) by that listener still being there. Ours
  // parses natively, without one: it counts as one while a request holds the socket.
  // eslint-disable-next-line @typescript-eslint/ban-types
  override listenerCount(event: string | symbol, listener?: Function): number {
    const count = super.listenerCount(event, listener);
    return event === 'data' && listener === undefined && this._client && this._httpMessage ? count + 1 : count;
  }

  // The agent reuses this socket for a request made in another async context (Node's
  // asyncReset of the handle).
  _asyncReset(): void {
    if (this._id !== kNoId && !this._nativeClosed) binding.resetAsync(this._id, true);
  }

  private _wantData(): void {
    if (!this._client || this._rawReads) return;
    this._rawReads = true;
    if (this._id !== kNoId && !handleOf(this)) binding.setRawReads(this._id, true);
  }

  onClose(errno: number, bytesRead: number): void {
    this._nativeClosed = true;
    this._readBeforeClose = bytesRead;
    this._closeError = errno;
    setConnecting(this, false);
    const finalCallback = this._finalCallback;
    this._finalCallback = null;
    if (finalCallback !== null) finalCallback();
    const writeCallback = this._writeCallback;
    this._writeCallback = null;
    if (writeCallback !== null) writeCallback(errSocketClosed());
    // Destroyed before the owner hears of it, as on Node (whose HTTP code runs from 'close').
    const destroyedBefore = this.destroyed;
    if (!destroyedBefore) {
      // net.Socket reports a read error before 'close'. With no listener there is nobody to
      // tell (the HTTP layer sees the close), and an unheard 'error' must not crash the process.
      // Node's onStreamRead makes it with errnoException: "read ECONNRESET", no description.
      if (errno !== 0 && this.listenerCount('error') > 0 && !this._destroyOnRead) this.destroy(errnoException(errno, 'read'));
      else this.destroy();
    }
    this._owner?.onSocketClose(errno !== 0);
    if (destroyedBefore) emitCloseNT(this);
  }

  // A request body's buffer is full: stop reading until its reader asks for more.
  _pauseForReader(): void {
    if (this._pausedForReader) return;
    this._pausedForReader = true;
    if (this._id !== kNoId && !this.destroyed) binding.pause(this._id);
  }

  _resumeForReader(): void {
    if (!this._pausedForReader) return;
    this._pausedForReader = false;
    if (this._id !== kNoId && !this.destroyed && !this._pausedByUser) binding.resume(this._id);
  }

  _closedWithoutHandle(): boolean {
    return this._nativeClosed && handleOf(this) === null;
  }

  private _peerAddress(): AddressInfo | undefined {
    if (this._peer === undefined && this._id !== kNoId && !this._nativeClosed) this._peer = binding.peerAddress(this._id);
    return this._peer;
  }

  private _localAddress(): AddressInfo | undefined {
    // Node asks the handle each time: a closed socket has no local address any more.
    if (this._closedWithoutHandle()) return undefined;
    if (this._local === undefined && this._id !== kNoId && !this._nativeClosed) this._local = binding.localAddress(this._id);
    return this._local;
  }
}

// Accessors net.Socket declares as properties (so a class cannot override them), answered from
// the native connection.
Object.defineProperties(Socket.prototype, {
  // As net.Socket's, which answer from the handle: once the connection is closed (and not handed
  // over) a socket is pending again and has no buffer size.
  pending: {
    configurable: true,
    get(this: Socket): boolean {
      return this._id === kNoId || this.connecting || this._closedWithoutHandle();
    },
  },
  bufferSize: {
    configurable: true,
    get(this: Socket): number | undefined {
      if (this._closedWithoutHandle()) return undefined;
      if (this._id === kNoId || this._nativeClosed) return this.writableLength;
      // Asked of native: the count the last write returned is stale once output has left.
      return this.writableLength + (this._queuedNatively > 0 ? binding.queuedOutput(this._id) : 0);
    },
  },
  bytesWritten: {
    configurable: true,
    get(this: Socket): number {
      return this._sent;
    },
  },
  // Counted natively (the bytes never pass through JS); after a hand-over the handle of the
  // net.Socket counts on from there.
  bytesRead: {
    configurable: true,
    get(this: Socket): number {
      if (this._id !== kNoId && !this._nativeClosed) return binding.bytesRead(this._id);
      const handle = handleOf(this) as { bytesRead?: number } | null;
      return this._readBeforeClose + (handle?.bytesRead ?? 0);
    },
  },
});

/** A native connection's output as a socket and its stand-in (socket-stand-in.ts) both keep it. */
export interface NativeOutput {
  readonly _id: number;
  readonly destroyed: boolean;
  readonly writableCorked: number;
  _queuedNatively: number;
  _corkedWrites: HeldWrite[] | null;
  _corkedBytes: number;
  _drainAfterUncork: boolean;
  _watchDrain(): void;
  onDrain(): void;
}

// One piece of a message to the native connection, or held while the socket is corked.
export function sendToNative(
  output: NativeOutput,
  prefix: string | undefined,
  body: string | ArrayBufferView | undefined,
  encoding: BufferEncoding | undefined,
  suffix: string | undefined,
  flags: number,
): number {
  if (output._id === kNoId) return -1;
  if (output.writableCorked > 0) {
    (output._corkedWrites ??= []).push({ prefix, body, encoding, suffix, flags });
    output._corkedBytes += pieceLength(prefix, body, encoding, suffix);
    return output._queuedNatively + output._corkedBytes;
  }
  if (typeof body === 'string' && encoding !== undefined && encoding !== 'utf8' && encoding !== 'utf-8') {
    if (encoding === 'latin1' || encoding === 'binary' || encoding === 'ascii') flags |= WRITE_LATIN1_BODY;
    else body = Buffer.from(body, encoding);
  }
  const queued = binding.write(output._id, prefix ?? '', body, suffix ?? '', flags);
  output._queuedNatively = queued > 0 ? queued : 0;
  return queued;
}

// The last cork came off: what was written while corked goes out, and a 'drain' asked for
// meanwhile is watched for (or given at once if nothing is left queued).
export function sendCorkedWrites(output: NativeOutput): void {
  const corked = output._corkedWrites;
  if (corked === null) return;
  output._corkedWrites = null;
  output._corkedBytes = 0;
  let queued = 0;
  for (const piece of corked) queued = sendToNative(output, piece.prefix, piece.body, piece.encoding, piece.suffix, piece.flags);
  if (output._drainAfterUncork) {
    output._drainAfterUncork = false;
    if (queued > 0) output._watchDrain();
    else if (queued === 0) process.nextTick(() => {
      if (!output.destroyed) output.onDrain();
    });
  }
}

export function watchNativeDrain(output: NativeOutput): void {
  if (output._corkedWrites !== null) {
    output._drainAfterUncork = true;
    return;
  }
  if (output._id !== kNoId && !output.destroyed) binding.watchDrain(output._id);
}

// What a timeout given to setTimeout() arms natively (0: none), as Socket.setTimeout reads it.
export function timeoutMs(milliseconds: unknown): number {
  return typeof milliseconds === 'number' && milliseconds > 0 ? Math.floor(milliseconds) : 0;
}

// The bytes of one piece of a message on the wire. Heads and chunk frames are latin1: one byte
// per character.
export function pieceLength(prefix: string | undefined, body: string | ArrayBufferView | undefined, encoding: BufferEncoding | undefined, suffix: string | undefined): number {
  const bodyLength = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body, encoding) : body.byteLength;
  return (prefix?.length ?? 0) + bodyLength + (suffix?.length ?? 0);
}

// The libuv handle of Node's a socket has after a hand-over (_becomeNetSocket), or null.
function handleOf(socket: net.Socket): object | null {
  return (socket as unknown as { _handle: object | null })._handle;
}

function setConnecting(socket: net.Socket, connecting: boolean): void {
  (socket as { connecting: boolean }).connecting = connecting;
}

function emitCloseNT(socket: Socket): void {
  const self = socket as unknown as { _closeEmitted: boolean; _closeError: number };
  if (self._closeEmitted) return;
  self._closeEmitted = true;
  socket.emit('close', self._closeError !== 0);
}
