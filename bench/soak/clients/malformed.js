'use strict';
// Malformed requests, one per connection, in turn. Each must be answered with a 4xx/5xx and
// closed, or closed without an answer, quickly; never answered 2xx (a server that takes any of
// these is open to request smuggling, RFC 9112 §11.2) and never left hanging.
const config = require('../config');
const { RawConnection } = require('../raw-connection');
const { SoakError } = require('../verify');

const H = 'Host: soak\r\n';
// The body routes read their body before answering, so a bad body is the parser's to judge.
const CASES = [
  ['bad method', `G@T /bytes/1 HTTP/1.1\r\n${H}\r\n`],
  ['bad version', `GET /bytes/1 HTTP/1.x\r\n${H}\r\n`],
  ['bare LF line ends', `GET /bytes/1 HTTP/1.1\n${H.replace('\r', '')}\n`],
  ['bare LF in the head', `GET /bytes/1 HTTP/1.1\r\n${H}X-A: 1\nX-B: 2\r\n\r\n`],
  ['bare CR in a field', `GET /bytes/1 HTTP/1.1\r\n${H}X-A: 1\rX-B: 2\r\n\r\n`],
  ['space before colon', `GET /bytes/1 HTTP/1.1\r\n${H}X-A : 1\r\n\r\n`],
  ['invalid field name', `GET /bytes/1 HTTP/1.1\r\n${H}X(A): 1\r\n\r\n`],
  ['NUL in a field value', `GET /bytes/1 HTTP/1.1\r\n${H}X-A: a\0b\r\n\r\n`],
  ['obs-fold', `GET /bytes/1 HTTP/1.1\r\n${H}X-A: a\r\n b\r\n\r\n`],
  ['missing Host (HTTP/1.1)', 'GET /bytes/1 HTTP/1.1\r\n\r\n'],
  ['header overflow (20 KB field)', `GET /bytes/1 HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(20000)}\r\n\r\n`],
  ['request-target overflow (20 KB)', `GET /${'u'.repeat(20000)} HTTP/1.1\r\n${H}\r\n`],
  ['Content-Length with Transfer-Encoding', `POST /upload HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
  ['two different Content-Lengths', `POST /upload HTTP/1.1\r\n${H}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`],
  ['negative Content-Length', `POST /upload HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`],
  ['chunked not last', `POST /upload HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n`],
  ['bad chunk size', `POST /upload HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n`],
  ['chunk size overflow', `POST /upload HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nhello\r\n0\r\n\r\n`],
  ['chunk data without CRLF', `POST /upload HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n`],
];

async function malformedOnce(ctx, actor) {
  const [name, bytes] = CASES[actor.round % CASES.length];
  const conn = await RawConnection.open(ctx, `malformed: ${name}`);
  conn.write(Buffer.from(bytes, 'latin1'));
  ctx.stats.badInput(name);
  const { ms, statuses } = await conn.awaitCut(config.deadlines.badInput, `connection after "${name}"`);
  if (statuses.some((status) => status < 400)) {
    throw new SoakError('accepted', `"${name}" was answered ${statuses.join(', ')}`);
  }
  ctx.stats.expected('malformed', statuses.length > 0 ? `${name}: ${statuses.join(', ')}` : `${name}: closed without a response`);
  ctx.stats.range('malformed', 'closed after ms', ms);
}

module.exports = [{ name: 'malformed', actors: config.actors.malformed, pauseMs: 100, once: malformedOnce }];
