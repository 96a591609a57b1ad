// lenient (Node's insecureHTTPParser): exactly the documented relaxations, nothing more.
// obs-fold continuation lines have their own file (obs-fold.test.ts).
import { suite, head, body, done, Fixture } from './harness';

const L = { lenient: true };
const fixtures: Fixture[] = [
  {
    name: 'bare LF line endings in the head',
    input: 'GET / HTTP/1.1\nHost: h\nX: y\r\n\n',
    opts: L,
    events: [head({ headers: ['Host', 'h', 'X', 'y'] }), done()],
  },
  {
    name: 'bare LF between messages and in chunked framing',
    input: 'POST / HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n3\nabc\n0\nT: v\n\n\nGET /2 HTTP/1.1\nHost: h\n\n',
    opts: L,
    events: [head({ chunked: true }), body('abc'), done(['T', 'v']), head({ url: '/2' }), done()],
  },
  {
    name: 'control characters in header values (not NUL/CR/LF)',
    input: 'GET / HTTP/1.1\r\nHost: h\r\nX: a\x01b\x7fc\x1b\r\n\r\n',
    opts: L,
    events: [head({ headers: ['Host', 'h', 'X', 'a\x01b\x7fc\x1b'] }), done()],
  },
  {
    name: 'Transfer-Encoding and Content-Length together: chunked wins',
    input: 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    opts: L,
    events: [head({ chunked: true, contentLength: null }), body('abc'), done()],
  },
  {
    name: 'spaces after the chunk size',
    input: 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3  \r\nabc\r\n0\r\n\r\n',
    opts: L,
    events: [head(), body('abc'), done()],
  },
  {
    name: 'data after Connection: close is parsed',
    input: 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n',
    opts: L,
    events: [head({ keepAlive: false }), done(), head({ url: '/2' }), done()],
  },
  // Still rejected in lenient mode.
  { name: 'NUL in a value', input: 'GET / HTTP/1.1\r\nHost: h\r\nX: a\x00\r\n\r\n', opts: L, error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 29 } },
  { name: 'bare CR', input: 'GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n', opts: L, error: { code: 'HPE_LF_EXPECTED', offset: 24 } },
  { name: 'space before colon', input: 'GET / HTTP/1.1\r\nHost : h\r\n\r\n', opts: L, error: { code: 'HPE_INVALID_HEADER_TOKEN' } },
  { name: 'CTL in a field name', input: 'GET / HTTP/1.1\r\nHost: h\r\nX\x01: y\r\n\r\n', opts: L, error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 26 } },
  { name: 'CTL in the target', input: 'GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n', opts: L, error: { code: 'HPE_INVALID_URL', offset: 5 } },
  { name: 'HTTP/1.2', input: 'GET / HTTP/1.2\r\nHost: h\r\n\r\n', opts: L, error: { code: 'HPE_INVALID_VERSION', status: 505 } },
  { name: 'duplicate Content-Length', input: 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx', opts: L, error: { code: 'HPE_UNEXPECTED_CONTENT_LENGTH' } },
  { name: 'chunked not last in a request', input: 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', opts: L, error: { code: 'HPE_INVALID_TRANSFER_ENCODING' } },
  { name: 'unknown coding', input: 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: foo, chunked\r\n\r\n', opts: L, error: { code: 'HPE_INVALID_TRANSFER_ENCODING', status: 501 } },
  { name: 'missing Host', input: 'GET / HTTP/1.1\r\n\r\n', opts: L, error: { code: 'HPE_STRICT' } },
  { name: 'bad chunk size', input: 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0x1\r\n', opts: L, error: { code: 'HPE_INVALID_CHUNK_SIZE' } },
];

suite('lenient', fixtures);
