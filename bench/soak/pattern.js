'use strict';
// Seeded pseudo-random bytes that server and clients compute alike, so a client can check every
// byte of a body it asked for (or sent) without the bytes travelling twice. xorshift32: cheap,
// and two seeds give different bytes from the first word on, so a body that arrives in the
// place of another (a pipelined answer out of order) never matches by accident.
const config = require('./config');

function pattern(seed, length) {
  const words = new Uint32Array(Math.ceil(length / 4));
  // The state must not be 0 (xorshift would stay 0); mix the seed so small seeds differ at once.
  let x = (Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x6d2b79f5) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return Buffer.from(words.buffer, 0, length);
}

// The cached big body (/big): the same Buffer for every request in the server, computed once
// in the clients.
let big = null;
function bigBody() {
  if (big === null) big = pattern(config.bigSeed, config.bigBytes);
  return big;
}

// A seed no two requests of one run share (within 2^32 requests).
let nextSeed = (Date.now() & 0xffff) << 16;
function freshSeed() {
  nextSeed = (nextSeed + 1) >>> 0;
  return nextSeed;
}

module.exports = { pattern, bigBody, freshSeed };
