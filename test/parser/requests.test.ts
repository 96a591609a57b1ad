// Valid requests: request forms, methods, framing, pipelining, keep-alive, upgrade.
import { suite, head, body, done, Fixture } from './harness';

const H = 'Host: example.com\r\n';

const fixtures: Fixture[] = [
  {
    name: 'simple GET',
    input: `GET / HTTP/1.1\r\n${H}\r\n`,
    events: [
      head({ method: 'GET', url: '/', versionMajor: 1, versionMinor: 1, headers: ['Host', 'example.com'],
        keepAlive: true, upgrade: false, chunked: false, contentLength: null }),
      done(),
    ],
  },
  {
    name: 'header case kept, OWS trimmed, HTAB in value, obs-text in value, empty value',
    input: `GET /p?q=1 HTTP/1.1\r\nHOST:example.com\r\nX-A: \t a\tb \t\r\nX-B: caf\xe9\r\nX-Empty:\r\nX-Sp:   \r\n\r\n`,
    events: [
      head({ url: '/p?q=1', headers: ['HOST', 'example.com', 'X-A', 'a\tb', 'X-B', 'caf\xe9', 'X-Empty', '', 'X-Sp', ''] }),
      done(),
    ],
  },
  {
    name: 'every method in http.METHODS',
    input: ['ACL', 'BIND', 'CHECKOUT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE',
      'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH',
      'PURGE', 'PUT', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK',
      'UNLOCK', 'UNSUBSCRIBE'].map((m) => `${m} /x HTTP/1.1\r\n${H}\r\n`).join(''),
    events: ['ACL', 'BIND', 'CHECKOUT', 'COPY', 'DELETE', 'GET', 'HEAD', 'LINK', 'LOCK', 'M-SEARCH', 'MERGE',
      'MKACTIVITY', 'MKCALENDAR', 'MKCOL', 'MOVE', 'NOTIFY', 'OPTIONS', 'PATCH', 'POST', 'PROPFIND', 'PROPPATCH',
      'PURGE', 'PUT', 'QUERY', 'REBIND', 'REPORT', 'SEARCH', 'SOURCE', 'SUBSCRIBE', 'TRACE', 'UNBIND', 'UNLINK',
      'UNLOCK', 'UNSUBSCRIBE'].flatMap((m) => [head({ method: m, url: '/x' }), done()]),
    skipSplits: true,
  },
  {
    name: 'CONNECT authority-form',
    input: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    action: 'pause',
    events: [head({ method: 'CONNECT', url: 'example.com:443', upgrade: true })],
  },
  {
    name: 'CONNECT IPv6 authority-form',
    input: 'CONNECT [::1]:8080 HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n',
    events: [head({ method: 'CONNECT', url: '[::1]:8080', upgrade: true }), done()],
  },
  {
    name: 'OPTIONS asterisk-form',
    input: `OPTIONS * HTTP/1.1\r\n${H}\r\n`,
    events: [head({ method: 'OPTIONS', url: '*' }), done()],
  },
  {
    name: 'absolute-form',
    input: 'GET http://example.com:8080/a/b?c#d HTTP/1.1\r\nHost: example.com:8080\r\n\r\n',
    events: [head({ url: 'http://example.com:8080/a/b?c#d' }), done()],
  },
  {
    name: 'absolute-form without path, other scheme',
    input: 'GET https://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n',
    events: [head({ url: 'https://example.com' }), done()],
  },
  {
    name: 'origin-form with reserved and "unwise" chars (accepted as Node accepts them)',
    input: `GET /%C3%A9/"<>{}|\\^\`[]@!$&'()*+,;=:% HTTP/1.1\r\n${H}\r\n`,
    events: [head({ url: `/%C3%A9/"<>{}|\\^\`[]@!$&'()*+,;=:%` }), done()],
  },
  {
    name: 'Content-Length body',
    input: `POST /u HTTP/1.1\r\n${H}Content-Length: 11\r\n\r\nhello world`,
    events: [head({ method: 'POST', contentLength: 11, chunked: false }), body('hello world'), done()],
  },
  {
    name: 'Content-Length: 0 and leading zeros',
    input: `POST /u HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\nPOST /v HTTP/1.1\r\n${H}Content-Length: 003\r\n\r\nabc`,
    events: [head({ contentLength: 0 }), done(), head({ url: '/v', contentLength: 3 }), body('abc'), done()],
  },
  {
    name: 'chunked body with extensions and trailers',
    input: `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n` +
      '5;name=value;flag;q="quo\\"ted \\\\ x"\r\nhello\r\n' +
      '6 ; a = b\r\n world\r\n' +
      'A\r\n0123456789\r\n' +
      '0\r\nX-Trailer: yes\r\nX-Other:  two \r\n\r\n',
    events: [
      head({ chunked: true, contentLength: null }),
      body('hello world0123456789'),
      done(['X-Trailer', 'yes', 'X-Other', 'two']),
    ],
  },
  {
    name: 'chunked: hex sizes upper/lower case, leading zeros, zero-size last chunk with extension',
    input: `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n00a\r\n0123456789\r\nB\r\nabcdefghijk\r\n000;last\r\n\r\n`,
    events: [head({ chunked: true }), body('0123456789abcdefghijk'), done()],
  },
  {
    // Sizes of 1 to 4 digits between chunks (the chunk loop's unrolled size line), every letter
    // in both cases.
    name: 'chunked: 1- to 4-digit sizes with hex letters between chunks',
    input:
      `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1\r\n.\r\n` +
      ['F', 'e', '1a', 'Bc', '1Dd', '0aF', '00fE', '012b', '0c']
        .map((sz) => `${sz}\r\n${'y'.repeat(parseInt(sz, 16))}\r\n`)
        .join('') +
      '0\r\n\r\n',
    events: [
      head({ chunked: true }),
      body('.' + 'y'.repeat([0xf, 0xe, 0x1a, 0xbc, 0x1dd, 0xaf, 0xfe, 0x12b, 0xc].reduce((a, b) => a + b))),
      done(),
    ],
  },
  {
    name: 'Transfer-Encoding list with chunked last, split across fields',
    input: `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\nTransfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n`,
    events: [head({ chunked: true }), body('abc'), done()],
  },
  {
    name: 'Transfer-Encoding with parameters and every known coding',
    input: `POST /c HTTP/1.1\r\n${H}Transfer-Encoding: gzip;q=1 ;a="b c", x-gzip, deflate, compress, x-compress,chunked \r\n\r\n0\r\n\r\n`,
    events: [head({ chunked: true }), done()],
  },
  {
    name: 'pipelined requests in one buffer',
    input: `GET /1 HTTP/1.1\r\n${H}\r\nPOST /2 HTTP/1.1\r\n${H}Content-Length: 2\r\n\r\nokPUT /3 HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\nGET /4 HTTP/1.1\r\n${H}\r\n`,
    events: [
      head({ url: '/1' }), done(),
      head({ url: '/2' }), body('ok'), done(),
      head({ url: '/3' }), body('x'), done(),
      head({ url: '/4' }), done(),
    ],
  },
  {
    name: 'empty lines between requests are skipped (RFC 9112 §2.2), bare LF/CR too (as llhttp)',
    input: `\r\n\r\nGET /1 HTTP/1.1\r\n${H}\r\n\r\n\n\rGET /2 HTTP/1.1\r\n${H}\r\n`,
    events: [head({ url: '/1' }), done(), head({ url: '/2' }), done()],
  },
  {
    name: 'HTTP/1.0 without Host, not keep-alive',
    input: 'GET / HTTP/1.0\r\n\r\n',
    events: [head({ versionMajor: 1, versionMinor: 0, keepAlive: false }), done()],
  },
  {
    name: 'HTTP/1.0 keep-alive',
    input: 'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n',
    events: [head({ keepAlive: true }), done(), head({ url: '/2', keepAlive: true }), done()],
  },
  {
    name: 'HTTP/1.1 Connection: close',
    input: `GET / HTTP/1.1\r\n${H}Connection: foo, close\r\n\r\n`,
    events: [head({ keepAlive: false }), done()],
  },
  {
    name: 'CRLF after a closing request is ignored',
    input: `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n\r\n\r\n`,
    events: [head({ keepAlive: false }), done()],
  },
  {
    name: 'upgrade request (Connection: upgrade + Upgrade), paused',
    input: `GET /ws HTTP/1.1\r\n${H}Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello`,
    action: 'pause',
    events: [head({ upgrade: true, keepAlive: true })],
  },
  {
    name: 'trailing SP after Content-Length and chunked is fine',
    input: `POST / HTTP/1.1\r\n${H}Content-Length: 1  \r\n\r\nxPOST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked \r\n\r\n0\r\n\r\n`,
    events: [head({ contentLength: 1 }), body('x'), done(), head({ chunked: true }), done()],
  },
  {
    name: '"Connection: Upgrade<HTAB>" is not the upgrade token (as llhttp); value still trimmed',
    input: `GET / HTTP/1.1\r\n${H}Connection: Upgrade\t\r\nUpgrade: websocket\r\n\r\n`,
    events: [head({ upgrade: false, headers: ['Host', 'example.com', 'Connection', 'Upgrade', 'Upgrade', 'websocket'] }), done()],
  },
  {
    name: 'HTTP/1.0 "Connection: keep-alive<HTAB>" is not persistent (as llhttp)',
    input: 'GET / HTTP/1.0\r\nConnection: keep-alive\t\r\n\r\n',
    events: [head({ keepAlive: false }), done()],
  },
  {
    name: 'an empty Upgrade field is no upgrade',
    input: `GET / HTTP/1.1\r\n${H}Connection: upgrade\r\nUpgrade:\r\n\r\n`,
    events: [head({ upgrade: false }), done()],
  },
  {
    name: 'Upgrade without Connection: upgrade is not an upgrade',
    input: `GET / HTTP/1.1\r\n${H}Upgrade: websocket\r\n\r\n`,
    events: [head({ upgrade: false }), done()],
  },
  {
    name: 'Connection: upgrade without Upgrade is not an upgrade',
    input: `GET / HTTP/1.1\r\n${H}Connection: upgrade\r\n\r\n`,
    events: [head({ upgrade: false }), done()],
  },
  {
    name: 'upgrade declined (continue): body framed as usual, next request parsed',
    input: `POST / HTTP/1.1\r\n${H}Connection: upgrade\r\nUpgrade: h2c\r\nContent-Length: 1\r\n\r\nxGET /n HTTP/1.1\r\n${H}\r\n`,
    events: [head({ upgrade: true }), body('x'), done(), head({ url: '/n' }), done()],
  },
  {
    name: 'Host forms: empty, IPv4, IPv6, reg-name with port, pct-encoded',
    input: 'GET / HTTP/1.1\r\nHost:\r\n\r\n' +
      'GET / HTTP/1.1\r\nHost: 10.0.0.1\r\n\r\n' +
      'GET / HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\r\n' +
      'GET / HTTP/1.1\r\nHost: a-b.c_d~e:65535\r\n\r\n' +
      'GET / HTTP/1.1\r\nHost: %41bc\r\n\r\n',
    events: [head(), done(), head(), done(), head(), done(), head(), done(), head(), done()],
  },
  {
    name: 'HTTP/1.1 without Host when requireHost is false',
    input: 'GET / HTTP/1.1\r\n\r\n',
    opts: { requireHost: false },
    events: [head({ headers: [] }), done()],
  },
  {
    name: 'many headers',
    input: `GET / HTTP/1.1\r\n${H}` + Array.from({ length: 100 }, (_, i) => `X-H${i}: v${i}\r\n`).join('') + '\r\n',
    events: [head({ headers: ['Host', 'example.com', ...Array.from({ length: 100 }, (_, i) => [`X-H${i}`, `v${i}`]).flat()] }), done()],
    skipSplits: true,
  },
  {
    name: 'large body after a head (head split: body bytes are not buffered with it)',
    input: `POST / HTTP/1.1\r\n${H}Content-Length: 20000\r\n\r\n${'b'.repeat(20000)}GET /n HTTP/1.1\r\n${H}\r\n`,
    events: [head({ contentLength: 20000 }), body('b'.repeat(20000)), done(), head({ url: '/n' }), done()],
    skipSplits: true,
  },
  {
    // The whole-head path finds line ends in 64-byte blocks and reads names in 16-byte runs:
    // values of 0 to 70 bytes put the line ends at every offset of a block; names of 15 to 33
    // bytes, some with tchars other than ALPHA/DIGIT/"-" past the first run.
    name: 'field names of 15 to 33 bytes, line ends at every offset of a 64-byte block',
    input:
      `GET / HTTP/1.1\r\n${H}` +
      Array.from({ length: 71 }, (_, i) => `X-V${i}: ${'v'.repeat(i)}\r\n`).join('') +
      ['Fifteen-Bytes-X', 'Sixteen-Bytes-XY', 'Seventeen-Bytes-Z', 'A'.repeat(31), 'B'.repeat(32), 'C'.repeat(33),
        'Long-Name-With_Underscore!', 'abcdefghijklmnop_q'].map((n) => `${n}: ${n.length}\r\n`).join('') +
      '\r\n',
    events: [
      head({
        headers: [
          'Host', 'example.com',
          ...Array.from({ length: 71 }, (_, i) => [`X-V${i}`, 'v'.repeat(i)]).flat(),
          ...['Fifteen-Bytes-X', 'Sixteen-Bytes-XY', 'Seventeen-Bytes-Z', 'A'.repeat(31), 'B'.repeat(32), 'C'.repeat(33),
            'Long-Name-With_Underscore!', 'abcdefghijklmnop_q'].map((n) => [n, String(n.length)]).flat(),
        ],
      }),
      done(),
    ],
    skipSplits: true,
  },
  {
    name: 'long header value crosses several vector blocks',
    input: `GET / HTTP/1.1\r\n${H}X-Long: ${'abcdefghij'.repeat(20)}\t${'z'.repeat(37)}\r\n\r\n`,
    events: [head({ headers: ['Host', 'example.com', 'X-Long', `${'abcdefghij'.repeat(20)}\t${'z'.repeat(37)}`] }), done()],
  },
];

suite('requests', fixtures);
