// The socket object users see on `req.socket`, `res.socket` and the 'connection' event. It is
// not a net.Socket stream (that per-request layering is what we avoid), but it offers the parts
// of net.Socket that HTTP code uses: addresses, timeouts, no-delay, keep-alive, raw write/end,
// destroy, and the 'close', 'timeout', 'drain', 'end' and 'error' events.
import { Buffer } from 'buffer';
import { EventEmitter } from 'events';

import { AddressInfo, binding, WRITE_LATIN1_BODY } from './binding';
import { errInvalidArgType, systemError } from './errors';

// What a socket's owner (the server side of a connection, later the client) is told.
export interface SocketOwner {
  onSocketDrain(): void;
  onSocketClose(hadError: boolean): void;
  afterSocketClose(): void;
  // destroy() was called: the connection is on its way out (its 'close' follows once native has
  // closed it).
  onSocketDestroyed(): void;
  onSocketTimeout(): void;
  // The socket was destroyed with an error (Node's http.Server hears it through its own 'error'
  // listener on every socket and reports it to 'clientError').
  onSocketError(error: Error): void;
}

const DEFAULT_HIGH_WATER_MARK = 16 * 1024;

export class Socket extends EventEmitter {
  readonly _id: number;
  _owner: SocketOwner | null = null;
  // The response currently allowed to write (Node's socket._httpMessage).
  _httpMessage: unknown = null;
  server: unknown = null;
  destroyed = false;
  writable = true;
  readable = true;
  readableHighWaterMark = DEFAULT_HIGH_WATER_MARK;
  writableHighWaterMark = DEFAULT_HIGH_WATER_MARK;
  bytesWritten = 0;
  timeout: number | undefined = undefined;
  // Set while reading is stopped because a request body's buffer is full.
  _pausedForReader = false;
  private _pausedByUser = false;
  private _peer: AddressInfo | undefined;
  private _local: AddressInfo | undefined;

  constructor(id: number) {
    super();
    this._id = id;
  }

  get remoteAddress(): string | undefined {
    return this._peerAddress()?.address;
  }

  get remotePort(): number | undefined {
    return this._peerAddress()?.port;
  }

  get remoteFamily(): string | undefined {
    return this._peerAddress()?.family;
  }

  get localAddress(): string | undefined {
    return this._localAddress()?.address;
  }

  get localPort(): number | undefined {
    return this._localAddress()?.port;
  }

  get localFamily(): string | undefined {
    return this._localAddress()?.family;
  }

  get pending(): boolean {
    return false;
  }

  get connecting(): boolean {
    return false;
  }

  get readyState(): string {
    if (this.destroyed) return 'closed';
    if (this.readable && this.writable) return 'open';
    return this.readable ? 'readOnly' : 'writeOnly';
  }

  address(): AddressInfo | {} {
    return this._localAddress() ?? {};
  }

  setTimeout(milliseconds: number, callback?: () => void): this {
    this.timeout = milliseconds;
    if (!this.destroyed) binding.setTimeout(this._id, milliseconds > 0 ? milliseconds : 0);
    if (callback) {
      if (milliseconds === 0) this.removeListener('timeout', callback);
      else this.once('timeout', callback);
    }
    return this;
  }

  setNoDelay(noDelay = true): this {
    if (!this.destroyed) binding.setNoDelay(this._id, noDelay);
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    if (!this.destroyed) binding.setKeepAlive(this._id, enable, Math.floor(initialDelay / 1000));
    return this;
  }

  // Raw bytes on the connection, as net.Socket#write: for code that answers a 'clientError'
  // itself or speaks another protocol.
  write(data: string | ArrayBufferView, encoding?: BufferEncoding | (() => void), callback?: () => void): boolean {
    if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    if (typeof data !== 'string' && !ArrayBuffer.isView(data)) {
      throw errInvalidArgType('chunk', 'of type string or an instance of Buffer, TypedArray, or DataView', data);
    }
    if (this.destroyed || !this.writable) {
      if (callback) process.nextTick(callback);
      return false;
    }
    const queued = this._writeRaw(data, encoding);
    if (callback) {
      if (queued === 0) process.nextTick(callback);
      else this.once('drain', callback);
    }
    return queued < this.writableHighWaterMark;
  }

  end(data?: string | ArrayBufferView | (() => void), encoding?: BufferEncoding | (() => void), callback?: () => void): this {
    if (typeof data === 'function') {
      callback = data;
      data = undefined;
    } else if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    if (data !== undefined && data !== null) this.write(data, encoding);
    if (callback) this.once('finish', callback);
    if (this.writable) {
      this.writable = false;
      if (!this.destroyed) binding.end(this._id);
    }
    return this;
  }

  destroySoon(): void {
    this.end();
  }

  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.writable = false;
    this.readable = false;
    binding.destroy(this._id);
    this._owner?.onSocketDestroyed();
    if (error) process.nextTick(() => this._onError(error));
    return this;
  }

  resetAndDestroy(): this {
    return this.destroy();
  }

  pause(): this {
    this._pausedByUser = true;
    if (!this.destroyed) binding.pause(this._id);
    return this;
  }

  resume(): this {
    this._pausedByUser = false;
    if (!this.destroyed && !this._pausedForReader) binding.resume(this._id);
    return this;
  }

  ref(): this {
    if (!this.destroyed) binding.refConnection(this._id, true);
    return this;
  }

  unref(): this {
    if (!this.destroyed) binding.refConnection(this._id, false);
    return this;
  }

  // A request body's buffer is full: stop reading until its reader asks for more.
  _pauseForReader(): void {
    if (this._pausedForReader) return;
    this._pausedForReader = true;
    if (!this.destroyed) binding.pause(this._id);
  }

  _resumeForReader(): void {
    if (!this._pausedForReader) return;
    this._pausedForReader = false;
    if (!this.destroyed && !this._pausedByUser) binding.resume(this._id);
  }

  _writeRaw(data: string | ArrayBufferView, encoding?: BufferEncoding): number {
    const queued = writeChunk(this._id, undefined, data, encoding, undefined, 0);
    this.bytesWritten += typeof data === 'string' ? Buffer.byteLength(data, encoding) : data.byteLength;
    return queued;
  }

  // The last write of a response carried WRITE_ENDS_CONNECTION: native ends the connection
  // once it is sent, as end() would.
  _endedWithLastWrite(): void {
    this.writable = false;
  }

  // Asks native for a 'drain' once everything queued has been handed to the kernel.
  _watchDrain(): void {
    if (!this.destroyed) binding.watchDrain(this._id);
  }

  // Called from native events (see dispatch.ts).
  _onDrain(): void {
    this._owner?.onSocketDrain();
    this.emit('drain');
  }

  _onEnd(): void {
    this.readable = false;
    this.emit('end');
  }

  _onError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    this._owner?.onSocketError(error);
  }

  _onTimeout(): void {
    if (this._owner) this._owner.onSocketTimeout();
    else this.emit('timeout');
  }

  _onClose(errno: number): void {
    const hadError = errno !== 0;
    this.destroyed = true;
    this.writable = false;
    this.readable = false;
    // net.Socket reports a read error before 'close'; with no listener there is nobody to tell
    // (the HTTP layer sees the close), and an unheard 'error' must not crash the process.
    if (hadError && this.listenerCount('error') > 0) this.emit('error', systemError(errno, 'read'));
    this.emit('finish');
    this._owner?.onSocketClose(hadError);
    this.emit('close', hadError);
    this._owner?.afterSocketClose();
  }

  private _peerAddress(): AddressInfo | undefined {
    if (this._peer === undefined && !this.destroyed) this._peer = binding.peerAddress(this._id);
    return this._peer;
  }

  private _localAddress(): AddressInfo | undefined {
    if (this._local === undefined && !this.destroyed) this._local = binding.localAddress(this._id);
    return this._local;
  }
}

// Queues one piece of output on a connection: latin1 framing around a body in any encoding.
// `flags` are WRITE_ENDS_RESPONSE (the last piece of a response: native keeps the keep-alive
// clock) and WRITE_ENDS_CONNECTION (the connection ends once it is sent). Returns the bytes
// queued and not yet taken by the kernel (-1 when the connection is gone).
export function writeChunk(
  id: number,
  prefix: string | undefined,
  body: string | ArrayBufferView | undefined,
  encoding: BufferEncoding | undefined,
  suffix: string | undefined,
  flags: number,
): number {
  if (typeof body === 'string' && encoding !== undefined && encoding !== 'utf8' && encoding !== 'utf-8') {
    if (encoding === 'latin1' || encoding === 'binary' || encoding === 'ascii') flags |= WRITE_LATIN1_BODY;
    else body = Buffer.from(body, encoding);
  }
  return binding.write(id, prefix ?? '', body, suffix ?? '', flags);
}
