// Strict-mode rejections (RFC 9110 / RFC 9112): error code, status and byte offset.
import { suite, head, done, Fixture } from './harness';

const H = 'Host: h\r\n';
// Offset of `sub` in `s` (plus `k`).
const at = (s: string, sub: string, k = 0): number => {
  const i = s.indexOf(sub);
  if (i < 0) throw new Error(`marker ${JSON.stringify(sub)} not in fixture`);
  return i + k;
};
const err = (name: string, input: string, code: string, offset?: number, status = 400, extra: Partial<Fixture> = {}): Fixture =>
  ({ name, input, error: { code, status, offset }, ...extra });

let s: string;
const fixtures: Fixture[] = [
  // --- request line: method
  err('lower-case method', 'get / HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_METHOD', 0),
  err('unknown method', 'GETS / HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_METHOD', 3),
  err('method prefix then SP', 'GE / HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_METHOD', 2),
  err('token method not in METHODS', 'FOO / HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_METHOD', 0),
  err('garbage first byte (TLS hello) rejected without a line end', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', 'HPE_INVALID_METHOD', 0),
  err('binary after method prefix, no line end', 'PO\x00\x01', 'HPE_INVALID_METHOD', 2),
  err('leading SP before method', ' GET / HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_METHOD', 0),
  err('HTAB after method', 'GET\t/ HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_METHOD', 3),
  err('method only', 'GET\r\n\r\n', 'HPE_INVALID_METHOD', 3),
  // --- request-target
  err('double SP before target', 'GET  / HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 4),
  err('CTL in target', 'GET /a\x01b HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 6),
  err('DEL in target', 'GET /a\x7f HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 6),
  err('HTAB in target', 'GET /a\tb HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 6),
  err('asterisk-form with GET', 'GET * HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 4),
  err('asterisk with more', 'OPTIONS *x HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 9),
  err('authority-form with GET', 'GET example.com:80 HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 16),
  err('CONNECT with origin-form', 'CONNECT / HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 8),
  err('CONNECT without port', 'CONNECT example.com HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 19),
  err('CONNECT with empty port', 'CONNECT example.com: HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 20),
  err('CONNECT with absolute-form', 'CONNECT http://a:1/ HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 13),
  err('absolute-form with userinfo', 'GET http://u@h/ HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 12),
  err('absolute-form with empty host', 'GET http:///x HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 11),
  err('absolute-form without //', 'GET http:x HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 9),
  err('raw UTF-8 in target (Node 20 rejects it too)', 'GET /caf\xc3\xa9 HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 8),
  err('relative path target', 'GET a/b HTTP/1.1\r\n' + H + '\r\n', 'HPE_INVALID_URL', 5),
  // --- version
  err('lower-case http', 'GET / http/1.1\r\n' + H + '\r\n', 'HPE_INVALID_CONSTANT', 6),
  err('missing version (HTTP/0.9 form)', 'GET /\r\n\r\n', 'HPE_INVALID_CONSTANT', 5),
  err('HTTP/1.2 → 505', 'GET / HTTP/1.2\r\n' + H + '\r\n', 'HPE_INVALID_VERSION', 11, 505),
  err('HTTP/2.0 → 505', 'GET / HTTP/2.0\r\n' + H + '\r\n', 'HPE_INVALID_VERSION', 11, 505),
  err('HTTP/0.9 → 505', 'GET / HTTP/0.9\r\n' + H + '\r\n', 'HPE_INVALID_VERSION', 11, 505),
  err('HTTP/1.x → 400', 'GET / HTTP/1.x\r\n' + H + '\r\n', 'HPE_INVALID_VERSION', 13, 400),
  err('HTTP/11 → 400', 'GET / HTTP/11\r\n' + H + '\r\n', 'HPE_INVALID_VERSION', 12, 400),
  err('HTTP/1.10 → 400', 'GET / HTTP/1.10\r\n' + H + '\r\n', 'HPE_INVALID_VERSION', 14, 400),
  err('trailing SP after version', 'GET / HTTP/1.1 \r\n' + H + '\r\n', 'HPE_INVALID_VERSION', 14),
  // --- line endings
  // Codes as llhttp (Node 20) reports them: a bare CR or a bare LF → by where it stands.
  err('bare LF after request line', 'GET / HTTP/1.1\n' + H + '\r\n', 'HPE_INVALID_VERSION', 14),
  err('bare LF after header', 'GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n', 'HPE_CR_EXPECTED', 23),
  err('bare LF ending the head', 'GET / HTTP/1.1\r\nHost: h\r\n\n', 'HPE_INVALID_HEADER_TOKEN', 25),
  err('bare CR in header value', 'GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n', 'HPE_LF_EXPECTED', 30),
  err('bare CR in header name', 'GET / HTTP/1.1\r\nHost: h\r\nX\rY: a\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 26),
  err('bare CR in request-target', 'GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n', 'HPE_INVALID_URL', 7),
  err('bare CR ending the request line', 'GET / HTTP/1.1\rHost: h\r\n\r\n', 'HPE_STRICT', 15),
  err('CR/LF bytes between messages are skipped (as llhttp)', 'GET / HTTP/1.1\r\nHost: h\r\n\r\n\r\n\n\r\rX', 'HPE_INVALID_METHOD', 32, 400,
    { events: [head(), done()] }),
  // --- field lines
  err('NUL in header value', 'GET / HTTP/1.1\r\nHost: h\r\nX: a\x00b\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 29),
  err('CTL in header value', 'GET / HTTP/1.1\r\nHost: h\r\nX: a\x1bb\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 29),
  err('DEL in header value', 'GET / HTTP/1.1\r\nHost: h\r\nX: a\x7fb\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 29),
  err('CTL in header name', 'GET / HTTP/1.1\r\nHost: h\r\nX\x01Y: a\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 26),
  err('NUL in header name', 'GET / HTTP/1.1\r\nHost: h\r\nX\x00: a\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 26),
  err('non-token in header name', 'GET / HTTP/1.1\r\nHost: h\r\nX(Y): a\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 26),
  // Past the first 16 and 32 bytes of a name (the whole-head path reads names in 16-byte runs).
  err('CTL in a long header name', 'GET / HTTP/1.1\r\nHost: h\r\nAbcdefghijklmnopqr\x01s: a\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 43),
  err('non-token in a long header name', 'GET / HTTP/1.1\r\nHost: h\r\n' + 'N'.repeat(35) + '/: a\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 60),
  err('CTL in a value across a 64-byte block', 'GET / HTTP/1.1\r\nHost: h\r\nX: ' + 'a'.repeat(70) + '\x02\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 98),
  err('space before colon', 'GET / HTTP/1.1\r\nHost : h\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 20),
  err('HTAB before colon', 'GET / HTTP/1.1\r\nHost\t: h\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 20),
  err('obs-fold continuation line', 'GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  b\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 31),
  err('HTAB obs-fold', 'GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 31),
  err('empty field name', 'GET / HTTP/1.1\r\nHost: h\r\n: a\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 25),
  err('no colon', 'GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 32),
  err('non-ASCII in header name', 'GET / HTTP/1.1\r\nHost: h\r\nX\xe9: a\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 26),
  // --- Content-Length (RFC 9110 §8.6, RFC 9112 §6.3)
  err('Content-Length not digits', (s = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1a\r\n\r\n'), 'HPE_INVALID_CONTENT_LENGTH', at(s, '1a', 1)),
  err('Content-Length negative', (s = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n'), 'HPE_INVALID_CONTENT_LENGTH', at(s, '-1')),
  err('Content-Length plus sign', (s = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n'), 'HPE_INVALID_CONTENT_LENGTH', at(s, '+1')),
  err('Content-Length empty', (s = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n'), 'HPE_INVALID_CONTENT_LENGTH'),
  err('Content-Length inner space', (s = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n'), 'HPE_INVALID_CONTENT_LENGTH', at(s, '1 2', 1)),
  err('Content-Length list "5, 5"', (s = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\nhello'), 'HPE_INVALID_CONTENT_LENGTH', at(s, '5, 5', 1)),
  err('Content-Length overflow', (s = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 18446744073709551616\r\n\r\n'), 'HPE_INVALID_CONTENT_LENGTH', at(s, '18446744073709551616', 19)),
  err('Content-Length twice, different', (s = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'), 'HPE_UNEXPECTED_CONTENT_LENGTH', at(s, '2\r')),
  err('Content-Length twice, same value', (s = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\nx'), 'HPE_UNEXPECTED_CONTENT_LENGTH', at(s, 'content-length: 1', 16)),
  // llhttp keeps a trailing HTAB in the values it interprets (a trailing SP is stripped): follow it.
  err('Content-Length with a trailing HTAB', (s = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\t\r\n\r\nabc'), 'HPE_INVALID_CONTENT_LENGTH', at(s, '3\t', 1)),
  err('TE chunked with a trailing HTAB (request)', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked \t\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, '\t\r')),
  // --- Transfer-Encoding (RFC 9112 §6.1, §6.3)
  err('TE then CL', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n'), 'HPE_INVALID_CONTENT_LENGTH', at(s, 'Length: 1', 7)),
  err('CL then TE', (s = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, 'chunked') - 1),
  err('chunked not last', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, 'gzip')),
  err('chunked not last across fields', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, 'gzip')),
  err('only gzip (no chunked) in a request', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', s.length - 2),
  err('chunked twice', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, ', chunked', 2)),
  err('TE in HTTP/1.0 request', (s = 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, 'chunked')),
  err('unknown coding → 501', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: foo, chunked\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, 'foo'), 501),
  err('identity → 501', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: identity\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, 'identity'), 501),
  err('a syntax error after an unknown coding wins (earlier in the head)', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: foo, chunked\r\nBad Name: x\r\n\r\n'), 'HPE_INVALID_HEADER_TOKEN', at(s, ' Name')),
  err('TE trailing comma', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked,\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, ',\r', 1)),
  err('TE leading comma', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: , chunked\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, ', chunked')),
  err('TE empty element', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip,,chunked\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, ',,', 1)),
  err('empty TE', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING'),
  err('chunked with parameter', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked;a=b\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, 'chunked')),
  err('TE coding with bad char', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gz/ip, chunked\r\n\r\n'), 'HPE_INVALID_TRANSFER_ENCODING', at(s, '/ip')),
  // --- chunked body (RFC 9112 §7.1)
  ...([
    ['non-hex size', 'g\r\n', 0],
    ['0x prefix', '0x5\r\n', 1],
    ['plus sign', '+5\r\n', 0],
    ['minus sign', '-5\r\n', 0],
    ['leading space', ' 5\r\n', 0],
    ['trailing space without extension', '5 \r\n', 2],
    ['empty size', '\r\n', 0],
    ['overflow beyond 64 bits', '10000000000000000\r\n', 16],
  ] as [string, string, number][]).map(([n, line, k]) => {
    const pre = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n';
    return err(`chunk size: ${n}`, pre + line + 'hello\r\n0\r\n\r\n', 'HPE_INVALID_CHUNK_SIZE', pre.length + k, 400, { events: [head({ chunked: true })] });
  }),
  err('max 64-bit chunk size is accepted then cut short', 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc',
    'HPE_INVALID_EOF_STATE', undefined, 400, { finish: 'HPE_INVALID_EOF_STATE', events: [head(), { type: 'body', data: 'abc' }] }),
  err('missing CRLF after chunk data', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n'), 'HPE_STRICT', at(s, 'X\r')),
  err('CR without LF after chunk data', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\rX0\r\n\r\n'), 'HPE_STRICT', at(s, 'X0')),
  err('bare LF after chunk size', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n'), 'HPE_CR_EXPECTED', at(s, '\nabc')),
  err('CR without LF after chunk size', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\rabc\r\n0\r\n\r\n'), 'HPE_STRICT', at(s, 'abc')),
  ...([
    ['empty extension name', '5;\r\n', 2],
    ['extension name with bad char', '5;a@b\r\n', 3],
    ['extension value missing', '5;a=\r\n', 4],
    ['unterminated quoted value', '5;a="x\r\n', 6],
    ['CTL in quoted value', '5;a="\x01"\r\n', 5],
    ['trailing whitespace after extension name', '5;a \r\n', 4],
    ['bad byte after quoted value', '5;a="x"y\r\n', 7],
    ['trailing whitespace after a token value', '5;a=b \r\n', 6],
    ['trailing whitespace after a quoted value', '5;a="b"\t\r\n', 8],
  ] as [string, string, number][]).map(([n, line, k]) => {
    const pre = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n';
    return err(`chunk extension: ${n}`, pre + line + 'hello\r\n0\r\n\r\n', 'HPE_STRICT', pre.length + k);
  }),
  err('bad trailer field', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n'), 'HPE_INVALID_HEADER_TOKEN', at(s, ' Trailer')),
  err('bare LF in trailers', (s = 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: x\n\r\n'), 'HPE_CR_EXPECTED', at(s, 'T: x', 4)),
  // --- Host (RFC 9112 §3.2, RFC 9110 §7.2): HPE_STRICT, 400
  err('HTTP/1.1 without Host', 'GET / HTTP/1.1\r\nX: y\r\n\r\n', 'HPE_STRICT', 22),
  err('two Host fields', (s = 'GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n'), 'HPE_STRICT', at(s, 'host: a')),
  err('two Host fields even without requireHost', (s = 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'), 'HPE_STRICT', at(s, 'Host: b'), 400, { opts: { requireHost: false } }),
  err('Host with space', (s = 'GET / HTTP/1.1\r\nHost: a b\r\n\r\n'), 'HPE_STRICT', at(s, ' b')),
  err('Host with userinfo', (s = 'GET / HTTP/1.1\r\nHost: u@a\r\n\r\n'), 'HPE_STRICT', at(s, '@a')),
  err('Host with path', (s = 'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n'), 'HPE_STRICT', at(s, '/b')),
  err('Host with non-digit port', (s = 'GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n'), 'HPE_STRICT', at(s, 'x\r')),
  err('Host with empty port', (s = 'GET / HTTP/1.1\r\nHost: a:\r\n\r\n'), 'HPE_STRICT', at(s, ':\r', 1)),
  err('Host with port only', (s = 'GET / HTTP/1.1\r\nHost: :80\r\n\r\n'), 'HPE_STRICT', at(s, ':80')),
  err('Host with unclosed IPv6', (s = 'GET / HTTP/1.1\r\nHost: [::1\r\n\r\n'), 'HPE_STRICT', at(s, '[::1', 4)),
  err('Host with bad pct-encoding', (s = 'GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n'), 'HPE_STRICT', at(s, '%zz')),
  err('Host with non-ASCII', (s = 'GET / HTTP/1.1\r\nHost: caf\xe9\r\n\r\n'), 'HPE_STRICT', at(s, '\xe9')),
  // --- data after a closing message
  err('data after Connection: close', (s = 'GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n'), 'HPE_CLOSED_CONNECTION', at(s, 'GET', 1) + s.slice(1).indexOf('GET'), 400, { events: [head({ keepAlive: false }), done()] }),
  err('data after an HTTP/1.0 request', 'GET / HTTP/1.0\r\n\r\nX', 'HPE_CLOSED_CONNECTION', 18, 400, { events: [head(), done()] }),
];

suite('strict errors', fixtures);
