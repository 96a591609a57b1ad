'use strict';
// Uploads through Node's client, alternating chunked (no Content-Length, so Node's client frames
// each write as a chunk) and Content-Length bodies, written in pieces of random size. The server
// answers the length and SHA-256 of what its handler read; both must be those of what was sent.
const crypto = require('crypto');
const http = require('node:http');

const config = require('../config');
const { exchange } = require('../http-client');
const { pattern, freshSeed } = require('../pattern');
const { pick, split } = require('../random');
const { SoakError } = require('../verify');

const SIZES = [0, 1, 1000, 65536, 300000, 1048576];

async function uploadOnce(ctx, actor) {
  if (!actor.agent) actor.agent = ctx.trackAgent(new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const chunked = actor.round % 2 === 0;
  const length = pick(SIZES);
  const body = pattern(freshSeed(), length);
  const sha256 = crypto.createHash('sha256').update(body).digest('hex');
  const label = `POST /upload (${chunked ? 'chunked' : 'Content-Length'}, ${length} bytes)`;
  const { body: answer } = await exchange(ctx, {
    label,
    method: 'POST',
    path: '/upload',
    agent: actor.agent,
    headers: chunked ? {} : { 'Content-Length': length },
    parts: split(body, 65536),
    collect: true,
  });
  let reported;
  try {
    reported = JSON.parse(answer.toString('utf8'));
  } catch {
    throw new SoakError('mismatch', `${label}: answer is not JSON: ${JSON.stringify(answer.toString('latin1').slice(0, 80))}`);
  }
  if (reported.length !== length || reported.sha256 !== sha256) {
    throw new SoakError('mismatch', `${label}: the handler read ${reported.length} bytes with SHA-256 ${reported.sha256}; sent ${length} with ${sha256}`);
  }
  ctx.stats.verified('upload', length, chunked ? 'chunked' : 'content-length');
}

module.exports = [{ name: 'upload', actors: config.actors.upload, pauseMs: 20, once: uploadOnce }];
