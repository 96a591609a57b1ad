// What a message head from native becomes on an IncomingMessage, for requests and responses
// alike (Node's parserOnHeadersComplete).
import type { IncomingMessage } from './incoming-message';

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
  message.rawHeaders = rawHeaders;
  const limit = typeof maxHeadersCount === 'number' ? maxHeadersCount * 2 : DEFAULT_MAX_HEADER_ENTRIES;
  message._headersCount = limit > 0 ? Math.min(rawHeaders.length, limit) : rawHeaders.length;
  message.joinDuplicateHeaders = joinDuplicateHeaders === true;
}

/** Trailers of a chunked message, when its end arrives. */
export function fillTrailers(message: IncomingMessage, rawTrailers: string[] | undefined): void {
  if (rawTrailers !== undefined) {
    message.rawTrailers = rawTrailers;
    message._trailersCount = rawTrailers.length;
  }
}
