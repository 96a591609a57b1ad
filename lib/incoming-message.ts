// IncomingMessage: a request as the server sees it (and, later, a response as the client sees
// it). A real Readable; `headers` is built from `rawHeaders` on first read, as Node does.
import { Readable } from 'stream';

import { buildHeaders, buildHeadersDistinct, IncomingHeaders } from './headers';
import type { Socket } from './socket';

export class IncomingMessage extends Readable {
  socket: Socket | null;
  httpVersionMajor: number | null = null;
  httpVersionMinor: number | null = null;
  httpVersion: string | null = null;
  complete = false;
  rawHeaders: string[] = [];
  rawTrailers: string[] = [];
  joinDuplicateHeaders = false;
  aborted = false;
  upgrade: boolean | null = null;
  url = '';
  method: string | null = null;
  statusCode: number | null = null;
  statusMessage: string | null = null;
  client: Socket | null;
  _consuming = false;
  _dumped = false;
  // How many entries of rawHeaders count: Node's maxHeadersCount drops fields past it.
  _headersCount = 0;
  _trailersCount = 0;
  private _headers: IncomingHeaders | null = null;
  private _headersDistinct: { [name: string]: string[] } | null = null;
  private _trailers: IncomingHeaders | null = null;
  private _trailersDistinct: { [name: string]: string[] } | null = null;

  constructor(socket: Socket | null) {
    super(socket ? { highWaterMark: socket.readableHighWaterMark } : undefined);
    this.socket = socket;
    this.client = socket;
  }

  get connection(): Socket | null {
    return this.socket;
  }

  set connection(socket: Socket | null) {
    this.socket = socket;
  }

  get headers(): IncomingHeaders {
    if (this._headers === null) {
      this._headers = buildHeaders(this.rawHeaders, this._headersCount, this.joinDuplicateHeaders);
    }
    return this._headers;
  }

  set headers(value: IncomingHeaders) {
    this._headers = value;
  }

  get headersDistinct(): { [name: string]: string[] } {
    if (this._headersDistinct === null) {
      this._headersDistinct = buildHeadersDistinct(this.rawHeaders, this._headersCount);
    }
    return this._headersDistinct;
  }

  set headersDistinct(value: { [name: string]: string[] }) {
    this._headersDistinct = value;
  }

  get trailers(): IncomingHeaders {
    if (this._trailers === null) {
      this._trailers = buildHeaders(this.rawTrailers, this._trailersCount, this.joinDuplicateHeaders);
    }
    return this._trailers;
  }

  set trailers(value: IncomingHeaders) {
    this._trailers = value;
  }

  get trailersDistinct(): { [name: string]: string[] } {
    if (this._trailersDistinct === null) {
      this._trailersDistinct = buildHeadersDistinct(this.rawTrailers, this._trailersCount);
    }
    return this._trailersDistinct;
  }

  set trailersDistinct(value: { [name: string]: string[] }) {
    this._trailersDistinct = value;
  }

  setTimeout(milliseconds: number, callback?: () => void): this {
    if (callback) this.on('timeout', callback);
    this.socket?.setTimeout(milliseconds);
    return this;
  }

  // The body is pushed by the connection as it arrives; reading more means letting the
  // connection read again if it stopped because this stream's buffer was full.
  override _read(): void {
    if (!this._consuming) this._consuming = true;
    this.socket?._resumeForReader();
  }

  // Discards the body nobody read, so the bytes still come off the wire and the connection can
  // carry the next request (Node's _dump).
  _dump(): void {
    if (!this._dumped) {
      this._dumped = true;
      this.removeAllListeners('data');
      this.resume();
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.readableEnded || !this.complete) {
      this.aborted = true;
      this.emit('aborted');
    }
    // A message destroyed before it was fully received leaves the connection unusable.
    if (this.socket && !this.socket.destroyed && this.aborted) {
      this.socket.destroy(error ?? undefined);
    }
    // As Node: the error is emitted only if someone listens for it. Readable.destroy already
    // defers 'error' and 'close' to the next tick, so the callback can run now.
    callback(error && this.listenerCount('error') > 0 ? error : null);
  }
}
