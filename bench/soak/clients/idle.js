'use strict';
// Clients that hold a connection without finishing a request. Each must be cut by the server's
// timeouts (with a 408 or a bare close), not before the timeout and not much after it:
//  - slowloris: a request head dripped one byte every 300 ms, never finished (headersTimeout);
//  - silent: connects and sends nothing (headersTimeout: the head has not started, which is the
//    longest a head can take);
//  - slow-body: a complete head, then a Content-Length body dripped 10 bytes every 300 ms
//    (requestTimeout).
const config = require('../config');
const { RawConnection } = require('../raw-connection');
const { SoakError } = require('../verify');

const DRIP_MS = 300;

// Writes `step` bytes of `bytes` every DRIP_MS until the connection closes.
function drip(conn, bytes, step) {
  let offset = 0;
  const timer = setInterval(() => {
    if (conn.socket.destroyed || offset >= bytes.length) {
      clearInterval(timer);
      return;
    }
    conn.write(bytes.subarray(offset, offset + step));
    offset += step;
  }, DRIP_MS);
  conn.socket.once('close', () => clearInterval(timer));
}

const SLOW_HEADER = Buffer.from('X-Slow: ' + 'a'.repeat(100000));
const SLOW_BODY = Buffer.alloc(100000, 'b');

// Waits for the cut and judges it: within [timeout, deadline], answered with 408 or nothing.
async function expectCut(ctx, scenario, conn, timeoutName) {
  const timeout = config.server[timeoutName];
  const deadline = timeoutName === 'headersTimeout' ? config.deadlines.headersCut : config.deadlines.requestCut;
  const { ms, statuses } = await conn.awaitCut(deadline, `${scenario} connection (${timeoutName} ${timeout} ms)`);
  if (statuses.some((status) => status !== 408)) {
    throw new SoakError('status', `${scenario}: cut with status ${statuses.join(', ')} after ${ms} ms (expected 408 or nothing)`);
  }
  // A little margin under the timeout: the client's clock starts at its connect, the server's at
  // its accept, and timers are coarse.
  if (ms < timeout - 200) throw new SoakError('early-cut', `${scenario}: cut after ${ms} ms, before ${timeoutName} (${timeout} ms)`);
  ctx.stats.expected(scenario, statuses.length > 0 ? `cut by ${timeoutName} with 408` : `cut by ${timeoutName} without a response`);
  ctx.stats.range(scenario, 'cut after ms', ms);
}

module.exports = [
  {
    name: 'slowloris',
    actors: config.actors.slowloris,
    pauseMs: 10,
    async once(ctx) {
      const conn = await RawConnection.open(ctx, 'slowloris');
      ctx.stats.fault('slowloris (a header byte every 300 ms)');
      conn.write('GET /bytes/10 HTTP/1.1\r\nHost: soak\r\n');
      drip(conn, SLOW_HEADER, 1);
      await expectCut(ctx, 'slowloris', conn, 'headersTimeout');
    },
  },
  {
    name: 'silent',
    actors: config.actors.silent,
    pauseMs: 10,
    async once(ctx) {
      const conn = await RawConnection.open(ctx, 'silent');
      ctx.stats.fault('silent connection (sends nothing)');
      await expectCut(ctx, 'silent', conn, 'headersTimeout');
    },
  },
  {
    name: 'slow-body',
    actors: config.actors.slowBody,
    pauseMs: 10,
    async once(ctx) {
      const conn = await RawConnection.open(ctx, 'slow-body');
      ctx.stats.fault('slow body (10 bytes every 300 ms)');
      conn.write(`POST /upload HTTP/1.1\r\nHost: soak\r\nContent-Length: ${SLOW_BODY.length}\r\n\r\n`);
      drip(conn, SLOW_BODY, 10);
      await expectCut(ctx, 'slow-body', conn, 'requestTimeout');
    },
  },
];
