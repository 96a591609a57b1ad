'use strict';
// Large bodies to clients that read slowly.
//  - slow-reader: the cached 8 MB Buffer (the same object for every reader) or a 2 MB body made
//    for the request, read in paced slices (~1.6 MB/s, so a download outlasts keepAliveTimeout),
//    checked byte for byte; then one more request on the same keep-alive connection, which must
//    still be open and answer.
//  - stalled-reader: asks for the 8 MB body three times pipelined and stops reading. The output
//    the server holds for it stops moving, so server.timeout (inactivity) must end the
//    connection (not before: no other timeout applies while a response is leaving); the server
//    process is asked whether it did, and when.
const config = require('../config');
const { bigBody, pattern, freshSeed } = require('../pattern');
const { RawConnection } = require('../raw-connection');
const { SoakError } = require('../verify');

const PER_REQUEST_BYTES = 2 * config.MB;

async function slowReaderOnce(ctx, actor) {
  const conn = await RawConnection.open(ctx, 'slow-reader');
  conn.pace(config.slowReadPauseMs);
  const shared = actor.round % 3 !== 2;
  const seed = freshSeed();
  const path = shared ? '/big' : `/bytes/${PER_REQUEST_BYTES}?seed=${seed}`;
  const body = shared ? bigBody() : pattern(seed, PER_REQUEST_BYTES);
  const download = conn.expect({ label: `slow read of GET ${path} (keep-alive)`, body, deadlineMs: config.deadlines.slowDownload });
  conn.write(`GET ${path} HTTP/1.1\r\nHost: soak\r\n\r\n`);
  const { ms } = await download;
  ctx.stats.verified('slow-reader', body.length, shared ? 'shared 8 MB Buffer' : '2 MB made per request');
  ctx.stats.range('slow-reader', 'download ms', ms);
  // The connection must have survived the slow download: the keep-alive timeout only starts
  // once the response has left.
  const nextSeed = freshSeed();
  const next = conn.expect({ label: `GET /bytes/1000 on the keep-alive connection after a ${ms} ms slow download of ${path}`, body: pattern(nextSeed, 1000) });
  conn.write(`GET /bytes/1000?seed=${nextSeed} HTTP/1.1\r\nHost: soak\r\n\r\n`);
  await next;
  ctx.stats.verified('slow-reader', 1000, 'request after a slow download');
  conn.drop('close');
}

async function stalledReaderOnce(ctx) {
  const conn = await RawConnection.open(ctx, 'stalled-reader');
  conn.stall();
  const port = conn.localPort;
  await ctx.queryServer({ type: 'watch', port });
  conn.write('GET /big HTTP/1.1\r\nHost: soak\r\n\r\n'.repeat(3));
  ctx.stats.fault('stalled reader (3 x 8 MB asked, nothing read)');
  await ctx.sleep(config.deadlines.socketCut);
  if (ctx.stopping) return;
  const state = await ctx.queryServer({ type: 'connection', port });
  conn.drop('reset');
  if (state.open) {
    throw new SoakError(
      'not-cut',
      `a reader that stopped reading is still connected ${state.lifetimeMs} ms after connecting (server.timeout ${config.server.socketTimeout} ms, deadline ${config.deadlines.socketCut} ms)`,
    );
  }
  if (!state.known) throw new SoakError('harness', `the server never saw a connection from port ${port}`);
  // Cut before server.timeout: another timeout (keep-alive, say) ran while the response was
  // still leaving.
  if (state.lifetimeMs < config.server.socketTimeout - 200) {
    throw new SoakError('early-cut', `a reader that stopped reading mid-response was cut ${state.lifetimeMs} ms after connecting, before server.timeout (${config.server.socketTimeout} ms)`);
  }
  ctx.stats.expected('stalled-reader', 'cut by server.timeout');
  ctx.stats.range('stalled-reader', 'cut after ms', state.lifetimeMs);
}

module.exports = [
  { name: 'slow-reader', actors: config.actors.slowReader, pauseMs: 50, once: slowReaderOnce },
  { name: 'stalled-reader', actors: config.actors.stalledReader, pauseMs: 100, once: stalledReaderOnce },
];
