// Builds an outgoing message's head: the first line, the user's fields in their order, then the
// fields Node adds (Date, Connection, Keep-Alive, and Content-Length or Transfer-Encoding), and
// decides the message's framing and whether the connection persists after it (Node's
// _storeHeader). The same rules for requests and responses; what differs comes in as the
// message's fields.
import { dateField } from './date';
import { errHttpTrailerInvalid, errInvalidArgValue } from './errors';
import { lowercase, validateHeaderName, validateMessageValue, type LenientValidation } from './headers';
import type { HeaderEntry, OutgoingHeaderValue, OutgoingHeaders } from './outgoing-headers';

/** What the head builder reads and decides of a message. */
export interface HeadFields extends LenientValidation {
  sendDate: boolean;
  chunkedEncoding: boolean;
  useChunkedEncodingByDefault: boolean;
  shouldKeepAlive: boolean;
  maxRequestsOnConnectionReached: boolean;
  _last: boolean;
  _hasBody: boolean;
  _contentLength: number | null;
  _removedConnection: boolean;
  _removedContLen: boolean;
  _removedTE: boolean;
  _keepAliveTimeout: number;
  _defaultKeepAlive: boolean;
  _maxRequestsPerSocket: number;
  _uniqueHeaders: Set<string> | null;
  // A client request with an agent persists even without a body framing field (Node: the
  // agent may reuse the connection).
  agent?: unknown;
}

/** What the head said that its message acts on. */
export interface HeadResult {
  head: string;
  // The message has an Expect field: its head goes out at once (a client waiting for
  // 100-continue must get it before the body).
  expect: boolean;
}

// What the fields of one head said; one object serves every head (heads are not built nested).
interface FieldFacts {
  connection: boolean;
  contentLength: boolean;
  transferEncoding: boolean;
  date: boolean;
  expect: boolean;
  trailer: boolean;
  head: string;
}

const facts: FieldFacts = {
  connection: false,
  contentLength: false,
  transferEncoding: false,
  date: false,
  expect: false,
  trailer: false,
  head: '',
};

const result: HeadResult = { head: '', expect: false };

const CONNECTION_CLOSE = /(?:^|\W)close(?:$|\W)/i;
const TE_CHUNKED = /(?:^|\W)chunked(?:$|\W)/i;

// The lengths of the names storeField acts on (date, expect, trailer, connection and
// keep-alive, content-length, transfer-encoding): any other name is stored and nothing more.
const SEMANTIC_NAME_LENGTHS = (1 << 4) | (1 << 6) | (1 << 7) | (1 << 10) | (1 << 14) | (1 << 17);

/**
 * `headers` are the setHeader() map (fromSetHeader), or what writeHead() was given: an object,
 * a flat [name, value, ...] array or an array of pairs. `status` is the response's status code
 * (0 for a request). The returned object is reused by the next call.
 */
export function buildHead(
  message: HeadFields,
  firstLine: string,
  headers: OutgoingHeaders | readonly unknown[] | null | undefined,
  fromSetHeader: boolean,
  status: number,
): HeadResult {
  facts.connection = false;
  facts.contentLength = false;
  facts.transferEncoding = false;
  facts.date = false;
  facts.expect = false;
  facts.trailer = false;
  facts.head = firstLine;
  if (headers) {
    if (fromSetHeader) {
      const entries = headers as unknown as { [key: string]: HeaderEntry };
      for (const key in entries) {
        const entry = entries[key];
        processHeader(message, entry[0], entry[1], false);
      }
    } else if (Array.isArray(headers)) {
      if (headers.length > 0 && Array.isArray(headers[0])) {
        for (const entry of headers as Array<[string, OutgoingHeaderValue]>) {
          processHeader(message, entry[0], entry[1], true);
        }
      } else {
        if (headers.length % 2 !== 0) throw errInvalidArgValue('headers', headers);
        for (let i = 0; i < headers.length; i += 2) {
          processHeader(message, headers[i] as string, headers[i + 1] as OutgoingHeaderValue, true);
        }
      }
    } else {
      const object = headers as OutgoingHeaders;
      for (const key in object) {
        if (Object.prototype.hasOwnProperty.call(object, key)) {
          processHeader(message, key, object[key] as OutgoingHeaderValue, true);
        }
      }
    }
  }
  let head = facts.head;
  if (message.sendDate && !facts.date) head += dateField();

  // RFC 9110 §15.3.5, §15.4.5: 204 and 304 carry no content, so no chunked framing either; the
  // connection closes instead of a zero chunk a proxy could misread.
  if (message.chunkedEncoding && (status === 204 || status === 304)) {
    message.chunkedEncoding = false;
    message.shouldKeepAlive = false;
  }

  if (message._removedConnection) {
    message._last = !message.shouldKeepAlive;
  } else if (!facts.connection) {
    const keepAlive =
      message.shouldKeepAlive && (facts.contentLength || message.useChunkedEncodingByDefault || Boolean(message.agent));
    if (keepAlive && message.maxRequestsOnConnectionReached) {
      head += 'Connection: close\r\n';
    } else if (keepAlive) {
      head +=
        message._keepAliveTimeout && message._defaultKeepAlive
          ? keepAliveFields(message._keepAliveTimeout, message._maxRequestsPerSocket)
          : 'Connection: keep-alive\r\n';
    } else {
      message._last = true;
      head += 'Connection: close\r\n';
    }
  }

  if (!facts.contentLength && !facts.transferEncoding) {
    if (!message._hasBody) {
      message.chunkedEncoding = false;
    } else if (!message.useChunkedEncodingByDefault) {
      // RFC 9112 §6.3: without framing the body ends when the connection closes.
      message._last = true;
    } else if (!facts.trailer && !message._removedContLen && typeof message._contentLength === 'number') {
      head += `Content-Length: ${message._contentLength}\r\n`;
    } else if (!message._removedTE) {
      head += 'Transfer-Encoding: chunked\r\n';
      message.chunkedEncoding = true;
    } else {
      message._last = true;
    }
  }

  if (message.chunkedEncoding !== true && facts.trailer) throw errHttpTrailerInvalid();

  result.head = `${head}\r\n`;
  result.expect = facts.expect;
  return result;
}

function processHeader(message: HeadFields, name: string, value: OutgoingHeaderValue, validate: boolean): void {
  if (validate) validateHeaderName(name);
  if (Array.isArray(value)) {
    // RFC 6265 §5.4: several cookie values travel as one field joined with "; ", and so do
    // the values of fields named in the uniqueHeaders option.
    const unique = message._uniqueHeaders !== null && message._uniqueHeaders.has(name.toLowerCase());
    if ((value.length < 2 || !isCookieField(name)) && !unique) {
      for (const item of value) storeField(message, name, item, validate);
      return;
    }
    value = value.join('; ');
  }
  storeField(message, name, value as string | number, validate);
}

function storeField(message: HeadFields, name: string, value: string | number, validate: boolean): void {
  if (validate) validateMessageValue(message, name, value);
  facts.head += `${name}: ${value}\r\n`;
  if (name.length > 17 || ((SEMANTIC_NAME_LENGTHS >> name.length) & 1) === 0) return;
  switch (lowercase(name)) {
    case 'connection':
      facts.connection = true;
      message._removedConnection = false;
      if (CONNECTION_CLOSE.test(String(value))) message._last = true;
      else message.shouldKeepAlive = true;
      break;
    case 'transfer-encoding':
      facts.transferEncoding = true;
      message._removedTE = false;
      if (TE_CHUNKED.test(String(value))) message.chunkedEncoding = true;
      break;
    case 'content-length':
      facts.contentLength = true;
      message._contentLength = +value;
      message._removedContLen = false;
      break;
    case 'date':
      facts.date = true;
      break;
    case 'expect':
      facts.expect = true;
      break;
    case 'trailer':
      facts.trailer = true;
      break;
    case 'keep-alive':
      message._defaultKeepAlive = false;
      break;
  }
}

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
