'use strict';
// Upgrades that are used and then dropped. The server's 'upgrade' listener answers 101 and
// echoes every byte; the client sends a seeded payload in pieces, checks the echo byte for byte,
// then walks away (RST or close). Variants: a plain upgrade; one whose first payload bytes ride
// in the same write as the head (the server gets them as `head`); and one pipelined behind a
// request for the 8 MB body, read only after a pause, so that at the upgrade most of that
// response is still waiting in the server: it must arrive whole, then the 101.
const config = require('../config');
const { bigBody, pattern, freshSeed } = require('../pattern');
const { between, pick, split } = require('../random');
const { RawConnection } = require('../raw-connection');
const { BodyCheck, SoakError } = require('../verify');

const UPGRADE = 'GET /upgrade HTTP/1.1\r\nHost: soak\r\nConnection: Upgrade\r\nUpgrade: soak-echo\r\n\r\n';
const VARIANTS = ['plain', 'payload with the head', 'behind a pipelined response'];
const BEHIND_PAUSE_MS = 300;

// Resolves once the whole payload has come back.
function echoed(conn, payload, rest, label) {
  const check = new BodyCheck(payload, label);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.drop('close');
      reject(new SoakError('hang', `${label}: ${check.offset} of ${payload.length} bytes echoed within ${config.deadlines.exchange} ms`));
    }, config.deadlines.exchange);
    const take = (chunk) => {
      try {
        check.take(chunk);
      } catch (error) {
        clearTimeout(timer);
        conn.drop('close');
        reject(error);
        return;
      }
      if (check.offset === payload.length) {
        clearTimeout(timer);
        resolve();
      }
    };
    conn.onRaw = take;
    conn.socket.once('close', () => {
      clearTimeout(timer);
      if (check.offset < payload.length) {
        reject(new SoakError('truncated', `${label}: connection closed after ${check.offset} of ${payload.length} echoed bytes`));
      }
    });
    if (rest.length > 0) take(rest);
  });
}

async function upgradeOnce(ctx, actor) {
  const variant = VARIANTS[actor.round % VARIANTS.length];
  const conn = await RawConnection.open(ctx, `upgrade (${variant})`);
  const payload = pattern(freshSeed(), between(1, 256 * 1024));
  const pieces = split(payload, 32 * 1024);
  const label = `upgrade (${variant}), ${payload.length} bytes echoed`;
  let text = UPGRADE;
  let before = null;
  if (variant === 'behind a pipelined response') {
    text = `GET /big HTTP/1.1\r\nHost: soak\r\n\r\n${UPGRADE}`;
    before = conn.expect({ label: 'GET /big pipelined before an upgrade', body: bigBody() });
    conn.stall();
    setTimeout(() => conn.socket.resume(), BEHIND_PAUSE_MS);
  }
  const switched = conn.expect({ label: `${label}: the 101`, status: 101 });
  const first = variant === 'payload with the head' ? pieces.shift() : null;
  conn.write(first ? Buffer.concat([Buffer.from(text, 'latin1'), first]) : text);
  if (before) await before;
  const { rest } = await switched;
  const done = echoed(conn, payload, rest, label);
  for (const piece of pieces) conn.write(piece);
  await done;
  const how = pick(['reset', 'close']);
  conn.drop(how);
  ctx.stats.verified('upgrade', payload.length + (before ? config.bigBytes : 0), variant);
  ctx.stats.fault(`upgrade used then dropped (${how === 'reset' ? 'RST' : 'close'})`);
}

module.exports = [{ name: 'upgrade', actors: config.actors.upgrade, pauseMs: 100, once: upgradeOnce }];
