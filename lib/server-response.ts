// ServerResponse: the answer to one request, written in request order on its connection. A
// plain function constructor like Node's (libraries call ServerResponse.call(this, req)).
import * as diagnostics from 'diagnostics_channel';
import { deprecate } from 'util';

import { errHeadersSent, errHttpSocketAssigned, errInvalidArgType, errInvalidChar, errInvalidStatusCode, errInvalidArgValue, errOutOfRange } from './errors';
import { hasInvalidValueChar, validateHeaderName, validateMessageValue, type LenientValidation } from './headers';
import type { IncomingMessage } from './incoming-message';
import { legacyConstructor, requireThis } from './legacy-class';
import { MessageSocket, OutgoingHeaders, OutgoingMessage, OutgoingMessageMethods } from './outgoing-message';
import { hasResponseCreatedChannel, hasWriteHeader, hasWriteInformation, writeHeadArrayAppends, writeHeaderWarns } from './node-features';
import { sinkOf } from './stream-sink';
import { STATUS_CODES } from './status-codes';

// Published as Node's http.Server publishes them (to APM agents and other tools).
const responseFinishChannel = diagnostics.channel('http.server.response.finish');

// RFC 9110 §10.1.1: only the 100-continue expectation is defined.
const CONTINUE_EXPECTATION = /(?:^|\W)100-continue(?:$|\W)/i;
const TE_CHUNKED = /(?:^|\W)chunked(?:$|\W)/i;

// Node 22.12+ publishes {request, response} here as each ServerResponse is made (null: this Node
// has no such channel).
const responseCreatedChannel = hasResponseCreatedChannel ? diagnostics.channel('http.server.response.created') : null;

class ServerResponseMethods extends OutgoingMessageMethods {
  declare statusCode: number;
  declare statusMessage: string | undefined;
  declare req: IncomingMessage;
  declare _sent100: boolean;
  declare _expect_continue: boolean;
  // The DEP0063 alias of writeHead, where the running Node still has it (below).
  declare writeHeader?: (statusCode: number, reason?: string | OutgoingHeaders | readonly unknown[], headers?: OutgoingHeaders | readonly unknown[]) => this;

  assignSocket(socket: MessageSocket): void {
    if (socket._httpMessage) throw errHttpSocketAssigned();
    socket._httpMessage = this;
    // As Node's: the response hears its socket's 'close' through a listener added now, so it
    // comes after the socket's listeners added before (at 'connection') and before the ones a
    // handler adds.
    socket.on('close', onServerResponseClose);
    this._socket = socket;
    // A response made by a library over a socket of its own (light-my-request's fake socket)
    // writes to that socket as a stream.
    if (this._sink === null) this._sink = sinkOf(socket, () => this._onSocketDrain());
    // Its listeners are user code: they get the socket (made now, if the connection had a
    // stand-in).
    if (this.listenerCount('socket') > 0) this.emit('socket', this.socket);
    this._flushPending();
  }

  detachSocket(socket: MessageSocket): void {
    socket.removeListener('close', onServerResponseClose);
    socket._httpMessage = null;
    this._socket = null;
    this._sink = null;
  }

  writeContinue(callback?: () => void): void {
    if (hasWriteInformation) this.writeInformation(100, null, callback);
    else this._writeInterim('HTTP/1.1 100 Continue\r\n\r\n', callback);
    this._sent100 = true;
  }

  writeProcessing(callback?: () => void): void {
    if (hasWriteInformation) this.writeInformation(102, null, callback);
    else this._writeInterim('HTTP/1.1 102 Processing\r\n\r\n', callback);
  }

  writeEarlyHints(hints: { [name: string]: unknown }, callback?: () => void): void {
    if (typeof hints !== 'object' || hints === null || Array.isArray(hints)) throw errInvalidArgType('hints', 'of type object', hints);
    if (hints.link === null || hints.link === undefined) return;
    const links = linkHeaderValue(hints.link);
    if (links.length === 0) return;
    if (hasWriteInformation) {
      // Node 24: the fields go through writeInformation, and are validated there.
      if (hasInvalidValueChar(links)) throw errInvalidChar('header content', 'Link');
      const fields: { [name: string]: unknown } = { __proto__: null, Link: links };
      for (const key of Object.keys(hints)) {
        if (key !== 'link') fields[key] = hints[key];
      }
      this.writeInformation(103, fields, callback);
      return;
    }
    let head = `HTTP/1.1 103 Early Hints\r\nLink: ${links}\r\n`;
    for (const key of Object.keys(hints)) {
      if (key !== 'link') head += `${key}: ${String(hints[key])}\r\n`;
    }
    this._writeInterim(`${head}\r\n`, callback);
  }

  // An interim (1xx but 101) response with the given fields (Node 24; the prototype has it only
  // there, see below).
  writeInformation(statusCode: number, headers?: { [name: string]: unknown } | readonly unknown[] | null, callback?: () => void): void {
    if (this._header !== null) throw errHeadersSent('write');
    if (typeof statusCode !== 'number') throw errInvalidArgType('statusCode', 'of type number', statusCode);
    if (!Number.isInteger(statusCode)) throw errOutOfRange('statusCode', 'an integer', statusCode);
    if (statusCode < 100 || statusCode > 199) throw errOutOfRange('statusCode', '>= 100 && <= 199', statusCode);
    if (statusCode === 101) throw errInvalidStatusCode(statusCode);
    let head = `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'unknown'}\r\n`;
    if (headers !== undefined && headers !== null) {
      if (Array.isArray(headers)) {
        if (headers.length > 0 && Array.isArray(headers[0])) {
          for (const entry of headers as unknown[][]) head += informationField(this, entry[0], entry[1]);
        } else {
          if (headers.length % 2 !== 0) throw errInvalidArgValue('headers', headers);
          for (let i = 0; i < headers.length; i += 2) head += informationField(this, headers[i], headers[i + 1]);
        }
      } else {
        if (typeof headers !== 'object') throw errInvalidArgType('headers', 'of type object', headers);
        const object = headers as { [name: string]: unknown };
        for (const key of Object.keys(object)) head += informationField(this, key, object[key]);
      }
    }
    this._writeInterim(`${head}\r\n`, callback);
  }

  writeHead(statusCode: number, reason?: string | OutgoingHeaders | readonly unknown[], headers?: OutgoingHeaders | readonly unknown[]): this {
    if (this._header !== null) throw errHeadersSent('write');
    const original = statusCode;
    statusCode |= 0;
    if (statusCode < 100 || statusCode > 999) throw errInvalidStatusCode(original);
    if (typeof reason === 'string') {
      this.statusMessage = reason;
    } else {
      if (!this.statusMessage) this.statusMessage = STATUS_CODES[statusCode] ?? 'unknown';
      headers ??= reason;
    }
    this.statusCode = statusCode;

    let fields: OutgoingHeaders | readonly unknown[] | null | undefined;
    let fromSetHeader = false;
    if (this._outHeaders !== null) {
      // Fields given here join those set with setHeader(), and win over them.
      if (Array.isArray(headers)) {
        if (headers.length % 2 !== 0) throw errInvalidArgValue('headers', headers);
        if (writeHeadArrayAppends) {
          // Node 22: the names given replace what setHeader() set, and a name given twice
          // keeps both values.
          for (let i = 0; i < headers.length; i += 2) this.removeHeader(headers[i] as string);
          for (let i = 0; i < headers.length; i += 2) {
            if (headers[i]) this.appendHeader(headers[i] as string, headers[i + 1] as string);
          }
        } else {
          for (let i = 0; i < headers.length; i += 2) {
            if (headers[i]) this.setHeader(headers[i] as string, headers[i + 1] as string);
          }
        }
      } else if (headers) {
        const object = headers as OutgoingHeaders;
        for (const key of Object.keys(object)) {
          if (key) this.setHeader(key, object[key] as string);
        }
      }
      fields = this._outHeaders as unknown as OutgoingHeaders;
      fromSetHeader = true;
    } else {
      fields = headers;
    }

    // A standard reason phrase is known to be clean, and its status line is cached.
    const standardReason = this.statusMessage === STATUS_CODES[statusCode];
    if (!standardReason && hasInvalidValueChar(this.statusMessage)) throw errInvalidChar('statusMessage');
    // RFC 9110 §15.2, §15.3.5, §15.4.5: 1xx, 204 and 304 responses end with their head.
    if (statusCode === 204 || statusCode === 304 || (statusCode >= 100 && statusCode <= 199)) {
      this._hasBody = false;
    }
    // A client that asked for 100-continue and got a final answer instead may still send the
    // body it held back: the connection cannot carry another request.
    if (this._expect_continue && !this._sent100) this.shouldKeepAlive = false;

    const firstLine = standardReason ? standardStatusLine(statusCode) : `HTTP/1.1 ${statusCode} ${this.statusMessage}\r\n`;
    this._storeHeader(firstLine, fields, fromSetHeader);
    return this;
  }

  // Node's resOnFinish, the response's first 'finish' listener, publishes it.
  override _beforeFinish(): void {
    if (!responseFinishChannel.hasSubscribers) return;
    const connection = this._owner as unknown as { server: unknown; visibleSocket: unknown } | null;
    responseFinishChannel.publish({ request: this.req, response: this, socket: connection?.visibleSocket, server: connection?.server });
  }

  // Node emits a response's 'close' on the tick after 'finish'. With nobody listening for it,
  // the state changes now and the tick is saved; a listener added by a 'finish' handler still
  // gets the event.
  override _afterFinish(): void {
    if (this.listenerCount('close') > 0) {
      process.nextTick(emitClose, this);
    } else {
      this._closed = true;
      this.destroyed = true;
    }
  }

  override _implicitHeader(): void {
    this.writeHead(this.statusCode);
  }

  override _statusForFraming(): number {
    return this.statusCode;
  }

  // Interim (1xx) responses go out ahead of the final head on the same connection.
  _writeInterim(head: string, callback?: () => void): void {
    if (this._socket !== null && this._sink !== null && this._socket._httpMessage === this && this._sink.writable) {
      this._sink._writeMessage(head, undefined, undefined, undefined, 0);
      if (callback) process.nextTick(callback);
    } else {
      this._pending.push({ prefix: head, body: undefined, encoding: undefined, suffix: undefined, last: false });
      if (callback) this.once('socket', () => process.nextTick(callback));
    }
  }
}

export const ServerResponse = legacyConstructor('ServerResponse', ServerResponseMethods, function ServerResponse(
  this: ServerResponseMethods,
  req: IncomingMessage,
  options?: { highWaterMark?: number; rejectNonStandardBodyWrites?: boolean },
) {
  requireThis(this);
  OutgoingMessage.call(this, options);
  this.statusCode = 200;
  this.statusMessage = undefined;
  this.req = req;
  this.sendDate = true;
  this._sent100 = false;
  this._expect_continue = false;
  if (req.method === 'HEAD') this._hasBody = false;
  // HTTP/1.0 has no chunked coding (RFC 9112 §7.1 came with 1.1) unless the client asks for it
  // in TE, and no persistence unless negotiated.
  if ((req.httpVersionMajor as number) < 1 || (req.httpVersionMinor as number) < 1) {
    const te = req.headers.te;
    this.useChunkedEncodingByDefault = typeof te === 'string' && TE_CHUNKED.test(te);
    this.shouldKeepAlive = false;
  }
  if (responseCreatedChannel !== null && responseCreatedChannel.hasSubscribers) {
    responseCreatedChannel.publish({ request: req, response: this });
  }
});
export type ServerResponse = ServerResponseMethods;

if (!hasWriteInformation) delete (ServerResponseMethods.prototype as { writeInformation?: unknown }).writeInformation;

// writeHeader is writeHead itself on Node 20 to 24, deprecated at run time on 25, gone on 26.
if (hasWriteHeader) {
  const writeHead = ServerResponseMethods.prototype.writeHead;
  ServerResponseMethods.prototype.writeHeader = writeHeaderWarns
    ? deprecate(writeHead, 'ServerResponse.prototype.writeHeader is deprecated.', 'DEP0063')
    : writeHead;
}

// A listener removed by another 'close' listener still runs in that emit: the socket may have
// no response by then (Node's onServerResponseClose).
function onServerResponseClose(this: MessageSocket): void {
  if (this._httpMessage) emitClose(this._httpMessage as ServerResponse);
}

export function emitClose(res: ServerResponse): void {
  if (!res._closed) {
    res._closed = true;
    res.destroyed = true;
    res.emit('close');
  }
}

export function expectsContinue(expect: string): boolean {
  return CONTINUE_EXPECTATION.test(expect);
}

// Status lines with the standard reason phrase, built once per code.
const standardStatusLines = new Map<number, string>();

function standardStatusLine(statusCode: number): string {
  let line = standardStatusLines.get(statusCode);
  if (line === undefined) {
    line = `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\n`;
    standardStatusLines.set(statusCode, line);
  }
  return line;
}

// One field of an interim response, validated as setHeader validates (Node 24).
function informationField(message: LenientValidation, name: unknown, value: unknown): string {
  validateHeaderName(name);
  validateMessageValue(message, name, value);
  return `${name}: ${String(value)}\r\n`;
}

// Node's validateLinkHeaderValue: one Link value or a list of them, each `<uri>; param=...`.
const LINK_VALUE = /^(?:<[^>]*>)(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$/;

function linkHeaderValue(hints: unknown): string {
  const check = (link: unknown) => {
    if (typeof link === 'undefined' || !LINK_VALUE.test(link as string)) {
      throw errInvalidArgValue('hints', link, 'must be an array or string of format "</styles.css>; rel=preload; as=style"');
    }
  };
  if (typeof hints === 'string') {
    check(hints);
    return hints;
  }
  if (Array.isArray(hints)) {
    for (const link of hints) check(link);
    return hints.join(', ');
  }
  throw errInvalidArgValue('hints', hints, 'must be an array or string of format "</styles.css>; rel=preload; as=style"');
}
