'use strict';
// Handlers that misbehave in time or in code.
//  - late: the handler answers from a timer (0–1500 ms) on a keep-alive connection; the answer
//    must be whole and not come before its timer.
//  - throwing: the handler throws. The server process has an 'uncaughtException' listener, so it
//    lives on; the connection has no answer coming and must not be left hanging: it must be
//    closed (at the latest by requestTimeout, which is what node:http does: 408) and never
//    answered 2xx.
const http = require('node:http');

const config = require('../config');
const { exchange } = require('../http-client');
const { pattern, freshSeed } = require('../pattern');
const { between } = require('../random');
const { RawConnection } = require('../raw-connection');
const { SoakError } = require('../verify');

async function lateOnce(ctx, actor) {
  if (!actor.agent) actor.agent = ctx.trackAgent(new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const ms = between(0, 1500);
  const length = between(0, 100000);
  const seed = freshSeed();
  const path = `/late?ms=${ms}&n=${length}&seed=${seed}`;
  const answer = await exchange(ctx, { label: `GET ${path}`, path, agent: actor.agent, body: pattern(seed, length) });
  if (answer.ms < ms - 5) throw new SoakError('early', `GET ${path} answered after ${answer.ms} ms, before its ${ms} ms timer`);
  ctx.stats.verified('late', length);
  ctx.stats.range('late', 'answer lateness past the timer (ms)', answer.ms - ms);
}

async function throwingOnce(ctx) {
  const conn = await RawConnection.open(ctx, 'throwing');
  conn.write('GET /throw HTTP/1.1\r\nHost: soak\r\n\r\n');
  ctx.stats.fault('handler throws');
  const { ms, statuses } = await conn.awaitCut(config.deadlines.requestCut, `connection whose handler threw (requestTimeout ${config.server.requestTimeout} ms)`);
  if (statuses.some((status) => status < 400)) {
    throw new SoakError('status', `a request whose handler threw was answered ${statuses.join(', ')}`);
  }
  ctx.stats.expected('throwing', statuses.length > 0 ? `closed with ${statuses.join(', ')}` : 'closed without a response');
  ctx.stats.range('throwing', 'closed after ms', ms);
}

module.exports = [
  { name: 'late', actors: config.actors.late, pauseMs: 20, once: lateOnce },
  { name: 'throwing', actors: config.actors.throwing, pauseMs: 500, once: throwingOnce },
];
