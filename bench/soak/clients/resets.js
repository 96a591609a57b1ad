'use strict';
// Clients that go away at the worst moment, by RST (socket.resetAndDestroy) or by close
// (socket.destroy: a FIN, or an RST when unread bytes were waiting): in the middle of a request head, of a Content-Length or chunked upload, or of
// a response (whose bytes up to the cut are still checked). The server owes them nothing; it must
// not crash, leak the descriptor, or let the cut disturb anyone else.
const config = require('../config');
const { bigBody, pattern, freshSeed } = require('../pattern');
const { between, pick } = require('../random');
const { RawConnection } = require('../raw-connection');

async function midHead(conn) {
  const head = `GET /bytes/100?seed=${freshSeed()} HTTP/1.1\r\nHost: soak\r\nUser-Agent: soak-reset\r\nX-Filler: ${'f'.repeat(between(0, 2000))}\r\n\r\n`;
  conn.write(head.slice(0, between(1, head.length - 1)));
}

async function midBody(conn, ctx) {
  const length = config.MB;
  const body = pattern(freshSeed(), length);
  conn.write(`POST /upload HTTP/1.1\r\nHost: soak\r\nContent-Length: ${length}\r\n\r\n`);
  conn.write(body.subarray(0, between(1, length / 2)));
  await ctx.sleep(between(0, 20));
}

async function midChunkedBody(conn, ctx) {
  conn.write('POST /upload HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\n\r\n');
  for (let i = between(0, 5); i > 0; i--) {
    const chunk = pattern(freshSeed(), between(1, 50000));
    conn.write(`${chunk.length.toString(16)}\r\n`);
    conn.write(chunk);
    conn.write('\r\n');
  }
  // The last chunk is cut: its size line says more than follows.
  const chunk = pattern(freshSeed(), between(2, 50000));
  conn.write(`${chunk.length.toString(16)}\r\n`);
  conn.write(chunk.subarray(0, between(1, chunk.length - 1)));
  await ctx.sleep(between(0, 20));
}

// Resolves when the client has read cutAt body bytes (each checked) and dropped the connection.
function midResponse(conn, ctx, how) {
  const shared = Math.random() < 0.5;
  const seed = freshSeed();
  const path = shared ? '/big' : `/bytes/${config.MB}?seed=${seed}`;
  const body = shared ? bigBody() : pattern(seed, config.MB);
  const cutAt = between(1, body.length - 1);
  return new Promise((resolve, reject) => {
    conn.onBodyProgress = (response) => {
      if (response.bodyBytes < cutAt) return;
      ctx.stats.bytesChecked('reset', response.bodyBytes);
      conn.drop(how);
      resolve();
    };
    conn.expect({ label: `GET ${path}, to be reset after ${cutAt} body bytes`, body }).then((answer) => {
      // Resolved with null when the client dropped it; anything else came in full, which the
      // cut should have prevented (a chunk can carry the last bytes past cutAt: then it is fine).
      if (answer !== null) resolve();
    }, reject);
    conn.write(`GET ${path} HTTP/1.1\r\nHost: soak\r\n\r\n`);
  });
}

const VARIANTS = [
  ['mid-head', midHead],
  ['mid-body (Content-Length)', midBody],
  ['mid-body (chunked)', midChunkedBody],
  ['mid-response', midResponse],
];

async function resetOnce(ctx, actor) {
  const [name, inject] = VARIANTS[actor.round % VARIANTS.length];
  const how = pick(['reset', 'close']);
  const conn = await RawConnection.open(ctx, `reset ${name}`);
  await inject(conn, ctx, how);
  conn.drop(how);
  const fault = `client ${how === 'reset' ? 'RST (resetAndDestroy)' : 'close (destroy)'} ${name}`;
  ctx.stats.fault(fault);
  ctx.stats.expected('reset', fault);
}

module.exports = [{ name: 'reset', actors: config.actors.reset, pauseMs: 50, once: resetOnce }];
