'use strict';
// Large bodies to clients that read slowly.
//  - slow-reader: the cached 8 MB Buffer (the same object for every reader) or a 2 MB body made
//    for the request, read in paced slices (~1.6 MB/s, so a download outlasts keepAliveTimeout),
//    checked byte for byte; then one more request on the same keep-alive connection. It must be
//    answered unless the connection had been idle, by the server's account, for the keep-alive
//    timeout: the kernel holds megabytes of a response on loopback, so the server's output
//    drains (and the keep-alive clock starts, on Node as on uvhttp) seconds before a slow reader
//    has read it, and a server cannot see the peer's reading. Closed so, the request is asked
//    again on a new connection; closed any earlier, it is a cut that must not happen.
//  - stalled-reader: asks for the 8 MB body three times pipelined and stops reading. The output
//    the server holds for it stops moving, so server.timeout (inactivity) must end the
//    connection (not before: no other timeout applies while a response is leaving); the server
//    process is asked whether it did, and when.
const config = require('../config');
const { bigBody, pattern, freshSeed } = require('../pattern');
const { RawConnection } = require('../raw-connection');
const { SoakError } = require('../verify');

const PER_REQUEST_BYTES = 2 * config.MB;

// The request that follows a slow download: 1000 bytes of pattern(seed).
function smallRequest(seed) {
  return `GET /bytes/1000?seed=${seed} HTTP/1.1\r\nHost: soak\r\n\r\n`;
}

async function slowReaderOnce(ctx, actor) {
  const conn = await RawConnection.open(ctx, 'slow-reader');
  const port = conn.localPort;
  await ctx.queryServer({ type: 'watch', port });
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
  const label = `GET /bytes/1000 on the keep-alive connection after a ${ms} ms slow download of ${path}`;
  // Expected before anything is awaited, so that a close meanwhile counts against it.
  const next = conn.expect({ label, body: pattern(nextSeed, 1000) });
  // When the download's output drained, asked before the next response can restamp it.
  const { drainedAt } = await ctx.queryServer({ type: 'drained', port });
  const sentAt = Date.now();
  conn.write(smallRequest(nextSeed));
  const closedBy = await next.then(
    () => null,
    (error) => {
      if (error instanceof SoakError && (error.kind === 'closed' || error.kind === 'reset')) return error;
      throw error;
    },
  );
  const state = await ctx.queryServer({ type: 'connection', port });
  if (!state.known || drainedAt === 0) throw new SoakError('harness', `${label}: the server has no drain time for the connection from port ${port}`);
  const idleMs = sentAt - drainedAt;
  const closedAfterMs = state.closedAt - drainedAt;
  if (closedBy === null) {
    ctx.stats.verified('slow-reader', 1000, 'request after a slow download');
    ctx.stats.range('slow-reader', 'idle ms before the next request, answered', idleMs);
    conn.drop('close');
    return;
  }
  if (idleMs < config.keepAliveIdleMs || (state.closedAt !== 0 && closedAfterMs < config.keepAliveIdleMs)) {
    throw new SoakError('early-cut', `${closedBy.detail}: the output had drained only ${idleMs} ms before the request (closed ${closedAfterMs} ms after it; keep-alive ${config.server.keepAliveTimeout} ms)`);
  }
  ctx.stats.expected('slow-reader', 'keep-alive timeout while the kernel still held the response; asked again on a new connection');
  ctx.stats.range('slow-reader', 'idle ms before the next request, closed', idleMs);
  const again = await RawConnection.open(ctx, 'slow-reader');
  const answer = again.expect({ label: `GET /bytes/1000 on a new connection after a ${ms} ms slow download of ${path}`, body: pattern(nextSeed, 1000) });
  again.write(smallRequest(nextSeed));
  await answer;
  ctx.stats.verified('slow-reader', 1000, 'request after a slow download, on a new connection');
  again.drop('close');
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
