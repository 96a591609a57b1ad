// The header fields of an outgoing message before its head is built: a map from lowercase name
// to the name as set and its value, in the order they were first set (Node's kOutHeaders), and
// the operations of OutgoingMessage's header API over it. The message methods are thin: the
// rules are here.
import { errHeadersSent, errInvalidArgType } from './errors';
import { lowercase, validateHeaderName, validateMessageValue, type LenientValidation } from './headers';

export type OutgoingHeaderValue = number | string | readonly string[];
export type OutgoingHeaders = { [name: string]: OutgoingHeaderValue | undefined };
export type HeaderEntry = [name: string, value: OutgoingHeaderValue];
export type HeaderMap = { [lowercase: string]: HeaderEntry };

/** What the header operations need of a message. */
export interface HeaderHolder extends LenientValidation {
  _outHeaders: HeaderMap | null;
  _header: string | null;
  sendDate: boolean;
  _removedConnection: boolean;
  _removedContLen: boolean;
  _removedTE: boolean;
}

export function validateOutgoingValue(message: HeaderHolder, name: string, value: OutgoingHeaderValue): void {
  if (Array.isArray(value)) {
    for (const item of value) validateMessageValue(message, name, item);
  } else {
    validateMessageValue(message, name, value);
  }
}

export function setHeader(message: HeaderHolder, name: string, value: OutgoingHeaderValue): void {
  if (message._header !== null) throw errHeadersSent('set');
  validateHeaderName(name);
  validateOutgoingValue(message, name, value);
  if (message._outHeaders === null) message._outHeaders = Object.create(null) as HeaderMap;
  // The cached lowercase name: a key made anew for each message costs V8 a string-table lookup.
  message._outHeaders[lowercase(name)] = [name, value];
}

// setHeaders(Headers | Map): each entry as setHeader would; several set-cookie values become one
// list (a Headers object iterates them one by one).
export function setHeaders(message: HeaderHolder, headers: unknown): void {
  if (message._header !== null) throw errHeadersSent('set');
  if (!headers || Array.isArray(headers) || typeof (headers as Map<string, unknown>).keys !== 'function') {
    throw errInvalidArgType('headers', 'an instance of Headers or Map', headers);
  }
  const cookies: string[] = [];
  for (const [name, value] of headers as Map<string, OutgoingHeaderValue>) {
    if (name.toLowerCase() === 'set-cookie') cookies.push(String(value));
    else setHeader(message, name, value);
  }
  if (cookies.length > 0) setHeader(message, 'set-cookie', cookies);
}

export function appendHeader(message: HeaderHolder, name: string, value: OutgoingHeaderValue): void {
  if (message._header !== null) throw errHeadersSent('append');
  validateHeaderName(name);
  validateOutgoingValue(message, name, value);
  const key = lowercase(name);
  if (message._outHeaders === null) message._outHeaders = Object.create(null) as HeaderMap;
  const existing = message._outHeaders[key];
  if (existing === undefined) {
    message._outHeaders[key] = [name, value];
  } else {
    const previous = Array.isArray(existing[1]) ? existing[1] : [String(existing[1])];
    const added = Array.isArray(value) ? value : [String(value)];
    existing[1] = [...(previous as string[]), ...(added as string[])];
  }
}

export function getHeader(message: HeaderHolder, name: unknown): OutgoingHeaderValue | undefined {
  if (typeof name !== 'string') throw errInvalidArgType('name', 'of type string', name);
  return message._outHeaders?.[lowercase(name)]?.[1];
}

export function hasHeader(message: HeaderHolder, name: unknown): boolean {
  if (typeof name !== 'string') throw errInvalidArgType('name', 'of type string', name);
  return message._outHeaders !== null && message._outHeaders[lowercase(name)] !== undefined;
}

export function getHeaderNames(message: HeaderHolder): string[] {
  return message._outHeaders === null ? [] : Object.keys(message._outHeaders);
}

export function getRawHeaderNames(message: HeaderHolder): string[] {
  return message._outHeaders === null ? [] : Object.values(message._outHeaders).map((entry) => entry[0]);
}

export function getHeaders(message: HeaderHolder): OutgoingHeaders {
  const result: OutgoingHeaders = Object.create(null);
  if (message._outHeaders !== null) {
    for (const key of Object.keys(message._outHeaders)) result[key] = message._outHeaders[key][1];
  }
  return result;
}

// Removing a field Node would add by itself keeps Node from adding it (Connection,
// Content-Length, Transfer-Encoding, Date).
export function removeHeader(message: HeaderHolder, name: unknown): void {
  if (typeof name !== 'string') throw errInvalidArgType('name', 'of type string', name);
  if (message._header !== null) throw errHeadersSent('remove');
  const key = name.toLowerCase();
  switch (key) {
    case 'connection':
      message._removedConnection = true;
      break;
    case 'content-length':
      message._removedContLen = true;
      break;
    case 'transfer-encoding':
      message._removedTE = true;
      break;
    case 'date':
      message.sendDate = false;
      break;
  }
  if (message._outHeaders !== null) delete message._outHeaders[key];
}

// Node's parseUniqueHeadersOption: names (or lists of names) whose several values travel joined
// on one line; anything but an array means none.
export function uniqueHeaderSet(option: unknown): Set<string> | null {
  if (!Array.isArray(option)) return null;
  const names = new Set<string>();
  for (const entry of option) {
    for (const name of Array.isArray(entry) ? entry : [entry]) names.add(String(name).toLowerCase());
  }
  return names;
}
