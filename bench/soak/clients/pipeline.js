'use strict';
// Pipelining on raw sockets.
//  - pipeline: bursts of 16–64 requests in one write, each asking for a differently seeded body,
//    so every answer is checked byte for byte and in order (RFC 9112 §9.3.2: responses in the
//    order of the requests); the last request of a connection says Connection: close, and the
//    server must then close.
//  - flood: a client writes 8192 pipelined requests for 16 KiB each and reads nothing for 1.5 s.
//    A server that keeps reading would hold 128 MiB of answers for it; one with backpressure
//    stops reading once its output backs up (node:http answers the requests of the read in hand,
//    up to 64 KiB of them, ~1,100 here or ~18 MiB, before its pause takes effect). Then the
//    client reads every answer and checks it in order. The server's RSS growth during the hold
//    is the measure. The hold stays well under headersTimeout: node:http's head clock keeps
//    running while it has stopped reading, so a client that pauses longer than headersTimeout
//    has its connection cut mid-answer (docs/RELIABILITY.md, "node:http's own weaknesses").
const config = require('../config');
const { pattern, freshSeed } = require('../pattern');
const { between, pick } = require('../random');
const { RawConnection } = require('../raw-connection');
const { SoakError } = require('../verify');

const SIZES = [0, 10, 500, 4096, 20000];

function request(path, close) {
  return `GET ${path} HTTP/1.1\r\nHost: soak\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
}

async function pipelineOnce(ctx) {
  const conn = await RawConnection.open(ctx, 'pipeline');
  const bursts = between(2, 8);
  for (let burst = 0; burst < bursts; burst++) {
    const count = between(16, 64);
    const last = burst === bursts - 1;
    let text = '';
    const answers = [];
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const length = pick(SIZES);
      const seed = freshSeed();
      const path = `/bytes/${length}?seed=${seed}${Math.random() < 0.3 ? '&chunked=1' : ''}`;
      const close = last && i === count - 1;
      text += request(path, close);
      bytes += length;
      answers.push(conn.expect({ label: `burst ${burst + 1}/${bursts}, request ${i + 1}/${count}: GET ${path}`, body: pattern(seed, length) }));
    }
    conn.write(text);
    await Promise.all(answers);
    ctx.stats.verified('pipeline', bytes);
    ctx.stats.range('pipeline', 'burst size', count);
  }
  await conn.awaitCut(config.deadlines.exchange, 'connection after a Connection: close request');
}

const FLOOD_REQUESTS = 8192;
const FLOOD_BODY = 16 * 1024;
const FLOOD_HOLD_MS = 1500;

async function floodOnce(ctx, actor) {
  // Growth is measured on a server that has warmed up a while, and the first flood still falls
  // in the warm-up, so the warm-up's RSS includes what a flood costs.
  if (actor.round === 0) await ctx.sleep((config.warmupSeconds * 1000) / 2 - ctx.elapsedMs());
  if (ctx.stopping) return;
  const conn = await RawConnection.open(ctx, 'flood');
  conn.stall();
  const before = ctx.serverRssMB();
  const seeds = [];
  const answers = [];
  for (let i = 0; i < FLOOD_REQUESTS; i += 64) {
    let text = '';
    for (let j = i; j < i + 64; j++) {
      const seed = freshSeed();
      seeds.push(seed);
      const path = `/bytes/${FLOOD_BODY}?seed=${seed}`;
      text += request(path, j === FLOOD_REQUESTS - 1);
      // The body due is made when its head arrives, so the client holds one at a time.
      answers.push(conn.expect({ label: `flood request ${j + 1}/${FLOOD_REQUESTS}: GET ${path}`, body: () => pattern(seed, FLOOD_BODY), deadlineMs: 60000 }));
    }
    conn.write(text);
  }
  ctx.stats.fault(`flood: ${FLOOD_REQUESTS} pipelined requests, unread for ${FLOOD_HOLD_MS / 1000} s`);
  await ctx.sleep(FLOOD_HOLD_MS);
  const held = ctx.serverRssMB();
  conn.socket.resume();
  await Promise.all(answers);
  ctx.stats.verified('flood', FLOOD_REQUESTS * FLOOD_BODY);
  const growth = held - before;
  ctx.stats.range('flood', 'server RSS growth while unread (MB)', growth);
  if (growth > config.floodGrowthLimitMB) {
    throw new SoakError(
      'memory',
      `server RSS grew ${growth.toFixed(1)} MB (${before.toFixed(1)} -> ${held.toFixed(1)}) while one client held ${FLOOD_REQUESTS} pipelined requests unread (their answers: ${(FLOOD_REQUESTS * FLOOD_BODY) / config.MB} MB); limit ${config.floodGrowthLimitMB} MB`,
    );
  }
  await conn.awaitCut(config.deadlines.exchange, 'flood connection after its Connection: close request');
}

module.exports = [
  { name: 'pipeline', actors: config.actors.pipeline, pauseMs: 250, once: pipelineOnce },
  { name: 'flood', actors: config.actors.flood, pauseMs: 10000, once: floodOnce },
];
