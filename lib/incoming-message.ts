// IncomingMessage: a request as the server sees it, a response as the client sees it. A real
// Readable, and a plain function constructor like Node's (libraries call
// IncomingMessage.call(this, socket)); `headers` is built from `rawHeaders` on first read, as
// Node does.
import { Readable } from 'stream';

import { buildHeaders, buildHeadersDistinct, IncomingHeaders } from './headers';
import { legacyConstructor, requireThis } from './legacy-class';
import { hasIncomingSignal } from './node-features';

/** The connection a message's body arrives on, as the message asks it for more. */
export interface BodyFlow {
  // The message's reader wants more: the connection may read again if it stopped for it.
  resumeForReader(): void;
}

export interface IncomingSocket {
  readableHighWaterMark?: number;
  destroyed?: boolean;
  once?(event: 'close', listener: () => void): unknown;
  removeListener?(event: 'close', listener: () => void): unknown;
  setTimeout?(milliseconds: number): unknown;
  destroy(error?: Error): unknown;
  // A server connection's stand-in (socket-stand-in.ts): the socket user code sees, made now.
  _visible?(): IncomingSocket;
}

class IncomingMessageMethods extends Readable {
  // The connection as the server's own path uses it: a server connection's stand-in until its
  // socket is made, which `socket`, `connection` and `client` make.
  declare _socket: IncomingSocket | null;
  declare httpVersionMajor: number | null;
  declare httpVersionMinor: number | null;
  declare httpVersion: string | null;
  declare complete: boolean;
  declare rawHeaders: string[];
  declare rawTrailers: string[];
  declare joinDuplicateHeaders: boolean;
  declare aborted: boolean;
  declare upgrade: boolean | null;
  declare url: string;
  declare method: string | null;
  declare statusCode: number | null;
  declare statusMessage: string | null;
  declare _consuming: boolean;
  declare _dumped: boolean;
  // How many entries of rawHeaders count: Node's maxHeadersCount drops fields past it.
  declare _headersCount: number;
  declare _trailersCount: number;
  declare _flow: BodyFlow | null;
  declare _readableState: unknown;
  declare _headersCache: IncomingHeaders | null;
  declare _headersDistinctCache: { [name: string]: string[] } | null;
  declare _trailersCache: IncomingHeaders | null;
  declare _trailersDistinctCache: { [name: string]: string[] } | null;
  // req.signal (Node 24), made on first read: left undefined until then, so that requests
  // nobody asks it of pay nothing. The socket 'close' listener that aborts it, until the
  // exchange is over (_detachAbortSignal).
  declare _abortController?: AbortController;
  declare _abortSignalListener?: (() => void) | null;
  declare _abortSignalDetached?: boolean;

  get socket(): IncomingSocket | null {
    const socket = this._socket;
    return socket !== null && socket._visible !== undefined ? socket._visible() : socket;
  }

  set socket(socket: IncomingSocket | null) {
    this._socket = socket;
  }

  get connection(): IncomingSocket | null {
    return this.socket;
  }

  set connection(socket: IncomingSocket | null) {
    this._socket = socket;
  }

  // Node's constructor sets it to the socket as well; the two are one here.
  get client(): IncomingSocket | null {
    return this.socket;
  }

  set client(socket: IncomingSocket | null) {
    this._socket = socket;
  }

  get headers(): IncomingHeaders {
    if (this._headersCache === null) {
      this._headersCache = buildHeaders(this.rawHeaders, this._headersCount, this.joinDuplicateHeaders);
    }
    return this._headersCache;
  }

  set headers(value: IncomingHeaders) {
    this._headersCache = value;
  }

  get headersDistinct(): { [name: string]: string[] } {
    if (this._headersDistinctCache === null) {
      this._headersDistinctCache = buildHeadersDistinct(this.rawHeaders, this._headersCount);
    }
    return this._headersDistinctCache;
  }

  set headersDistinct(value: { [name: string]: string[] }) {
    this._headersDistinctCache = value;
  }

  get trailers(): IncomingHeaders {
    if (this._trailersCache === null) {
      this._trailersCache = buildHeaders(this.rawTrailers, this._trailersCount, this.joinDuplicateHeaders);
    }
    return this._trailersCache;
  }

  set trailers(value: IncomingHeaders) {
    this._trailersCache = value;
  }

  get trailersDistinct(): { [name: string]: string[] } {
    if (this._trailersDistinctCache === null) {
      this._trailersDistinctCache = buildHeadersDistinct(this.rawTrailers, this._trailersCount);
    }
    return this._trailersDistinctCache;
  }

  set trailersDistinct(value: { [name: string]: string[] }) {
    this._trailersDistinctCache = value;
  }

  setTimeout(milliseconds: number, callback?: () => void): this {
    if (callback) this.on('timeout', callback);
    this._socket?.setTimeout?.(milliseconds);
    return this;
  }

  // The body is pushed by the connection as it arrives; reading more means letting the
  // connection read again if it stopped because this stream's buffer was full.
  override _read(): void {
    if (!this._consuming) this._consuming = true;
    this._flow?.resumeForReader();
  }

  // Discards the body nobody read, so the bytes still come off the wire and the connection can
  // carry the next message (Node's _dump).
  _dump(): void {
    if (!this._dumped) {
      this._dumped = true;
      this.removeAllListeners('data');
      this.resume();
    }
  }

  // optimizeEmptyRequests (Node 24.12): a request with no body is ended and closed as it is
  // made, without the events (Node's _dumpAndCloseReadable).
  _dumpAndCloseReadable(): void {
    this._dumped = true;
    const state = this._readableState as unknown as { [flag: string]: boolean };
    state.ended = true;
    state.endEmitted = true;
    state.destroyed = true;
    state.closed = true;
    state.closeEmitted = true;
  }

  // The exchange is over (the server's response finished, the client's response ended): a
  // connection closing now aborts nothing.
  _detachAbortSignal(): void {
    this._abortSignalDetached = true;
    const listener = this._abortSignalListener;
    if (listener) {
      this._abortSignalListener = null;
      this._socket?.removeListener?.('close', listener);
    }
  }

  _abortSignal(): void {
    this._detachAbortSignal();
    this._abortController?.abort();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.readableEnded || !this.complete) {
      this.aborted = true;
      this.emit('aborted');
      if (this._abortController !== undefined) this._abortSignal();
    }
    // A message destroyed before it was fully received leaves the connection unusable.
    const socket = this._socket;
    if (socket && !socket.destroyed && this.aborted) {
      socket.destroy(error ?? undefined);
    }
    // As Node: the error is emitted only if someone listens for it. Readable.destroy already
    // defers 'error' and 'close' to the next tick, so the callback can run now.
    callback(error && this.listenerCount('error') > 0 ? error : null);
  }
}

export const IncomingMessage = legacyConstructor('IncomingMessage', IncomingMessageMethods, function IncomingMessage(
  this: IncomingMessageMethods,
  socket: IncomingSocket | null,
) {
  requireThis(this);
  const highWaterMark = socket?.readableHighWaterMark;
  Readable.call(this, highWaterMark !== undefined ? { highWaterMark } : undefined);
  this._socket = socket;
  this.httpVersionMajor = null;
  this.httpVersionMinor = null;
  this.httpVersion = null;
  this.complete = false;
  this.rawHeaders = [];
  this.rawTrailers = [];
  this.joinDuplicateHeaders = false;
  this.aborted = false;
  this.upgrade = null;
  this.url = '';
  this.method = null;
  this.statusCode = null;
  this.statusMessage = null;
  this._consuming = false;
  this._dumped = false;
  this._headersCount = 0;
  this._trailersCount = 0;
  this._flow = null;
  this._headersCache = null;
  this._headersDistinctCache = null;
  this._trailersCache = null;
  this._trailersDistinctCache = null;
});
export type IncomingMessage = IncomingMessageMethods;

// As Node 24's getter: aborted at once for a message already destroyed before it was complete,
// else when its socket closes before the exchange is over.
if (hasIncomingSignal) {
  Object.defineProperty(IncomingMessageMethods.prototype, 'signal', {
    configurable: true,
    get(this: IncomingMessageMethods): AbortSignal {
      let controller = this._abortController;
      if (controller === undefined) {
        controller = new AbortController();
        this._abortController = controller;
        if (this.destroyed && (!this.readableEnded || !this.complete)) {
          controller.abort();
        } else if (!this._abortSignalDetached && this._socket && !(this.method === null && this.readableEnded)) {
          const socket = this._socket;
          if (socket.destroyed) {
            this._abortSignal();
          } else if (socket.once) {
            const listener = () => this._abortSignal();
            this._abortSignalListener = listener;
            socket.once('close', listener);
            // A client's response: the exchange is over when it ends (Node's responseOnEnd).
            if (this.method === null) this.once('end', () => this._detachAbortSignal());
          }
        }
      }
      return controller.signal;
    },
  });
}
