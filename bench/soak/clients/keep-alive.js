'use strict';
// Ordinary traffic through Node's client: keep-alive loops (one pooled connection per actor,
// reused request after request) and Connection: close loops (a new connection per request).
// Bodies of many sizes, with Content-Length or chunked, each checked byte for byte.
const http = require('node:http');

const config = require('../config');
const { exchange } = require('../http-client');
const { pattern, freshSeed } = require('../pattern');
const { pick } = require('../random');
const { SoakError } = require('../verify');

const SIZES = [0, 1, 100, 1000, 4096, 16384, 65536, 200000];

function bytesPath(length, seed, chunked) {
  return `/bytes/${length}?seed=${seed}${chunked ? '&chunked=1' : ''}`;
}

async function getBytes(ctx, agent, headers) {
  const length = pick(SIZES);
  const seed = freshSeed();
  const chunked = Math.random() < 0.3;
  const path = bytesPath(length, seed, chunked);
  const { res } = await exchange(ctx, { label: `GET ${path}`, path, agent, headers, body: pattern(seed, length) });
  return { res, length };
}

module.exports = [
  {
    name: 'keep-alive',
    actors: config.actors.keepAlive,
    pauseMs: 10,
    async once(ctx, actor) {
      if (!actor.agent) actor.agent = ctx.trackAgent(new http.Agent({ keepAlive: true, maxSockets: 1 }));
      const { length } = await getBytes(ctx, actor.agent);
      ctx.stats.verified('keep-alive', length);
    },
  },
  {
    name: 'connection-close',
    actors: config.actors.connectionClose,
    pauseMs: 20,
    async once(ctx) {
      const { res, length } = await getBytes(ctx, false, { Connection: 'close' });
      if (res.headers.connection !== 'close') {
        throw new SoakError('framing', `Connection: close request answered with Connection: ${res.headers.connection}`);
      }
      ctx.stats.verified('connection-close', length);
    },
  },
];
