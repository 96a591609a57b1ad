// Limits: header bytes as Node counts them (TrackHeader: url/reason + names + values, failing
// once the count reaches max_header_size), 414 vs 431, raw head cap, trailers, chunk extensions.
import { suite, head, body, done, Fixture } from './harness';

const a = (n: number) => 'a'.repeat(n);
const M = 100;
// counted = url(2) + "Host"(4) + "h"(1) + "X"(1) + value(k) = 8 + k
const withValue = (k: number) => `GET /u HTTP/1.1\r\nHost: h\r\nX: ${a(k)}\r\n\r\n`;
const withUrl = (n: number) => `GET /${a(n - 1)} HTTP/1.1\r\n\r\n`;
const chunkedPre = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n';

const fixtures: Fixture[] = [
  { name: 'counted bytes one below the limit pass', input: withValue(M - 9), opts: { maxHeaderSize: M }, events: [head(), done()] },
  {
    name: 'counted bytes reaching the limit fail with 431',
    input: withValue(M - 8),
    opts: { maxHeaderSize: M },
    // The byte that makes the count reach M is the last 'a'.
    error: { code: 'HPE_HEADER_OVERFLOW', status: 431, offset: withValue(M - 8).indexOf('\r\n\r\n') - 1 },
  },
  {
    name: 'whitespace around values is not counted (leading), trailing is (as Node)',
    input: `GET /u HTTP/1.1\r\nHost: h\r\nX:      ${a(M - 10)} \r\n\r\n`,
    opts: { maxHeaderSize: M },
    events: [head({ headers: ['Host', 'h', 'X', a(M - 10)] }), done()],
  },
  {
    name: 'trailing whitespace counts',
    input: `GET /u HTTP/1.1\r\nHost: h\r\nX: ${a(M - 9)} \r\n\r\n`,
    opts: { maxHeaderSize: M },
    error: { code: 'HPE_HEADER_OVERFLOW', status: 431 },
  },
  { name: 'request-target one below the limit passes', input: withUrl(M - 1), opts: { maxHeaderSize: M, requireHost: false }, events: [head(), done()] },
  {
    name: 'request-target reaching the limit alone: 414',
    input: withUrl(M),
    opts: { maxHeaderSize: M, requireHost: false },
    error: { code: 'HPE_HEADER_OVERFLOW', status: 414, offset: 4 + M - 1 },
  },
  {
    name: 'request-target over the limit is rejected before its line ends',
    input: `GET /${a(M + 50)}`,
    opts: { maxHeaderSize: M },
    error: { code: 'HPE_HEADER_OVERFLOW', status: 414, offset: 4 + M - 1 },
  },
  {
    name: 'field value over the limit is rejected before its line ends',
    input: `GET / HTTP/1.1\r\nHost: h\r\nX: ${a(M + 50)}`,
    opts: { maxHeaderSize: M },
    // counted before X's value: url 1 + Host 4 + h 1 + X 1 = 7
    error: { code: 'HPE_HEADER_OVERFLOW', status: 431, offset: 28 + (M - 7) - 1 },
  },
  {
    name: 'url under the limit, fields push it over: 431',
    input: `GET /${a(M - 10)} HTTP/1.1\r\nHost: ${a(20)}\r\n\r\n`,
    opts: { maxHeaderSize: M },
    error: { code: 'HPE_HEADER_OVERFLOW', status: 431 },
  },
  {
    name: 'long field name over the limit, no line end yet',
    input: `GET / HTTP/1.1\r\n${'N'.repeat(M + 10)}`,
    opts: { maxHeaderSize: M },
    error: { code: 'HPE_HEADER_OVERFLOW', status: 431, offset: 16 + M - 2 },
  },
  {
    name: 'padding that Node does not count is capped (raw head bytes > 2*max + 1 KiB)',
    input: `GET / HTTP/1.1\r\nHost: h\r\nX:${' '.repeat(2 * M + 1024)}v\r\n\r\n`,
    opts: { maxHeaderSize: M },
    error: { code: 'HPE_HEADER_OVERFLOW', status: 431, offset: 2 * M + 1024 },
  },
  {
    name: 'padding just under the raw cap passes',
    input: `GET / HTTP/1.1\r\nHost: h\r\nX:${' '.repeat(2 * M + 1024 - 32)}v\r\n\r\n`,
    opts: { maxHeaderSize: M },
    events: [head({ headers: ['Host', 'h', 'X', 'v'] }), done()],
  },
  {
    name: 'response reason phrase counts (431)',
    type: 'response',
    input: `HTTP/1.1 200 ${a(M)}\r\n\r\n`,
    opts: { maxHeaderSize: M },
    error: { code: 'HPE_HEADER_OVERFLOW', status: 431, offset: 13 + M - 1 },
  },
  {
    name: 'counts restart per message',
    input: withValue(M - 9) + withValue(M - 9) + withValue(M - 9),
    opts: { maxHeaderSize: M },
    events: [head(), done(), head(), done(), head(), done()],
  },
  {
    name: 'trailers have their own budget: under passes',
    input: `${chunkedPre}1\r\nx\r\n0\r\nT: ${a(M - 2)}\r\n\r\n`,
    opts: { maxHeaderSize: M },
    events: [head(), body('x'), done(['T', a(M - 2)])],
  },
  {
    name: 'trailers reaching the limit: 431',
    input: `${chunkedPre}1\r\nx\r\n0\r\nT: ${a(M - 1)}\r\n\r\n`,
    opts: { maxHeaderSize: M },
    error: { code: 'HPE_HEADER_OVERFLOW', status: 431 },
  },
  {
    // Counted as Node counts them: names and values, not the ';' and '=' (1 + 10 bytes here).
    name: 'chunk extensions at the limit pass',
    input: `${chunkedPre}1;a=1234567890\r\nx\r\n0\r\n\r\n`,
    opts: { maxChunkExtensionSize: 11 },
    events: [head(), body('x'), done()],
  },
  {
    name: 'chunk extensions one over the limit: 413',
    input: `${chunkedPre}1;a=12345678901\r\nx\r\n0\r\n\r\n`,
    opts: { maxChunkExtensionSize: 11 },
    error: { code: 'HPE_CHUNK_EXTENSIONS_OVERFLOW', status: 413, offset: chunkedPre.length + 14 },
  },
  {
    name: 'chunk extension budget is per chunk',
    input: `${chunkedPre}1;a=1234567890\r\nx\r\n1;b=1234567890\r\ny\r\n0;c=1234567890\r\n\r\n`,
    opts: { maxChunkExtensionSize: 11 },
    events: [head(), body('xy'), done()],
  },
  {
    name: 'default limit (16 KiB): one below passes',
    input: withValue(16 * 1024 - 9),
    events: [head(), done()],
    skipSplits: true,
  },
  {
    name: 'default limit (16 KiB): reaching it fails',
    input: withValue(16 * 1024 - 8),
    error: { code: 'HPE_HEADER_OVERFLOW', status: 431 },
    skipSplits: true,
  },
  {
    name: 'default chunk extension limit (16 KiB)',
    input: `${chunkedPre}1;a=${a(16 * 1024)}\r\nx\r\n0\r\n\r\n`,
    error: { code: 'HPE_CHUNK_EXTENSIONS_OVERFLOW', status: 413 },
    skipSplits: true,
  },
];

suite('limits', fixtures);
