// obs-fold (RFC 9112 §5.2: obs-fold = OWS CRLF RWS) under lenient mode (Node's
// insecureHTTPParser): a field line goes on on the lines that start with SP or HTAB. The values
// are Node's (llhttp lenient, checked case by case in test/parser-differential.test.ts): the line
// breaks are removed, the whitespace around them kept, the ends trimmed. Without lenient mode a
// continuation line is an error.
import { suite, head, body, done, Fixture } from './harness';

const L = { lenient: true };
const H = 'Host: h\r\n';
const get = (fields: string) => `GET / HTTP/1.1\r\n${H}${fields}\r\n`;
const post = (fields: string, rest: string) => `POST / HTTP/1.1\r\n${H}${fields}\r\n${rest}`;

const fixtures: Fixture[] = [
  // Values as Node hands them out.
  { name: 'one continuation: its leading whitespace is kept', input: get('X: 1\r\n  2\r\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '1  2'] }), done()] },
  { name: 'trailing whitespace before the fold is kept', input: get('X: 1 \r\n 2 \r\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '1  2'] }), done()] },
  { name: 'several continuations', input: get('X: 1\r\n 2\r\n 3\r\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '1 2 3'] }), done()] },
  { name: 'HTAB fold', input: get('X: 1\r\n\t2\r\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '1\t2'] }), done()] },
  { name: 'mixed whitespace inside the fold', input: get('X: 1\r\n \t 2 \t\r\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '1 \t 2'] }), done()] },
  { name: 'empty value: the value begins on the continuation', input: get('X:\r\n 2\r\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '2'] }), done()] },
  { name: 'whitespace-only value, then a continuation', input: get('X: \r\n\t \r\n 2\r\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '2'] }), done()] },
  { name: 'whitespace-only continuation', input: get('X: 1\r\n \r\nY: 2\r\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '1', 'Y', '2'] }), done()] },
  { name: 'a continuation with a colon stays in the value', input: get('X: 1\r\n Y: 2\r\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '1 Y: 2'] }), done()] },
  { name: 'obs-text in both lines', input: get('X: \xe9\r\n \xe9\r\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '\xe9 \xe9'] }), done()] },
  { name: 'control characters in a continuation (lenient values)', input: get('X: 1\r\n 2\x01\x7f\r\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '1 2\x01\x7f'] }), done()] },
  { name: 'the first field folded, Host after it', input: `GET / HTTP/1.1\r\nX: 1\r\n 2\r\n${H}\r\n`, opts: L, events: [head({ headers: ['X', '1 2', 'Host', 'h'] }), done()] },
  { name: 'bare LF before the continuation', input: get('X: 1\n 2\r\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '1 2'] }), done()] },
  { name: 'bare LF after the continuation', input: get('X: 1\r\n 2\n'), opts: L, events: [head({ headers: ['Host', 'h', 'X', '1 2'] }), done()] },
  { name: 'bare LF lines throughout', input: 'GET / HTTP/1.1\nHost: h\nX: 1\n\t2\n\n', opts: L, events: [head({ headers: ['Host', 'h', 'X', '1\t2'] }), done()] },
  { name: 'two folded fields, then a pipelined request', input: `${get('A: 1\r\n 2\r\nB:\r\n 3\r\n')}GET /2 HTTP/1.1\r\n${H}C: 4\r\n 5\r\n\r\n`, opts: L,
    events: [head({ headers: ['Host', 'h', 'A', '1 2', 'B', '3'] }), done(), head({ url: '/2', headers: ['Host', 'h', 'C', '4 5'] }), done()] },
  { name: 'a folded field in a response', type: 'response', input: 'HTTP/1.1 200 OK\r\nX: 1\r\n  2\r\nContent-Length: 2\r\n\r\nok', opts: L,
    events: [head({ statusCode: 200, headers: ['X', '1  2', 'Content-Length', '2'] }), body('ok'), done()] },
  { name: 'folded trailers', input: post('Transfer-Encoding: chunked\r\n', '3\r\nabc\r\n0\r\nT: 1\r\n 2\r\nU:\r\n 3\r\n\r\n'), opts: L,
    events: [head({ chunked: true }), body('abc'), done(['T', '1 2', 'U', '3'])] },

  // The fields the parser interprets, read as llhttp reads them.
  { name: 'Content-Length on the continuation of an empty value', input: post('Content-Length:\r\n 3\r\n', 'abc'), opts: L,
    events: [head({ contentLength: 3, headers: ['Host', 'h', 'Content-Length', '3'] }), body('abc'), done()] },
  { name: 'Content-Length continued: a second Content-Length', input: post('Content-Length: 1\r\n 0\r\n', '0123456789'), opts: L, error: { code: 'HPE_UNEXPECTED_CONTENT_LENGTH', offset: 45 } },
  { name: 'Content-Length continued: the first line is read first', input: post('Content-Length: x\r\n 0\r\n', '0'), opts: L, error: { code: 'HPE_INVALID_CONTENT_LENGTH', offset: 42 } },
  { name: 'Content-Length with a whitespace-only continuation: a second one', input: post('Content-Length: 3\r\n \r\n', 'abc'), opts: L, error: { code: 'HPE_UNEXPECTED_CONTENT_LENGTH', offset: 45 } },
  { name: 'Transfer-Encoding on the continuation of an empty value', input: post('Transfer-Encoding:\r\n chunked\r\n', '3\r\nabc\r\n0\r\n\r\n'), opts: L,
    events: [head({ chunked: true, headers: ['Host', 'h', 'Transfer-Encoding', 'chunked'] }), body('abc'), done()] },
  // Node frames these by close (it forgets the chunked): rejected here.
  { name: 'Transfer-Encoding continued: rejected', input: post('Transfer-Encoding: gzip,\r\n chunked\r\n', '3\r\nabc\r\n0\r\n\r\n'), opts: L, error: { code: 'HPE_INVALID_TRANSFER_ENCODING' } },
  { name: 'Transfer-Encoding with a whitespace-only continuation: rejected', input: post('Transfer-Encoding: chunked\r\n \r\n', '3\r\nabc\r\n0\r\n\r\n'), opts: L, error: { code: 'HPE_INVALID_TRANSFER_ENCODING' } },
  { name: 'a response\'s Transfer-Encoding continued: rejected', type: 'response', input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n \r\n\r\n3\r\nabc\r\n0\r\n\r\n', opts: L, error: { code: 'HPE_INVALID_TRANSFER_ENCODING' } },
  { name: 'Connection tokens on each line: close', input: get('Connection: x,\r\n close\r\n'), opts: L, events: [head({ keepAlive: false, headers: ['Host', 'h', 'Connection', 'x, close'] }), done()] },
  { name: 'Connection close, then a continuation', input: get('Connection: close\r\n x\r\n'), opts: L, events: [head({ keepAlive: false }), done()] },
  { name: 'a token split by the fold is two tokens', input: get('Connection: clo\r\n se\r\n'), opts: L, events: [head({ keepAlive: true, headers: ['Host', 'h', 'Connection', 'clo se'] }), done()] },
  { name: 'HTTP/1.0 keep-alive on the continuation', input: `GET / HTTP/1.0\r\n${H}Connection: x\r\n keep-alive\r\n\r\n`, opts: L, events: [head({ keepAlive: true }), done()] },
  { name: 'upgrade on the continuation of Connection', input: get('Connection: x\r\n upgrade\r\nUpgrade: ws\r\n'), opts: L, events: [head({ upgrade: true }), done()] },
  { name: 'Upgrade on the continuation of an empty value', input: get('Connection: upgrade\r\nUpgrade:\r\n ws\r\n'), opts: L, events: [head({ upgrade: true, headers: ['Host', 'h', 'Connection', 'upgrade', 'Upgrade', 'ws'] }), done()] },
  { name: 'Host on the continuation of an empty value', input: 'GET / HTTP/1.1\r\nHost:\r\n h\r\n\r\n', opts: L, events: [head({ headers: ['Host', 'h'] }), done()] },
  { name: 'Host with a whitespace-only continuation', input: 'GET / HTTP/1.1\r\nHost: h\r\n \r\n\r\n', opts: L, events: [head({ headers: ['Host', 'h'] }), done()] },
  // uvhttp validates Host (Node does not): "a b" is no uri-host.
  { name: 'Host continued: invalid', input: 'GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n', opts: L, error: { code: 'HPE_STRICT', offset: 25 } },

  // Still errors in lenient mode.
  { name: 'a continuation right after the request line', input: `GET / HTTP/1.1\r\n 2\r\n${H}\r\n`, opts: L, error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 16 } },
  { name: 'a continuation right after the status line', type: 'response', input: 'HTTP/1.1 200 OK\r\n 2\r\nContent-Length: 0\r\n\r\n', opts: L, error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 17 } },
  { name: 'a continuation as the first trailer line', input: post('Transfer-Encoding: chunked\r\n', '3\r\nabc\r\n0\r\n 2\r\n\r\n'), opts: L, error: { code: 'HPE_INVALID_HEADER_TOKEN' } },
  { name: 'a continuation of a line without a colon', input: get('X\r\n 2\r\n'), opts: L, error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 26 } },
  { name: 'a bare CR in a continuation', input: get('X: 1\r\n 2\r3\r\n'), opts: L, error: { code: 'HPE_LF_EXPECTED', offset: 34 } },
  { name: 'NUL in a continuation', input: get('X: 1\r\n 2\x00\r\n'), opts: L, error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 33 } },
  { name: 'whitespace after the blank line is the next message', input: `${get('X: 1\r\n')} 2\r\n\r\n`, opts: L, events: [head({ headers: ['Host', 'h', 'X', '1'] }), done()], error: { code: 'HPE_INVALID_METHOD' } },

  // The limit counts the value as Node does: from its first byte, continuations without their
  // line breaks (url 1 + Host 4 + h 1 + X 1 + value).
  { name: 'a folded value just under the limit', input: get(`X: ${'a'.repeat(10)}\r\n ${'b'.repeat(11)}\r\n`), opts: { ...L, maxHeaderSize: 30 }, events: [head(), done()] },
  { name: 'a folded value at the limit', input: get(`X: ${'a'.repeat(10)}\r\n ${'b'.repeat(12)}\r\n`), opts: { ...L, maxHeaderSize: 30 }, error: { code: 'HPE_HEADER_OVERFLOW', status: 431 } },

  // Without lenient mode every continuation line is an error.
  { name: 'strict: a continuation', input: get('X: 1\r\n 2\r\n'), error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 31 } },
  { name: 'strict: an HTAB continuation', input: get('X: 1\r\n\t2\r\n'), error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 31 } },
  { name: 'strict: a continuation of an empty value', input: get('X:\r\n 2\r\n'), error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 30 } },
  { name: 'strict: a continuation of an empty trailer value', input: post('Transfer-Encoding: chunked\r\n', '0\r\nT:\r\n 2\r\n\r\n'), error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 64 } },
  { name: 'strict: a continuation in a response', type: 'response', input: 'HTTP/1.1 200 OK\r\nX: 1\r\n  2\r\nContent-Length: 0\r\n\r\n', error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 23 } },
  { name: 'strict: a continuation in trailers', input: post('Transfer-Encoding: chunked\r\n', '3\r\nabc\r\n0\r\nT: 1\r\n 2\r\n\r\n'), error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 73 } },
  // RFC 9112 §2.2: whitespace between the start line and the first field line (llhttp's code).
  { name: 'strict: whitespace opening the first field line', input: `GET / HTTP/1.1\r\n 2\r\n${H}\r\n`, error: { code: 'HPE_UNEXPECTED_SPACE', offset: 17 } },
  { name: 'strict: whitespace opening the first field line of a response', type: 'response', input: 'HTTP/1.1 200 OK\r\n X: 1\r\n\r\n', error: { code: 'HPE_UNEXPECTED_SPACE', offset: 18 } },
  { name: 'strict: HTAB opening the first field line', input: `GET / HTTP/1.1\r\n\tX: 1\r\n${H}\r\n`, error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 16 } },
  { name: 'strict: whitespace opening the first trailer line', input: post('Transfer-Encoding: chunked\r\n', '3\r\nabc\r\n0\r\n 2\r\n\r\n'), error: { code: 'HPE_INVALID_HEADER_TOKEN' } },
  { name: 'strict: a bare-LF continuation', input: get('X: 1\n 2\r\n'), error: { code: 'HPE_CR_EXPECTED', offset: 29 } },
];

suite('obs-fold', fixtures);
