// OutgoingMessage: the header rules and body framing shared by ServerResponse (and, later,
// ClientRequest). Like Node's, it is a legacy Stream (an EventEmitter with pipe), not a
// Writable: that is what code written for node:http observes.
import { Buffer } from 'buffer';
import { getDefaultHighWaterMark, Stream } from 'stream';

import { dateField } from './date';
import {
  errHeadersSent,
  errHttpBodyNotAllowed,
  errHttpTrailerInvalid,
  errInvalidArgType,
  errInvalidArgValue,
  errStreamDestroyed,
  errStreamWriteAfterEnd,
} from './errors';
import { errInvalidChar } from './errors';
import { hasInvalidValueChar, isToken, lowercase, validateHeaderName, validateHeaderValue } from './headers';
import type { Socket } from './socket';
import { writeChunk } from './socket';

export type OutgoingHeaderValue = number | string | readonly string[];
export type OutgoingHeaders = { [name: string]: OutgoingHeaderValue | undefined };
type HeaderEntry = [name: string, value: OutgoingHeaderValue];

const CONNECTION_CLOSE = /(?:^|\W)close(?:$|\W)/i;
const TE_CHUNKED = /(?:^|\W)chunked(?:$|\W)/i;

// Output produced before this message may write to its socket (a pipelined response waiting
// for the ones before it).
interface PendingChunk {
  prefix: string | undefined;
  body: string | Uint8Array | undefined;
  encoding: BufferEncoding | undefined;
  suffix: string | undefined;
  last: boolean;
}

function byteLength(chunk: string | Uint8Array, encoding: BufferEncoding | undefined): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : chunk.byteLength;
}

function noop(): void {}

// Who is told when a message's last byte is queued (the connection it belongs to).
export interface MessageOwner {
  onMessageEnded(message: OutgoingMessage): void;
}

// What _storeHeader learns about the fields the user set.
interface HeaderState {
  connection: boolean;
  contentLength: boolean;
  transferEncoding: boolean;
  date: boolean;
  expect: boolean;
  trailer: boolean;
  head: string;
}

export class OutgoingMessage extends Stream {
  socket: Socket | null = null;
  writable = true;
  sendDate = false;
  finished = false;
  chunkedEncoding = false;
  useChunkedEncodingByDefault = true;
  shouldKeepAlive = true;
  maxRequestsOnConnectionReached = false;
  destroyed = false;
  strictContentLength = false;
  _last = false;
  _hasBody = true;
  _header: string | null = null;
  _headerSent = false;
  _contentLength: number | null = null;
  _removedConnection = false;
  _removedContLen = false;
  _removedTE = false;
  _keepAliveTimeout = 0;
  _defaultKeepAlive = true;
  _maxRequestsPerSocket = 0;
  _trailer = '';
  _closed = false;
  _headers: { [lowercase: string]: HeaderEntry } | null = null;
  _pending: PendingChunk[] = [];
  _pendingBytes = 0;
  _needDrain = false;
  _finishWaiting = false;
  _writableFinished = false;
  // Server options Node passes to each response: the buffer size before write() returns false,
  // the fields whose several values travel on one line, and whether a body where none is
  // allowed throws.
  _highWaterMark = getDefaultHighWaterMark(false);
  _uniqueHeaders: Set<string> | null = null;
  _rejectNonStandardBodyWrites = false;
  // Told (synchronously) when the last byte of this message is queued on its connection.
  _owner: MessageOwner | null = null;

  get connection(): Socket | null {
    return this.socket;
  }

  get headersSent(): boolean {
    return this._header !== null;
  }

  get writableEnded(): boolean {
    return this.finished;
  }

  get writableFinished(): boolean {
    return this._writableFinished;
  }

  get writableNeedDrain(): boolean {
    return this._needDrain;
  }

  get writableHighWaterMark(): number {
    return this.socket ? this.socket.writableHighWaterMark : this._highWaterMark;
  }

  get writableLength(): number {
    return this._pendingBytes;
  }

  get writableObjectMode(): boolean {
    return false;
  }

  get writableCorked(): number {
    return 0;
  }

  setHeader(name: string, value: OutgoingHeaderValue): this {
    if (this._header !== null) throw errHeadersSent('set');
    validateHeaderName(name);
    validateOutgoingValue(name, value);
    if (this._headers === null) this._headers = Object.create(null);
    this._headers![name.toLowerCase()] = [name, value];
    return this;
  }

  setHeaders(headers: Headers | Map<string, OutgoingHeaderValue>): this {
    if (this._header !== null) throw errHeadersSent('set');
    if (!headers || Array.isArray(headers) || typeof (headers as Map<string, unknown>).keys !== 'function') {
      throw errInvalidArgType('headers', 'an instance of Headers or Map', headers);
    }
    const cookies: string[] = [];
    for (const [name, value] of headers as Map<string, OutgoingHeaderValue>) {
      if (name.toLowerCase() === 'set-cookie') cookies.push(String(value));
      else this.setHeader(name, value);
    }
    if (cookies.length > 0) this.setHeader('set-cookie', cookies);
    return this;
  }

  appendHeader(name: string, value: OutgoingHeaderValue): this {
    if (this._header !== null) throw errHeadersSent('append');
    validateHeaderName(name);
    validateOutgoingValue(name, value);
    const key = name.toLowerCase();
    if (this._headers === null) this._headers = Object.create(null);
    const existing = this._headers![key];
    if (existing === undefined) {
      this._headers![key] = [name, value];
    } else {
      const previous = Array.isArray(existing[1]) ? existing[1] : [String(existing[1])];
      const added = Array.isArray(value) ? value : [String(value)];
      existing[1] = [...(previous as string[]), ...(added as string[])];
    }
    return this;
  }

  getHeader(name: string): OutgoingHeaderValue | undefined {
    if (typeof name !== 'string') throw errInvalidArgType('name', 'of type string', name);
    return this._headers?.[name.toLowerCase()]?.[1];
  }

  getHeaderNames(): string[] {
    return this._headers === null ? [] : Object.keys(this._headers);
  }

  getRawHeaderNames(): string[] {
    return this._headers === null ? [] : Object.values(this._headers).map((entry) => entry[0]);
  }

  getHeaders(): OutgoingHeaders {
    const result: OutgoingHeaders = Object.create(null);
    if (this._headers !== null) {
      for (const key of Object.keys(this._headers)) result[key] = this._headers[key][1];
    }
    return result;
  }

  hasHeader(name: string): boolean {
    if (typeof name !== 'string') throw errInvalidArgType('name', 'of type string', name);
    return this._headers !== null && this._headers[name.toLowerCase()] !== undefined;
  }

  removeHeader(name: string): void {
    if (typeof name !== 'string') throw errInvalidArgType('name', 'of type string', name);
    if (this._header !== null) throw errHeadersSent('remove');
    const key = name.toLowerCase();
    switch (key) {
      case 'connection':
        this._removedConnection = true;
        break;
      case 'content-length':
        this._removedContLen = true;
        break;
      case 'transfer-encoding':
        this._removedTE = true;
        break;
      case 'date':
        this.sendDate = false;
        break;
    }
    if (this._headers !== null) delete this._headers[key];
  }

  addTrailers(headers: OutgoingHeaders | ReadonlyArray<[string, string]>): void {
    let trailer = '';
    const entries: Array<[string, unknown]> = Array.isArray(headers)
      ? (headers as Array<[string, string]>)
      : Object.keys(headers).map((key) => [key, (headers as OutgoingHeaders)[key]]);
    for (const [field, value] of entries) {
      if (typeof field !== 'string' || !field || !isToken(field)) {
        throw errInvalidArgValue('trailer', field);
      }
      const text = String(value);
      if (hasInvalidValueChar(text)) throw errInvalidChar('trailer content', field);
      trailer += `${field}: ${text}\r\n`;
    }
    this._trailer = trailer;
  }

  flushHeaders(): void {
    if (this._header === null) this._implicitHeader();
    this._send(undefined, undefined, undefined, undefined);
  }

  setTimeout(milliseconds: number, callback?: () => void): this {
    if (callback) this.on('timeout', callback);
    if (this.socket) this.socket.setTimeout(milliseconds);
    else this.once('socket', (socket: Socket) => socket.setTimeout(milliseconds));
    return this;
  }

  cork(): void {}

  uncork(): void {}

  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (this.socket) this.socket.destroy(error);
    else if (error) process.nextTick(() => this.emit('error', error));
    return this;
  }

  // Subclasses write their first line and call _storeHeader.
  _implicitHeader(): void {
    throw new Error('_implicitHeader() is not implemented');
  }

  write(chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean {
    if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    const result = this._write(chunk, encoding, callback, false);
    if (!result) this._needDrain = true;
    return result;
  }

  end(chunk?: string | Uint8Array | (() => void), encoding?: BufferEncoding | (() => void), callback?: () => void): this {
    if (typeof chunk === 'function') {
      callback = chunk;
      chunk = undefined;
      encoding = undefined;
    } else if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    if (chunk) {
      if (this.finished) {
        this._reportWriteError(errStreamWriteAfterEnd(), callback ?? noop);
        return this;
      }
      this._write(chunk, encoding, undefined, true);
    } else if (this.finished) {
      if (callback) {
        if (!this._writableFinished) this.on('finish', callback);
        else callback();
      }
      return this;
    } else if (this._header === null) {
      this._contentLength = 0;
      this._implicitHeader();
    }
    if (callback) this.once('finish', callback);
    this.finished = true;
    // A message whose connection is gone never finishes (Node: its last write never completes).
    if (this.destroyed) return this;
    if (this._hasBody && this.chunkedEncoding) {
      this._send(undefined, undefined, undefined, `0\r\n${this._trailer}\r\n`, true);
    } else {
      this._send(undefined, undefined, undefined, undefined, true);
    }
    this._finishWaiting = true;
    this._maybeFinish();
    return this;
  }

  _reportWriteError(error: Error, callback: (error?: Error | null) => void): void {
    process.nextTick(() => {
      callback(error);
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
  }

  _write(
    chunk: string | Uint8Array,
    encoding: BufferEncoding | undefined,
    callback: ((error?: Error | null) => void) | undefined,
    fromEnd: boolean,
  ): boolean {
    if (chunk === null) {
      const error = new TypeError('May not write null values to stream') as Error & { code: string };
      error.code = 'ERR_STREAM_NULL_VALUES';
      throw error;
    }
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
      throw errInvalidArgType('chunk', 'of type string or an instance of Buffer or Uint8Array', chunk);
    }
    if (this.finished || this.destroyed) {
      const error = this.finished ? errStreamWriteAfterEnd() : errStreamDestroyed('write');
      if (this.destroyed) process.nextTick(() => callback?.(error));
      else this._reportWriteError(error, callback ?? noop);
      return false;
    }
    let length = -1;
    if (this._header === null) {
      if (fromEnd) this._contentLength = length = byteLength(chunk, encoding);
      this._implicitHeader();
    }
    if (!this._hasBody) {
      // RFC 9110 §6.4.1: HEAD, 1xx, 204 and 304 responses carry no content; Node drops the
      // bytes rather than failing the write, unless told to reject them.
      if (this._rejectNonStandardBodyWrites) throw errHttpBodyNotAllowed();
      if (callback) process.nextTick(callback);
      return true;
    }
    let queued: boolean;
    if (this.chunkedEncoding && (typeof chunk === 'string' ? chunk.length : chunk.byteLength) !== 0) {
      if (length < 0) length = byteLength(chunk, encoding);
      queued = this._send(`${length.toString(16)}\r\n`, chunk, encoding, '\r\n', false, length);
    } else {
      queued = this._send(undefined, chunk, encoding, undefined, false, length);
    }
    if (callback) {
      if (queued) process.nextTick(callback);
      else this.once('drain', callback);
    }
    return queued;
  }

  // Sends (or holds, until this message owns the socket) one piece of output, with the head
  // riding on the first one; `last` marks the end of the message. `bodyLength` is the body's
  // byte length when the caller already knows it (-1: measure it here).
  _send(
    prefix: string | undefined,
    body: string | Uint8Array | undefined,
    encoding: BufferEncoding | undefined,
    suffix: string | undefined,
    last = false,
    bodyLength = -1,
  ): boolean {
    if (!this._headerSent && this._header !== null) {
      prefix = prefix === undefined ? this._header : this._header + prefix;
      this._headerSent = true;
    }
    if (prefix === undefined && body === undefined && suffix === undefined && !last) return true;
    const socket = this.socket;
    if (socket !== null && socket._httpMessage === this && !socket.writable) {
      // The connection is ending (an earlier response closed it, or the peer went away): as on
      // Node, what is written now never reaches the wire.
      return true;
    }
    const bodyBytes = body === undefined ? 0 : bodyLength >= 0 ? bodyLength : byteLength(body, encoding);
    if (socket === null || socket._httpMessage !== this) {
      this._pending.push({ prefix, body, encoding, suffix, last });
      this._pendingBytes += (prefix?.length ?? 0) + bodyBytes + (suffix?.length ?? 0);
      return this._pendingBytes < this.writableHighWaterMark;
    }
    const queued = writeChunk(socket._id, prefix, body, encoding, suffix, last);
    socket.bytesWritten += bodyBytes;
    this._pendingBytes = queued > 0 ? queued : 0;
    if (queued >= socket.writableHighWaterMark) {
      socket._watchDrain();
      return false;
    }
    return true;
  }

  // The socket became ours: send what was held back.
  _flushPending(): void {
    const socket = this.socket;
    if (socket === null || socket._httpMessage !== this) return;
    const pending = this._pending;
    this._pending = [];
    this._pendingBytes = 0;
    for (const chunk of pending) {
      this._send(chunk.prefix, chunk.body, chunk.encoding, chunk.suffix, chunk.last);
    }
    if (this._needDrain && this._pendingBytes < socket.writableHighWaterMark) {
      this._needDrain = false;
      this.emit('drain');
    }
    this._maybeFinish();
  }

  // Once end() was called and every byte is queued on the connection (in order, behind the
  // responses before it), the connection may move on to the next response at once; 'finish'
  // follows on the next tick. Advancing synchronously is what lets the answers to pipelined
  // requests leave in one write.
  _maybeFinish(): void {
    if (!this._finishWaiting) return;
    const socket = this.socket;
    if (socket === null || socket._httpMessage !== this || this._pending.length > 0) return;
    this._finishWaiting = false;
    if (this._owner !== null) this._owner.onMessageEnded(this);
    process.nextTick(emitFinish, this);
  }

  // The socket's queue emptied.
  _onSocketDrain(): void {
    this._pendingBytes = 0;
    if (this._needDrain) {
      this._needDrain = false;
      this.emit('drain');
    }
    this._maybeFinish();
  }

  // Builds the head: the first line, the user's fields in their order, then the fields Node
  // adds (Date, Connection, Keep-Alive, and Content-Length or Transfer-Encoding).
  _storeHeader(firstLine: string, headers: OutgoingHeaders | readonly unknown[] | null | undefined, fromSetHeader: boolean): void {
    // One state object serves every call: _storeHeader does not nest, and a head is built on
    // every response.
    const state = headerState;
    state.connection = false;
    state.contentLength = false;
    state.transferEncoding = false;
    state.date = false;
    state.expect = false;
    state.trailer = false;
    state.head = firstLine;
    if (headers) {
      if (fromSetHeader) {
        const entries = headers as unknown as { [key: string]: HeaderEntry };
        for (const key in entries) {
          const entry = entries[key];
          this._processHeader(state, entry[0], entry[1], false);
        }
      } else if (Array.isArray(headers)) {
        if (headers.length > 0 && Array.isArray(headers[0])) {
          for (const entry of headers as Array<[string, OutgoingHeaderValue]>) {
            this._processHeader(state, entry[0], entry[1], true);
          }
        } else {
          if (headers.length % 2 !== 0) throw errInvalidArgValue('headers', headers);
          for (let i = 0; i < headers.length; i += 2) {
            this._processHeader(state, headers[i] as string, headers[i + 1] as OutgoingHeaderValue, true);
          }
        }
      } else {
        const object = headers as OutgoingHeaders;
        for (const key in object) {
          if (Object.prototype.hasOwnProperty.call(object, key)) {
            this._processHeader(state, key, object[key] as OutgoingHeaderValue, true);
          }
        }
      }
    }
    let head = state.head;
    if (this.sendDate && !state.date) head += dateField();

    // RFC 9110 §15.3.5, §15.4.5: 204 and 304 carry no content, so no chunked framing either.
    if (this.chunkedEncoding && (this._statusForFraming() === 204 || this._statusForFraming() === 304)) {
      this.chunkedEncoding = false;
      this.shouldKeepAlive = false;
    }

    if (this._removedConnection) {
      this._last = !this.shouldKeepAlive;
    } else if (!state.connection) {
      const keepAlive = this.shouldKeepAlive && (state.contentLength || this.useChunkedEncodingByDefault);
      if (keepAlive && this.maxRequestsOnConnectionReached) {
        head += 'Connection: close\r\n';
      } else if (keepAlive) {
        head +=
          this._keepAliveTimeout && this._defaultKeepAlive
            ? keepAliveFields(this._keepAliveTimeout, this._maxRequestsPerSocket)
            : 'Connection: keep-alive\r\n';
      } else {
        this._last = true;
        head += 'Connection: close\r\n';
      }
    }

    if (!state.contentLength && !state.transferEncoding) {
      if (!this._hasBody) {
        this.chunkedEncoding = false;
      } else if (!this.useChunkedEncodingByDefault) {
        // RFC 9112 §6.3: without framing the body ends when the connection closes.
        this._last = true;
      } else if (!state.trailer && !this._removedContLen && typeof this._contentLength === 'number') {
        head += `Content-Length: ${this._contentLength}\r\n`;
      } else if (!this._removedTE) {
        head += 'Transfer-Encoding: chunked\r\n';
        this.chunkedEncoding = true;
      } else {
        this._last = true;
      }
    }

    if (this.chunkedEncoding !== true && state.trailer) throw errHttpTrailerInvalid();

    this._header = `${head}\r\n`;
    this._headerSent = false;
    // A client waiting for 100-continue needs the head now.
    if (state.expect) this._send(undefined, undefined, undefined, undefined);
  }

  // What follows 'finish' for this kind of message.
  _afterFinish(): void {}

  _statusForFraming(): number {
    return 0;
  }

  private _processHeader(state: HeaderState, name: string, value: OutgoingHeaderValue, validate: boolean): void {
    if (validate) validateHeaderName(name);
    if (Array.isArray(value)) {
      // RFC 6265 §5.4: several cookie values travel as one field joined with "; ", and so do
      // the values of fields named in the server's uniqueHeaders option.
      const unique = this._uniqueHeaders !== null && this._uniqueHeaders.has(name.toLowerCase());
      if ((value.length < 2 || !isCookieField(name)) && !unique) {
        for (const item of value) this._storeField(state, name, item, validate);
        return;
      }
      value = value.join('; ');
    }
    this._storeField(state, name, value as string | number, validate);
  }

  private _storeField(state: HeaderState, name: string, value: string | number, validate: boolean): void {
    if (validate) validateHeaderValue(name, value);
    state.head += `${name}: ${value}\r\n`;
    if (name.length > 17 || ((SEMANTIC_NAME_LENGTHS >> name.length) & 1) === 0) return;
    switch (lowercase(name)) {
      case 'connection':
        state.connection = true;
        this._removedConnection = false;
        if (CONNECTION_CLOSE.test(String(value))) this._last = true;
        else this.shouldKeepAlive = true;
        break;
      case 'transfer-encoding':
        state.transferEncoding = true;
        this._removedTE = false;
        if (TE_CHUNKED.test(String(value))) this.chunkedEncoding = true;
        break;
      case 'content-length':
        state.contentLength = true;
        this._contentLength = +value;
        this._removedContLen = false;
        break;
      case 'date':
        state.date = true;
        break;
      case 'expect':
        state.expect = true;
        break;
      case 'trailer':
        state.trailer = true;
        break;
      case 'keep-alive':
        this._defaultKeepAlive = false;
        break;
    }
  }
}

// The lengths of the names _storeField acts on (date, expect, trailer, connection and
// keep-alive, content-length, transfer-encoding): any other name is stored and nothing more.
const SEMANTIC_NAME_LENGTHS = (1 << 4) | (1 << 6) | (1 << 7) | (1 << 10) | (1 << 14) | (1 << 17);

const headerState: HeaderState = {
  connection: false,
  contentLength: false,
  transferEncoding: false,
  date: false,
  expect: false,
  trailer: false,
  head: '',
};

// `Connection: keep-alive` and the Keep-Alive field for the server's settings, built once
// rather than per response.
let keepAliveCache = { timeout: -1, max: -1, fields: '' };

function keepAliveFields(timeout: number, maxRequests: number): string {
  if (keepAliveCache.timeout !== timeout || keepAliveCache.max !== maxRequests) {
    const max = maxRequests > 0 ? `, max=${maxRequests}` : '';
    const fields = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(timeout / 1000)}${max}\r\n`;
    keepAliveCache = { timeout, max: maxRequests, fields };
  }
  return keepAliveCache.fields;
}

function isCookieField(name: string): boolean {
  return name.length === 6 && name.toLowerCase() === 'cookie';
}

function validateOutgoingValue(name: string, value: OutgoingHeaderValue): void {
  if (Array.isArray(value)) {
    for (const item of value) validateHeaderValue(name, item);
  } else {
    validateHeaderValue(name, value);
  }
}

function emitFinish(message: OutgoingMessage): void {
  message._writableFinished = true;
  message.emit('finish');
  message._afterFinish();
}
