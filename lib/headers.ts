// Header field rules shared by every message: what a name or value may contain, and how the
// `headers` object of an incoming message is built from its raw [name, value, ...] list.
import { errHttpInvalidHeaderValue, errInvalidChar, errInvalidHttpToken } from './errors';
import { hasHttpValidation } from './node-features';

// RFC 9110 §5.6.2: token = 1*tchar.
const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;

export function isToken(name: string): boolean {
  return TOKEN.test(name);
}

// RFC 9110 §5.5: field values are visible characters, SP, HTAB and obs-text; no CR, LF, NUL or
// DEL. (A loop: values are short, and a RegExp call costs more than the scan.)
export function hasInvalidValueChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 : c === 0x7f || c > 0xff) return true;
  }
  return false;
}

// Node 24.19's lenient rule for the values a message sends (the Fetch spec's header value):
// anything but NUL, CR and LF, within latin1.
function hasInvalidLenientValueChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x00 || c === 0x0a || c === 0x0d || c > 0xff) return true;
  }
  return false;
}

/** A message whose values may follow the lenient rule (Node 24.19's OutgoingMessage). */
export interface LenientValidation {
  _isLenientHeaderValidation?(): boolean;
}

/**
 * Whether `message` may not send `value`. The message is asked whether it is lenient only for
 * a value the strict rule refuses (the answer walks to the server; the strict path stays free).
 */
export function refusedValue(value: string, message: LenientValidation | null): boolean {
  if (!hasInvalidValueChar(value)) return false;
  if (message === null || message._isLenientHeaderValidation === undefined || hasInvalidLenientValueChar(value)) return true;
  return !message._isLenientHeaderValidation();
}

// Servers send the same few names over and over: remember the ones already found valid.
const validNames = new Set<string>();

export function validateHeaderName(name: unknown): asserts name is string {
  if (typeof name === 'string' && validNames.has(name)) return;
  if (typeof name !== 'string' || !name || !TOKEN.test(name)) {
    throw errInvalidHttpToken('Header name', name);
  }
  if (validNames.size < 1024) validNames.add(name);
}

/** Node's http.validateHeaderValue; `lenient` (Node 24.19) allows what the lenient rule does. */
export function validateHeaderValue(name: string, value: unknown, lenient?: boolean): void {
  if (value === undefined) throw errHttpInvalidHeaderValue(value, name);
  const text = typeof value === 'string' ? value : String(value);
  if (hasInvalidValueChar(text) && !(hasHttpValidation && lenient === true && !hasInvalidLenientValueChar(text))) {
    throw errInvalidChar('header content', name);
  }
}

// The last value validateMessageValue found clean under the strict rule: handlers send the same
// values response after response (a literal is the same string each time, so the comparison is
// one pointer check).
let lastCleanValue = '';

/** validateHeaderValue for a value `message` sends. */
export function validateMessageValue(message: LenientValidation | null, name: string, value: unknown): void {
  if (value === lastCleanValue) return;
  if (value === undefined) throw errHttpInvalidHeaderValue(value, name);
  const text = typeof value === 'string' ? value : String(value);
  if (!hasInvalidValueChar(text)) {
    if (typeof value === 'string') lastCleanValue = value;
    return;
  }
  if (refusedValue(text, message)) throw errInvalidChar('header content', name);
}

// How Node folds a repeated incoming field into `message.headers` (Node's _http_incoming
// matchKnownFields): fields that can hold only one value keep the first; `set-cookie` becomes an
// array (RFC 6265 §3 forbids folding it); `cookie` joins with "; " (RFC 6265 §5.4); every other
// field joins with ", " (RFC 9110 §5.3).
const enum Fold {
  First,
  Join,
  Cookie,
  Array,
}

const KNOWN_FOLDS = new Map<string, Fold>([
  ['age', Fold.First], ['authorization', Fold.First], ['content-length', Fold.First],
  ['content-type', Fold.First], ['etag', Fold.First], ['expires', Fold.First],
  ['from', Fold.First], ['host', Fold.First], ['if-modified-since', Fold.First],
  ['if-unmodified-since', Fold.First], ['last-modified', Fold.First], ['location', Fold.First],
  ['max-forwards', Fold.First], ['proxy-authorization', Fold.First], ['referer', Fold.First],
  ['retry-after', Fold.First], ['server', Fold.First], ['user-agent', Fold.First],
  ['cookie', Fold.Cookie], ['set-cookie', Fold.Array],
]);

// Most requests spell common names one of two ways; remembering their lowercase form saves a
// toLowerCase per field.
const lowercaseCache = new Map<string, string>();

export function lowercase(name: string): string {
  let lower = lowercaseCache.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowercaseCache.size < 1024) lowercaseCache.set(name, lower);
  }
  return lower;
}

export type IncomingHeaders = { [name: string]: string | string[] | undefined };

export function addHeaderLine(
  name: string,
  value: string,
  target: IncomingHeaders,
  joinDuplicates: boolean,
): void {
  const key = lowercase(name);
  const fold = KNOWN_FOLDS.get(key) ?? Fold.Join;
  const existing = target[key];
  if (existing === undefined) {
    target[key] = fold === Fold.Array ? [value] : value;
  } else if (fold === Fold.Array) {
    (existing as string[]).push(value);
  } else if (fold === Fold.Join) {
    target[key] = `${existing as string}, ${value}`;
  } else if (fold === Fold.Cookie) {
    target[key] = `${existing as string}; ${value}`;
  } else if (joinDuplicates) {
    // Node's joinDuplicateHeaders: RFC 9110 §5.2 lets a recipient combine any repeated field.
    target[key] = `${existing as string}, ${value}`;
  }
}

export function buildHeaders(raw: string[], count: number, joinDuplicates: boolean): IncomingHeaders {
  const headers: IncomingHeaders = {};
  for (let i = 0; i < count; i += 2) addHeaderLine(raw[i], raw[i + 1], headers, joinDuplicates);
  return headers;
}

export function buildHeadersDistinct(raw: string[], count: number): { [name: string]: string[] } {
  const headers: { [name: string]: string[] } = Object.create(null);
  for (let i = 0; i < count; i += 2) {
    const key = lowercase(raw[i]);
    const list = headers[key];
    if (list === undefined) headers[key] = [raw[i + 1]];
    else list.push(raw[i + 1]);
  }
  return headers;
}
