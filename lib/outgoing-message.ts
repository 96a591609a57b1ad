// OutgoingMessage: what ServerResponse and ClientRequest share — the header API (over
// outgoing-headers.ts), the head (outgoing-head.ts), body framing, and the write/end/finish
// state machine over the message's sink (a native connection, or a stream we do not own). Like
// Node's, it is a legacy Stream (an EventEmitter with pipe), not a Writable: that is what code
// written for node:http observes, and, like Node's, a plain function constructor.
import { Buffer } from 'buffer';
import { getDefaultHighWaterMark, Stream } from 'stream';
import { deprecate } from 'util';

import { WRITE_ENDS_CONNECTION, WRITE_ENDS_RESPONSE } from './binding';
import {
  errHttpBodyNotAllowed,
  errHttpContentLengthMismatch,
  errInvalidArgType,
  errInvalidChar,
  errInvalidHttpToken,
  errStreamAlreadyFinished,
  errStreamDestroyed,
  errStreamNullValues,
  errStreamWriteAfterEnd,
} from './errors';
import { isToken, refusedValue } from './headers';
import { legacyConstructor, requireThis } from './legacy-class';
import { parserIsLenient } from './http-common';
import {
  chunkedWritesGathered,
  endCallbacksBeforeFinish,
  hasDeprecatedHeaderAccessors,
  hasHttpValidation,
  userCorksGatherChunks,
  writableFinishedIsFlushed,
} from './node-features';
import { buildHead } from './outgoing-head';
import * as outgoingHeaders from './outgoing-headers';
import type { HeaderMap, OutgoingHeaderValue, OutgoingHeaders } from './outgoing-headers';
import type { MessageSink } from './socket';

export type { OutgoingHeaderValue, OutgoingHeaders } from './outgoing-headers';

// Output produced before this message may write to its socket (a pipelined response waiting
// for the ones before it, a request waiting for its connection).
interface PendingChunk {
  prefix: string | undefined;
  body: string | ArrayBufferView | undefined;
  encoding: BufferEncoding | undefined;
  suffix: string | undefined;
  last: boolean;
}

/** The socket a message writes to, as the message sees it. */
export interface MessageSocket {
  _httpMessage: unknown;
  writable: boolean;
  writableHighWaterMark: number;
  destroy(error?: Error): unknown;
  setTimeout(milliseconds: number, callback?: () => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  // A net.Socket's (a stream a library made may lack them).
  readonly writableCorked?: number;
  _writableState?: { corked: number };
  cork?(): void;
  uncork?(): void;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
  // A server connection's stand-in (socket-stand-in.ts): the socket user code sees, made now.
  _visible?(): MessageSocket;
}

/** Who is told when a message's last byte is queued (the connection it belongs to). */
export interface MessageOwner {
  onMessageEnded(message: OutgoingMessage): void;
}

function byteLength(chunk: string | ArrayBufferView, encoding: BufferEncoding | undefined): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : chunk.byteLength;
}

function noop(): void {}

function uncorkSocket(socket: MessageSocket): void {
  socket.uncork?.();
}

// Whether strictContentLength applies: a Content-Length in the head frames a body (Node's
// strictContentLength()).
function strictContentLength(message: OutgoingMessageMethods): boolean {
  return (
    message.strictContentLength &&
    message._contentLength !== null &&
    message._contentLength !== undefined &&
    message._hasBody &&
    !message._removedContLen &&
    !message.chunkedEncoding &&
    !message.hasHeader('transfer-encoding')
  );
}

interface GatheredWrite {
  chunk: string | Uint8Array;
  encoding: BufferEncoding | undefined;
  callback: ((error?: Error | null) => void) | undefined;
}

// The tick's cork comes off (Node 24's connectionCorkNT).
function uncorkTick(message: OutgoingMessageMethods): void {
  message.uncork();
}

class OutgoingMessageMethods extends Stream {
  // The socket as the message's own path uses it: a server connection's stand-in until its
  // socket is made, which `socket` and `connection` make.
  declare _socket: MessageSocket | null;
  // Where the bytes go while this message holds its socket.
  declare _sink: MessageSink | null;
  declare writable: boolean;
  declare sendDate: boolean;
  declare finished: boolean;
  declare chunkedEncoding: boolean;
  declare useChunkedEncodingByDefault: boolean;
  declare shouldKeepAlive: boolean;
  declare maxRequestsOnConnectionReached: boolean;
  declare destroyed: boolean;
  declare strictContentLength: boolean;
  // Body bytes written, counted while strictContentLength is on (Node's kBytesWritten).
  declare _bytesWritten: number;
  // Node 20: cork() calls made before the message had a socket; Node 24: the message's corks
  // (Node's kCorked).
  declare _corked: number;
  declare _last: boolean;
  declare _hasBody: boolean;
  declare _header: string | null;
  declare _headerSent: boolean;
  declare _contentLength: number | null;
  declare _removedConnection: boolean;
  declare _removedContLen: boolean;
  declare _removedTE: boolean;
  declare _keepAliveTimeout: number;
  declare _defaultKeepAlive: boolean;
  declare _maxRequestsPerSocket: number;
  declare _trailer: string;
  declare _closed: boolean;
  // The header map (Node's kOutHeaders): lowercased name -> [name as set, value].
  declare _outHeaders: HeaderMap | null;
  declare _pending: PendingChunk[];
  declare _pendingBytes: number;
  declare _needDrain: boolean;
  declare _finishWaiting: boolean;
  // end(chunk) sent the end of the message with the chunk's piece.
  declare _endSent: boolean;
  declare _writableFinished: boolean;
  // The end() callbacks 'finish' runs first (Node 24; null: none).
  declare _endCallbacks: Array<(error?: Error | null) => void> | null;
  // Node 24's gathering of chunked writes (the cork count is _corked): the writes held (null:
  // none) and their byte length.
  declare _chunkedBuffer: GatheredWrite[] | null;
  declare _chunkedLength: number;
  // Server options Node passes to each response: the buffer size before write() returns false,
  // the fields whose several values travel on one line, and whether a body where none is
  // allowed throws.
  declare _highWaterMark: number;
  declare _uniqueHeaders: Set<string> | null;
  declare _rejectNonStandardBodyWrites: boolean;
  // Told (synchronously) when the last byte of this message is queued on its connection.
  declare _owner: MessageOwner | null;
  // Node 24.19's, on the prototype where the running Node has it (below the class).
  declare _isLenientHeaderValidation?: () => boolean;
  declare agent?: unknown;

  get socket(): MessageSocket | null {
    const socket = this._socket;
    return socket !== null && socket._visible !== undefined ? socket._visible() : socket;
  }

  set socket(socket: MessageSocket | null) {
    this._socket = socket;
  }

  get connection(): MessageSocket | null {
    return this.socket;
  }

  get headersSent(): boolean {
    return this._header !== null;
  }

  get writableEnded(): boolean {
    return this.finished;
  }

  // Node 20's and 22's getter: ended, and every byte handed to the socket and flushed by it (so
  // it is true before 'finish' once end() has flushed, and on a socket that is gone); Node 24's
  // is set with 'finish'. What native holds counts as the socket's (a client's socket still
  // connecting holds the writes too).
  get writableFinished(): boolean {
    if (this._writableFinished) return true;
    if (!writableFinishedIsFlushed || !this.finished || this._pending.length !== 0) return false;
    const socket = this._socket as (MessageSocket & { connecting?: boolean; writableLength?: number; _queuedNatively?: number }) | null;
    if (socket === null) return true;
    return !socket.connecting && !socket.writableLength && !socket._queuedNatively;
  }

  get writableNeedDrain(): boolean {
    return this._needDrain;
  }

  get writableHighWaterMark(): number {
    return this._socket ? this._socket.writableHighWaterMark : this._highWaterMark;
  }

  get writableLength(): number {
    const gathered = this._chunkedLength;
    if (gathered === 0) return this._pendingBytes;
    // Node 22 counts the gathered bytes alone.
    if (userCorksGatherChunks) return this._pendingBytes + gathered;
    // As Node 24 counts it: the gathered bytes with their chunk framing, and the head if it is
    // still to go.
    return this._pendingBytes + gathered + gathered.toString(16).length + 4 + (!this._headerSent && this._header !== null ? this._header.length : 0);
  }

  get writableObjectMode(): boolean {
    return false;
  }

  // Node 20's corking: the socket's, or counted here until the message has a socket.
  get writableCorked(): number {
    // Node 22 and 24 count the message's own corks; Node 20 the socket's.
    if (chunkedWritesGathered || userCorksGatherChunks) return this._corked;
    return (this._socket ? this._socket.writableCorked ?? 0 : 0) + this._corked;
  }

  setHeader(name: string, value: OutgoingHeaderValue): this {
    outgoingHeaders.setHeader(this, name, value);
    return this;
  }

  setHeaders(headers: unknown): this {
    outgoingHeaders.setHeaders(this, headers);
    return this;
  }

  appendHeader(name: string, value: OutgoingHeaderValue): this {
    outgoingHeaders.appendHeader(this, name, value);
    return this;
  }

  getHeader(name: string): OutgoingHeaderValue | undefined {
    return outgoingHeaders.getHeader(this, name);
  }

  getHeaderNames(): string[] {
    return outgoingHeaders.getHeaderNames(this);
  }

  getRawHeaderNames(): string[] {
    return outgoingHeaders.getRawHeaderNames(this);
  }

  getHeaders(): OutgoingHeaders {
    return outgoingHeaders.getHeaders(this);
  }

  hasHeader(name: string): boolean {
    return outgoingHeaders.hasHeader(this, name);
  }

  removeHeader(name: string): void {
    outgoingHeaders.removeHeader(this, name);
  }

  // Node's: each name validated as a token ('Trailer name'), an array value sent as one field
  // per element (joined with '; ' for a uniqueHeaders field); built in place, so a field that
  // fails leaves the ones before it.
  addTrailers(headers: OutgoingHeaders | ReadonlyArray<[string, string]>): void {
    this._trailer = '';
    const isArray = Array.isArray(headers);
    for (const key of Object.keys(headers)) {
      const field = isArray ? (headers as Array<[string, unknown]>)[Number(key)][0] : key;
      let value = isArray ? (headers as Array<[string, unknown]>)[Number(key)][1] : (headers as OutgoingHeaders)[key];
      if (typeof field !== 'string' || !field || !isToken(field)) throw errInvalidHttpToken('Trailer name', field);
      if (Array.isArray(value) && value.length > 1 && (!this._uniqueHeaders || !this._uniqueHeaders.has(field.toLowerCase()))) {
        for (const item of value) {
          if (refusedValue(String(item), this)) throw errInvalidChar('trailer content', field);
          this._trailer += `${field}: ${item}\r\n`;
        }
      } else {
        if (Array.isArray(value)) value = value.join('; ');
        if (refusedValue(String(value), this)) throw errInvalidChar('trailer content', field);
        this._trailer += `${field}: ${value}\r\n`;
      }
    }
  }

  flushHeaders(): void {
    if (this._header === null) this._implicitHeader();
    this._send(undefined, undefined, undefined, undefined);
  }

  setTimeout(milliseconds: number, callback?: () => void): this {
    if (callback) this.on('timeout', callback);
    if (this._socket) this._socket.setTimeout(milliseconds);
    else this.once('socket', (socket: MessageSocket) => socket.setTimeout(milliseconds));
    return this;
  }

  // Node 20 corks the socket (or counts the corks until the message has one); Node 24 gathers
  // the writes to a chunked message while corked into one chunk, sent when the count drops to
  // zero; Node 22 counts the corks, corks the socket too, and gathers what is written once the
  // head has gone.
  cork(): void {
    if (chunkedWritesGathered) {
      this._corked++;
    } else if (userCorksGatherChunks) {
      this._corked++;
      this._socket?.cork?.();
    } else if (this._socket) {
      this._socket.cork?.();
    } else {
      this._corked++;
    }
  }

  uncork(): void {
    if (userCorksGatherChunks) {
      this._socket?.uncork?.();
    } else if (!chunkedWritesGathered) {
      if (this._socket) this._socket.uncork?.();
      else if (this._corked) this._corked--;
      return;
    }
    // Node's count is not kept from going below zero (then nothing is sent until end()).
    if (--this._corked === 0 && this._chunkedBuffer !== null) {
      const queued = this._sendGathered();
      // A write refused for the gathered bytes is owed a 'drain' once they are on the
      // connection under its limit (over it, the connection's drain brings it).
      if (queued && this._needDrain) {
        this._needDrain = false;
        this.emit('drain');
      }
    }
  }

  // One chunk of everything gathered; the write callbacks follow it.
  _sendGathered(): boolean {
    const buffer = this._chunkedBuffer as GatheredWrite[];
    const length = this._chunkedLength;
    this._chunkedBuffer = null;
    this._chunkedLength = 0;
    if (this.destroyed) {
      const error = errStreamDestroyed('write');
      for (const write of buffer) if (write.callback) process.nextTick(write.callback, error);
      return false;
    }
    const body = buffer.length === 1 ? buffer[0].chunk : Buffer.concat(buffer.map((w) => (typeof w.chunk === 'string' ? Buffer.from(w.chunk, w.encoding) : w.chunk)));
    const encoding = buffer.length === 1 ? buffer[0].encoding : undefined;
    const queued = this._send(`${length.toString(16)}\r\n`, body, encoding, '\r\n', false, length);
    for (const write of buffer) {
      const callback = write.callback;
      if (!callback) continue;
      if (queued) process.nextTick(callback);
      else this.once('drain', callback);
    }
    return queued;
  }

  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (this._socket) this._socket.destroy(error);
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

  end(chunk?: string | Uint8Array | (() => void), encoding?: BufferEncoding | (() => void), callback?: (error?: Error | null) => void): this {
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
      // With its head already built and no strict length to check after the write, the body
      // and the end of the message go out as one piece (one native write per response);
      // otherwise the socket is corked so that they leave together.
      const withEnd = this._header !== null && !this.strictContentLength;
      if (!withEnd) this._socket?.cork?.();
      this._write(chunk, encoding, undefined, true, withEnd);
    } else if (this.finished) {
      if (callback) {
        if (this._writableFinished) callback(errStreamAlreadyFinished('end'));
        else this._onEnded(callback);
      }
      return this;
    } else if (this._header === null) {
      this._socket?.cork?.();
      this._contentLength = 0;
      this._implicitHeader();
    }
    if (callback) this._onEnded(callback);
    if (strictContentLength(this) && this._bytesWritten !== this._contentLength) {
      throw errHttpContentLengthMismatch(this._bytesWritten, this._contentLength as number);
    }
    // What was gathered goes out before the end of the message (Node 24).
    if (this._chunkedBuffer !== null) {
      this._corked = 0;
      this._sendGathered();
    }
    this.finished = true;
    // end() uncorks the socket fully (what was written while corked leaves before the end).
    const socket = this._socket;
    if (socket?._writableState && socket.writableCorked) {
      socket._writableState.corked = 1;
      socket.uncork?.();
    }
    this._corked = 0;
    // A message whose connection is gone never finishes (Node: its last write never completes).
    if (this.destroyed) return this;
    if (this._endSent) {
      // The body's piece carried the end.
    } else if (this._hasBody && this.chunkedEncoding) {
      this._send(undefined, undefined, undefined, `0\r\n${this._trailer}\r\n`, true);
    } else {
      this._send(undefined, undefined, undefined, undefined, true);
    }
    this._finishWaiting = true;
    this._maybeFinish();
    return this;
  }

  // An end() callback: run just before 'finish' (Node 24), or as a 'finish' listener.
  _onEnded(callback: (error?: Error | null) => void): void {
    if (endCallbacksBeforeFinish) (this._endCallbacks ??= []).push(callback);
    else if (this.finished) this.on('finish', callback);
    else this.once('finish', callback);
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
    withEnd = false,
  ): boolean {
    if (chunk === null) throw errStreamNullValues();
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
    if (this.strictContentLength) {
      // Node's write_: checked against a Content-Length the head already holds (none before the
      // first write stores it), every write counted.
      length = byteLength(chunk, encoding);
      if (strictContentLength(this) && (fromEnd ? this._bytesWritten + length !== this._contentLength : this._bytesWritten + length > (this._contentLength as number))) {
        throw errHttpContentLengthMismatch(this._bytesWritten + length, this._contentLength as number);
      }
      this._bytesWritten += length;
    }
    if (this._header === null) {
      if (fromEnd) this._contentLength = length = length >= 0 ? length : byteLength(chunk, encoding);
      this._implicitHeader();
    }
    if (!this._hasBody) {
      // RFC 9110 §6.4.1: HEAD, 1xx, 204 and 304 responses carry no content; Node drops the
      // bytes rather than failing the write, unless told to reject them.
      if (this._rejectNonStandardBodyWrites) throw errHttpBodyNotAllowed();
      if (callback) process.nextTick(callback);
      return true;
    }
    // Node 20 corks the socket for the rest of the tick at a write: what the tick writes leaves
    // together (writableCorked counts it). Node 24 corks the message instead (below).
    const socket = this._socket;
    if (!chunkedWritesGathered && !fromEnd && socket && !socket.writableCorked && socket.cork) {
      socket.cork();
      process.nextTick(uncorkSocket, socket);
    }
    let queued: boolean;
    // Node 24: a write while nothing corks the message (its socket, in Node) corks it until the
    // next tick.
    if (chunkedWritesGathered && !fromEnd && this._socket !== null && this._corked <= 0) {
      this._corked++;
      process.nextTick(uncorkTick, this);
    }
    if (userCorksGatherChunks && this._corked !== 0 && this._headerSent && this.chunkedEncoding) {
      // Node 22: held while the user corks, once the head has gone.
      const size = typeof chunk === 'string' ? chunk.length : chunk.byteLength;
      if (size !== 0) {
        if (length < 0) length = byteLength(chunk, encoding);
        (this._chunkedBuffer ??= []).push({ chunk, encoding, callback });
        this._chunkedLength += length;
        return this._chunkedLength < this._highWaterMark;
      }
    }
    if (chunkedWritesGathered && this.chunkedEncoding) {
      if (this._corked !== 0) {
        const size = typeof chunk === 'string' ? chunk.length : chunk.byteLength;
        if (size !== 0 || this._chunkedBuffer !== null) {
          if (size !== 0) {
            if (length < 0) length = byteLength(chunk, encoding);
            (this._chunkedBuffer ??= []).push({ chunk, encoding, callback });
            this._chunkedLength += length;
          } else if (callback) {
            this._chunkedBuffer?.push({ chunk: '', encoding: undefined, callback });
          }
          return this.writableLength < this.writableHighWaterMark;
        }
      }
    }
    if (withEnd && this._chunkedBuffer === null) {
      // end(chunk): the body and the end of the message in one piece, the same bytes as two.
      this._endSent = true;
      if (!this.chunkedEncoding) {
        queued = this._send(undefined, chunk, encoding, undefined, true, length);
      } else if ((typeof chunk === 'string' ? chunk.length : chunk.byteLength) !== 0) {
        if (length < 0) length = byteLength(chunk, encoding);
        queued = this._send(`${length.toString(16)}\r\n`, chunk, encoding, `\r\n0\r\n${this._trailer}\r\n`, true);
      } else {
        queued = this._send(undefined, chunk, encoding, `0\r\n${this._trailer}\r\n`, true);
      }
    } else if (this.chunkedEncoding && (typeof chunk === 'string' ? chunk.length : chunk.byteLength) !== 0) {
      if (length < 0) length = byteLength(chunk, encoding);
      queued = this._send(`${length.toString(16)}\r\n`, chunk, encoding, '\r\n', false);
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
  // byte length when the caller already knows it (-1: measure it here, if it is needed).
  _send(
    prefix: string | undefined,
    body: string | ArrayBufferView | undefined,
    encoding: BufferEncoding | undefined,
    suffix: string | undefined,
    last = false,
    bodyLength = -1,
  ): boolean {
    if (!this._headerSent && this._header !== null) {
      prefix = prefix === undefined ? this._header : this._header + prefix;
      this._headerSent = true;
    }
    return this._sendPiece(prefix, body, encoding, suffix, last, bodyLength);
  }

  // _send once the head has been put in front (or was already sent).
  _sendPiece(
    prefix: string | undefined,
    body: string | ArrayBufferView | undefined,
    encoding: BufferEncoding | undefined,
    suffix: string | undefined,
    last = false,
    bodyLength = -1,
  ): boolean {
    if (prefix === undefined && body === undefined && suffix === undefined && !last) return true;
    const socket = this._socket;
    const sink = this._sink;
    if (socket === null || sink === null || socket._httpMessage !== this) {
      const bodyBytes = body === undefined ? 0 : bodyLength >= 0 ? bodyLength : byteLength(body, encoding);
      this._pending.push({ prefix, body, encoding, suffix, last });
      this._pendingBytes += (prefix?.length ?? 0) + bodyBytes + (suffix?.length ?? 0);
      return this._pendingBytes < this.writableHighWaterMark;
    }
    if (!sink.writable) {
      // The connection is ending (an earlier response closed it, or the peer went away): as on
      // Node, what is written now never reaches the wire.
      return true;
    }
    // The last piece of a response that closes its connection ends the connection too, in the
    // same crossing. (A request's connection closes after its response, not after it.)
    let flags = 0;
    if (last) flags = this._last && this._owner !== null ? WRITE_ENDS_RESPONSE | WRITE_ENDS_CONNECTION : WRITE_ENDS_RESPONSE;
    const queued = sink._writeMessage(prefix, body, encoding, suffix, flags);
    if (flags & WRITE_ENDS_CONNECTION) sink._endedWithLastWrite();
    this._pendingBytes = queued > 0 ? queued : 0;
    if (queued >= sink.writableHighWaterMark) {
      sink._watchDrain();
      return false;
    }
    return true;
  }

  // The socket became ours: send what was held back.
  _flushPending(): void {
    const socket = this._socket;
    if (socket === null || this._sink === null || socket._httpMessage !== this) return;
    // Corks made before the message had its socket apply to the socket now (Node 20; Node 24's
    // stay the message's).
    if (userCorksGatherChunks) {
      // Node 22: the socket takes them, and the message keeps counting them.
      for (let n = 0; n < this._corked; n++) socket.cork?.();
    }
    while (!chunkedWritesGathered && !userCorksGatherChunks && this._corked) {
      this._corked--;
      socket.cork?.();
    }
    const pending = this._pending;
    this._pending = [];
    this._pendingBytes = 0;
    // The pieces go out as they were queued, the head already in the first (Node's
    // _flushOutput writes its outputData as is): a head rendered again meanwhile (agents such
    // as http-proxy-agent set _header = null and call _implicitHeader() in their connect())
    // must not be sent a second time.
    for (const chunk of pending) {
      this._sendPiece(chunk.prefix, chunk.body, chunk.encoding, chunk.suffix, chunk.last);
    }
    // As Node's _flush: an ended message is owed no 'drain' (its writer is done writing).
    if (!this.finished && this._needDrain && this._pendingBytes < this._sink.writableHighWaterMark) {
      this._needDrain = false;
      this.emit('drain');
    }
    this._maybeFinish();
  }

  // Once end() was called and every byte is queued on the connection (in order, behind the
  // messages before it), the connection may move on to the next message at once; 'finish'
  // follows on the next tick. Advancing synchronously is what lets the answers to pipelined
  // requests leave in one write.
  _maybeFinish(): void {
    if (!this._finishWaiting) return;
    const socket = this._socket;
    if (socket === null || socket._httpMessage !== this || this._pending.length > 0) return;
    this._finishWaiting = false;
    this._finish();
    if (this._owner !== null) this._owner.onMessageEnded(this as unknown as OutgoingMessage);
    this._emitFinishSoon();
  }

  // 'finish', on the next tick (ClientRequest: once its connection is made).
  _emitFinishSoon(): void {
    process.nextTick(emitFinish, this);
  }

  // Every byte of the message is queued on its connection (Node's _finish: 'prefinish').
  _finish(): void {
    this.emit('prefinish');
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

  // Builds the head (outgoing-head.ts) and keeps it until the first write carries it.
  _storeHeader(firstLine: string, headers: OutgoingHeaders | readonly unknown[] | null | undefined, fromSetHeader: boolean): void {
    const built = buildHead(this, firstLine, headers, fromSetHeader, this._statusForFraming());
    this._header = built.head;
    this._headerSent = false;
    // A client waiting for 100-continue needs the head now.
    if (built.expect) this._send(undefined, undefined, undefined, undefined);
  }

  // What comes before and after 'finish' for this kind of message.
  _beforeFinish(): void {}

  _afterFinish(): void {}

  _statusForFraming(): number {
    return 0;
  }
}

export const OutgoingMessage = legacyConstructor('OutgoingMessage', OutgoingMessageMethods, function OutgoingMessage(
  this: OutgoingMessageMethods,
  options?: { highWaterMark?: number; rejectNonStandardBodyWrites?: boolean },
) {
  requireThis(this);
  Stream.call(this);
  this._socket = null;
  this._sink = null;
  this.writable = true;
  this.sendDate = false;
  this.finished = false;
  this.chunkedEncoding = false;
  this.useChunkedEncodingByDefault = true;
  this.shouldKeepAlive = true;
  this.maxRequestsOnConnectionReached = false;
  this.destroyed = false;
  this.strictContentLength = false;
  this._bytesWritten = 0;
  this._corked = 0;
  this._last = false;
  this._hasBody = true;
  this._header = null;
  this._headerSent = false;
  this._contentLength = null;
  this._removedConnection = false;
  this._removedContLen = false;
  this._removedTE = false;
  this._keepAliveTimeout = 0;
  this._defaultKeepAlive = true;
  this._maxRequestsPerSocket = 0;
  this._trailer = '';
  this._closed = false;
  this._outHeaders = null;
  this._pending = [];
  this._pendingBytes = 0;
  this._needDrain = false;
  this._finishWaiting = false;
  this._endSent = false;
  this._writableFinished = false;
  this._endCallbacks = null;
  this._chunkedBuffer = null;
  this._chunkedLength = 0;
  this._highWaterMark = options?.highWaterMark ?? getDefaultHighWaterMark(false);
  this._uniqueHeaders = null;
  this._rejectNonStandardBodyWrites = options?.rejectNonStandardBodyWrites ?? false;
  this._owner = null;
});
export type OutgoingMessage = OutgoingMessageMethods;

// For subclasses: the methods class their own methods class extends.
export { OutgoingMessageMethods };

// Node 24.19: whether the header values this message sends follow the lenient rule. Node's
// lookup, in its order: the message's own httpValidation (a request's), its server's (a
// response's, through req.socket.server), the message's insecureHTTPParser, its server's, and
// --insecure-http-parser. Assigned as Node's is, so it is an enumerable prototype property.
interface LenientLookup {
  httpValidation?: unknown;
  insecureHTTPParser?: unknown;
  req?: { socket?: { server?: { httpValidation?: unknown; insecureHTTPParser?: unknown } | null } | null };
}
if (hasHttpValidation) {
  OutgoingMessageMethods.prototype._isLenientHeaderValidation = function _isLenientHeaderValidation(this: LenientLookup): boolean {
    if (this.httpValidation !== undefined) return this.httpValidation !== 'strict';
    const server = this.req?.socket?.server;
    if (server?.httpValidation !== undefined) return server.httpValidation !== 'strict';
    if (typeof this.insecureHTTPParser === 'boolean') return this.insecureHTTPParser;
    if (typeof server?.insecureHTTPParser === 'boolean') return server.insecureHTTPParser;
    return parserIsLenient(undefined);
  };
}

// Node 20 and 22: _headers and _headerNames, DEP0066 accessors over the header map on the
// prototype (neither enumerable nor configurable, as Node defines them); removed in 24.0.
if (hasDeprecatedHeaderAccessors) {
  const headersMessage = 'OutgoingMessage.prototype._headers is deprecated';
  const namesMessage = 'OutgoingMessage.prototype._headerNames is deprecated';
  Object.defineProperty(OutgoingMessageMethods.prototype, '_headers', {
    get: deprecate(function _headers(this: OutgoingMessageMethods) {
      return this.getHeaders();
    }, headersMessage, 'DEP0066'),
    set: deprecate(function _headers(this: OutgoingMessageMethods, value: unknown) {
      if (value === null || value === undefined) {
        this._outHeaders = null;
      } else if (typeof value === 'object') {
        const headers: HeaderMap = (this._outHeaders = Object.create(null) as HeaderMap);
        for (const name of Object.keys(value)) headers[name.toLowerCase()] = [name, (value as OutgoingHeaders)[name] as OutgoingHeaderValue];
      }
    }, headersMessage, 'DEP0066'),
  });
  Object.defineProperty(OutgoingMessageMethods.prototype, '_headerNames', {
    get: deprecate(function _headerNames(this: OutgoingMessageMethods) {
      const headers = this._outHeaders;
      if (headers === null) return null;
      const names: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const key of Object.keys(headers)) names[key] = headers[key][0];
      return names;
    }, namesMessage, 'DEP0066'),
    set: deprecate(function _headerNames(this: OutgoingMessageMethods, value: unknown) {
      const headers = this._outHeaders;
      if (typeof value !== 'object' || value === null || headers === null) return;
      for (const key of Object.keys(value)) {
        const entry = headers[key];
        if (entry) entry[0] = (value as Record<string, string>)[key];
      }
    }, namesMessage, 'DEP0066'),
  });
}

function emitFinish(message: OutgoingMessageMethods): void {
  message._writableFinished = true;
  const callbacks = message._endCallbacks;
  if (callbacks !== null) {
    message._endCallbacks = null;
    for (const callback of callbacks) callback(null);
  }
  message._beforeFinish();
  message.emit('finish');
  message._afterFinish();
}
