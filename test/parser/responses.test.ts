// Responses: status line variants, framing (RFC 9112 §6.3), 1xx/204/304, HEAD, until-close.
import { suite, head, body, done, Fixture } from './harness';

const R = (f: Omit<Fixture, 'type'>): Fixture => ({ type: 'response', ...f });

const fixtures: Fixture[] = [
  R({
    name: 'status line with reason, Content-Length body',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello',
    events: [head({ method: '', statusCode: 200, reason: 'OK', versionMajor: 1, versionMinor: 1,
      headers: ['Content-Length', '5', 'X-A', 'b'], keepAlive: true, contentLength: 5 }), body('hello'), done()],
  }),
  R({
    name: 'empty reason phrase with SP',
    input: 'HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n',
    events: [head({ statusCode: 404, reason: '' }), done()],
  }),
  R({
    name: 'no SP after status code',
    input: 'HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n',
    events: [head({ statusCode: 200, reason: '' }), done()],
  }),
  R({
    name: 'reason phrase with spaces, HTAB and obs-text',
    input: 'HTTP/1.0 500 Internal \tServer \xe9rror\r\nContent-Length: 0\r\n\r\n',
    events: [head({ statusCode: 500, reason: 'Internal \tServer \xe9rror', versionMinor: 0, keepAlive: false }), done()],
  }),
  R({
    name: 'body until close, completed by finish()',
    input: 'HTTP/1.1 200 OK\r\n\r\nsome body bytes',
    finish: null,
    events: [head({ keepAlive: false, contentLength: null, chunked: false }), body('some body bytes'), done()],
  }),
  R({
    name: 'empty body until close',
    input: 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n',
    finish: null,
    events: [head({ keepAlive: false }), done()],
  }),
  R({
    name: 'HTTP/1.0 response with Content-Length and keep-alive',
    input: 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nokHTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n',
    events: [head({ keepAlive: true }), body('ok'), done(), head({ statusCode: 204, keepAlive: true }), done()],
  }),
  R({
    name: 'chunked response with trailers',
    input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n',
    events: [head({ chunked: true }), body('Wikipedia'), done(['Expires', 'never'])],
  }),
  R({
    name: 'chunked not last in a response: body until close (RFC 9112 §6.3 item 4)',
    input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc',
    finish: null,
    events: [head({ chunked: false, keepAlive: false }), body('abc'), done()],
  }),
  R({
    name: '"chunked<HTAB>" in a response is not chunked (as llhttp): body until close',
    input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\t\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    finish: null,
    events: [head({ chunked: false, keepAlive: false }), body('3\r\nabc\r\n0\r\n\r\n'), done()],
  }),
  R({
    name: 'unknown coding in a response: body until close',
    input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: foo\r\n\r\nabc',
    finish: null,
    events: [head({ chunked: false }), body('abc'), done()],
  }),
  R({
    name: '1xx then final response',
    input: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx',
    events: [head({ statusCode: 100 }), done(), head({ statusCode: 103 }), done(), head({ statusCode: 200 }), body('x'), done()],
  }),
  R({
    name: '204 and 304 have no body even with Content-Length',
    input: 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    events: [head({ statusCode: 204 }), done(), head({ statusCode: 304 }), done(), head({ statusCode: 200 }), done()],
  }),
  R({
    name: 'response to HEAD (skipBody): Content-Length does not frame a body',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n',
    action: 'skipBody',
    events: [head({ contentLength: 1000 }), done(), head({ chunked: true }), done()],
  }),
  R({
    name: '101 Switching Protocols is an upgrade',
    input: 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x00',
    action: 'pause',
    events: [head({ statusCode: 101, upgrade: true })],
  }),
  R({
    name: 'cut short inside a Content-Length body',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc',
    finish: 'HPE_INVALID_EOF_STATE',
    error: { code: 'HPE_INVALID_EOF_STATE' },
    events: [head(), body('abc')],
  }),
  R({
    name: 'cut short inside a head',
    input: 'HTTP/1.1 200 OK\r\nContent-Le',
    finish: 'HPE_INVALID_EOF_STATE',
    error: { code: 'HPE_INVALID_EOF_STATE' },
    events: [],
  }),
  R({
    name: 'HTTP/1.0 1xx does not close the connection',
    input: 'HTTP/1.0 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok',
    events: [head({ statusCode: 100, keepAlive: false }), done(), head({ statusCode: 200 }), body('ok'), done()],
  }),
  R({
    name: 'obs-fold in trailers is rejected',
    input: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: a\r\n b\r\n\r\n',
    error: { code: 'HPE_INVALID_HEADER_TOKEN', offset: 56 },
    events: [head()],
  }),
  R({ name: 'bad status: two digits', input: 'HTTP/1.1 20 OK\r\n\r\n', error: { code: 'HPE_INVALID_STATUS', offset: 11 } }),
  R({ name: 'bad status: four digits', input: 'HTTP/1.1 2000 OK\r\n\r\n', error: { code: 'HPE_INVALID_STATUS', offset: 12 } }),
  R({ name: 'bad status: letters', input: 'HTTP/1.1 2x0 OK\r\n\r\n', error: { code: 'HPE_INVALID_STATUS', offset: 10 } }),
  R({ name: 'bad status: leading zero', input: 'HTTP/1.1 099 OK\r\n\r\n', error: { code: 'HPE_INVALID_STATUS', offset: 9 } }),
  R({ name: 'bad status: missing', input: 'HTTP/1.1 \r\n\r\n', error: { code: 'HPE_INVALID_STATUS', offset: 9 } }),
  R({ name: 'bad status line: no SP after version', input: 'HTTP/1.1\r\n\r\n', error: { code: 'HPE_INVALID_VERSION', offset: 8 } }),
  R({ name: 'bad status line: not HTTP', input: 'HTTX/1.1 200 OK\r\n\r\n', error: { code: 'HPE_INVALID_CONSTANT', offset: 3 } }),
  R({ name: 'bad status line: HTTP/2.0', input: 'HTTP/2.0 200 OK\r\n\r\n', error: { code: 'HPE_INVALID_VERSION', offset: 5 } }),
  R({ name: 'CTL in reason phrase', input: 'HTTP/1.1 200 O\x01K\r\n\r\n', error: { code: 'HPE_INVALID_STATUS', offset: 14 } }),
  R({
    name: 'TE and CL together in a response',
    input: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    error: { code: 'HPE_INVALID_TRANSFER_ENCODING' },
  }),
  R({
    name: 'data after a closing response',
    input: 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n',
    error: { code: 'HPE_CLOSED_CONNECTION', offset: 58 },
    events: [head({ keepAlive: false }), body('x'), done()],
  }),
];

suite('responses', fixtures);
