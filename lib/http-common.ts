// What a message head from native becomes on an IncomingMessage, for requests and responses
// alike (Node's parserOnHeadersComplete).
import type { IncomingMessage } from './incoming-message';
import * as nodeHttp from 'http';

import { rawHeadersCutAtLimit } from './node-features';

// The default limit on a message head, for servers and requests that do not set one (or set 0):
// --max-http-header-size (16 KiB unless given on the command line or in NODE_OPTIONS). Node
// reads it with getOptionValue, internal to Node; its own http.maxHeaderSize is that value.
export const defaultMaxHeaderSize: number = nodeHttp.maxHeaderSize;

// Node's --insecure-http-parser (on the command line or in NODE_OPTIONS): the parser of a
// server or request that leaves insecureHTTPParser unset is lenient. Node reads the option
// internally; its _http_common exports the reader, which also emits 'Using insecure HTTP
// parsing' the first time it finds the option on, once per process for node:http and uvhttp.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const nodeHttpCommon: { isLenient(): boolean } = require('_http_common');

/** insecureHTTPParser as given, or --insecure-http-parser when it is not (Node's rule). */
export function parserIsLenient(insecureHTTPParser: boolean | undefined): boolean {
  return insecureHTTPParser === undefined ? nodeHttpCommon.isLenient() : insecureHTTPParser;
}

// What a parser relaxes (Node's calculateLenientFlags): nothing; the field values alone
// (httpValidation 'relaxed', Node 24.19: any byte but NUL, CR and LF); or everything
// insecureHTTPParser relaxes. httpValidation, when set, wins over insecureHTTPParser.
export const LENIENT_NONE = 0;
export const LENIENT_FIELD_VALUES = 1;
export const LENIENT_ALL = 2;

export function parserLeniency(httpValidation: unknown, insecureHTTPParser: boolean | undefined): number {
  if (httpValidation === 'strict') return LENIENT_NONE;
  if (httpValidation === 'relaxed') return LENIENT_FIELD_VALUES;
  if (httpValidation === 'insecure') return LENIENT_ALL;
  return parserIsLenient(insecureHTTPParser) ? LENIENT_ALL : LENIENT_NONE;
}

// Node's parser keeps 2000 raw entries (1000 fields) of a head unless told otherwise.
const DEFAULT_MAX_HEADER_ENTRIES = 2000;

/**
 * `maxHeadersCount` is the server's or the request's (null: Node's default; 0: no limit):
 * fields past it are left out of `headers`, while rawHeaders keeps them all.
 */
export function fillIncoming(
  message: IncomingMessage,
  major: number,
  minor: number,
  rawHeaders: string[],
  maxHeadersCount: number | null | undefined,
  joinDuplicateHeaders: boolean | undefined,
): void {
  message.httpVersionMajor = major;
  message.httpVersionMinor = minor;
  message.httpVersion = major === 1 ? (minor === 1 ? '1.1' : minor === 0 ? '1.0' : `1.${minor}`) : `${major}.${minor}`;
  const limit = typeof maxHeadersCount === 'number' ? maxHeadersCount * 2 : DEFAULT_MAX_HEADER_ENTRIES;
  message.rawHeaders = keptRawHeaders(rawHeaders, limit);
  message._headersCount = limit > 0 ? Math.min(rawHeaders.length, limit) : rawHeaders.length;
  message.joinDuplicateHeaders = joinDuplicateHeaders === true;
}

// Node's parser hands a head of up to 31 fields to JS at once, and rawHeaders keeps them all;
// a longer head comes in runs of 31 (node_http_parser.cc flushes its field buffer as it fills).
// Node 20's parserOnHeaders keeps a run only while fewer entries than the limit are kept, so
// rawHeaders loses the runs past the limit; Node 22 cuts such a head at the limit itself (a
// request with more fields is a 431 there).
const FIELDS_PER_RUN = 31;

function keptRawHeaders(rawHeaders: string[], limit: number): string[] {
  if (limit <= 0 || rawHeaders.length <= limit || rawHeaders.length <= FIELDS_PER_RUN * 2) return rawHeaders;
  if (rawHeadersCutAtLimit) return rawHeaders.slice(0, limit);
  let kept = 0;
  while (kept < rawHeaders.length && kept < limit) kept += FIELDS_PER_RUN * 2;
  return kept < rawHeaders.length ? rawHeaders.slice(0, kept) : rawHeaders;
}

/** Trailers of a chunked message, when its end arrives. */
export function fillTrailers(message: IncomingMessage, rawTrailers: string[] | undefined): void {
  if (rawTrailers !== undefined) {
    message.rawTrailers = rawTrailers;
    message._trailersCount = rawTrailers.length;
  }
}
