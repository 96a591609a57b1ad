// lenientFieldValues (Node 24.19's httpValidation 'relaxed'): field values may hold any byte but
// NUL, CR and LF; every other rule stays strict. Replayed at every split, SIMD and scalar, so
// the scan state kept across reads follows the relaxed set too.
import { suite, head, body, done, Fixture } from './harness';

const R = { lenientFieldValues: true };
const fixtures: Fixture[] = [
  {
    name: 'control characters and DEL in a value',
    input: 'GET / HTTP/1.1\r\nHost: h\r\nX: a\x01b\x7fc\x1b\r\n\r\n',
    opts: R,
    events: [head({ headers: ['Host', 'h', 'X', 'a\x01b\x7fc\x1b'] }), done()],
  },
  {
    name: 'a long value with a control character past the first vector',
    input: `GET / HTTP/1.1\r\nHost: h\r\nX: ${'a'.repeat(40)}\x02${'b'.repeat(40)}\r\n\r\n`,
    opts: R,
    events: [head({ headers: ['Host', 'h', 'X', `${'a'.repeat(40)}\x02${'b'.repeat(40)}`] }), done()],
  },
  {
    name: 'control characters in trailer values',
    input: 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: \x03\r\n\r\n',
    opts: R,
    events: [head({ chunked: true }), body('abc'), done(['T', '\x03'])],
  },
  { name: 'NUL in a value', input: 'GET / HTTP/1.1\r\nHost: h\r\nX: a\x00\r\n\r\n', opts: R, error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 29 } },
  { name: 'bare LF in a value', input: 'GET / HTTP/1.1\r\nHost: h\r\nX: a\nb\r\n\r\n', opts: R, error: { code: 'HPE_CR_EXPECTED' } },
  { name: 'bare CR', input: 'GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n', opts: R, error: { code: 'HPE_LF_EXPECTED', offset: 24 } },
  { name: 'obs-fold', input: 'GET / HTTP/1.1\r\nHost: h\r\nX: 1\r\n 2\r\n\r\n', opts: R, error: { code: 'HPE_INVALID_HEADER_TOKEN' } },
  { name: 'CTL in a field name', input: 'GET / HTTP/1.1\r\nHost: h\r\nX\x01: y\r\n\r\n', opts: R, error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 26 } },
  { name: 'CTL in the target', input: 'GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n', opts: R, error: { code: 'HPE_INVALID_URL', offset: 5 } },
  { name: 'spaces after the chunk size', input: 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3  \r\nabc\r\n0\r\n\r\n', opts: R, error: { code: 'HPE_INVALID_CHUNK_SIZE' } },
  { name: 'Transfer-Encoding with Content-Length', input: 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', opts: R, error: { code: 'HPE_INVALID_TRANSFER_ENCODING' } },
];

suite('relaxed field values', fixtures);
