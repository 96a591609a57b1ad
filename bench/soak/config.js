'use strict';
// Every number the soak depends on, in one place: the server's timeouts, how many actors each
// scenario runs, the deadlines clients hold the server to, and the pass rule's limits.

const MB = 1024 * 1024;

function integerFromEnv(name, fallback, minimum) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`${name} must be an integer >= ${minimum} (got ${JSON.stringify(text)})`);
  }
  return value;
}

// The server's timeouts, shorter than Node's defaults (headersTimeout 60 s, requestTimeout 300 s,
// keepAliveTimeout 5 s, server.timeout 0, checking every 30 s) so that every abusive client is
// cut within a run of a minute, and so the clients can tell a cut from a hang.
const server = {
  headersTimeout: 3000,
  requestTimeout: 6000,
  keepAliveTimeout: 3000,
  connectionsCheckingInterval: 500,
  // server.setTimeout: the inactivity limit that ends a connection whose reader stopped reading.
  // Longer than every other cut's deadline, so that it cannot stand in for a missing one.
  socketTimeout: 10000,
};

// Node closes an idle keep-alive connection this long after keepAliveTimeout (its
// HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER); uvhttp does the same.
const KEEP_ALIVE_BUFFER = 1000;
// What a server may take past a timeout before the cut counts as missing: its checking interval
// (Node's connection sweep; uvhttp sweeps every 250 ms) plus scheduling on a busy 2-core machine.
const CUT_SLACK = server.connectionsCheckingInterval + 2500;

// How long after its output drained a keep-alive connection may be closed as idle, less what the
// server's clock can lag behind its own timer on a busy machine (the drain is stamped in JS).
const keepAliveIdleMs = server.keepAliveTimeout + KEEP_ALIVE_BUFFER - 500;

const deadlines = {
  // Any ordinary exchange (a request and its verified response).
  exchange: 15000,
  // A slow reader of the 8 MB body (paced at about 1.6 MB/s: ~5 s when nothing is wrong).
  slowDownload: 40000,
  headersCut: server.headersTimeout + CUT_SLACK,
  requestCut: server.requestTimeout + CUT_SLACK,
  // node:http lets a socket timeout that fires while a write is in progress pass once (net's
  // _onTimeout re-arms it if the write queue changed since the write began), so a stalled reader
  // is cut after one to two timeouts.
  socketCut: 2 * server.socketTimeout + CUT_SLACK,
  keepAliveCut: server.keepAliveTimeout + KEEP_ALIVE_BUFFER + CUT_SLACK,
  // A malformed request must be answered (4xx) or closed within this.
  badInput: 5000,
};

// Concurrent actors per scenario: bounded, and modest, because the machine has two cores shared
// with other work and the point is correctness under abuse, not throughput.
const actors = {
  keepAlive: 4,
  connectionClose: 2,
  pipeline: 2,
  flood: 1,
  upload: 2,
  slowReader: 3,
  stalledReader: 1,
  reset: 2,
  slowloris: 2,
  silent: 2,
  slowBody: 1,
  upgrade: 1,
  late: 2,
  throwing: 1,
  malformed: 1,
};

const seconds = integerFromEnv('SOAK_SECONDS', 600, 10);

module.exports = {
  MB,
  impl: process.env.SOAK_IMPL || 'uvhttp',
  only: process.env.SOAK_ONLY ? process.env.SOAK_ONLY.split(',').map((name) => name.trim()) : null,
  seconds,
  // RSS samples before this are warm-up; the band is measured from the highest of them.
  // node:http's RSS takes about 30 s of this load to level off; a run shorter than a minute
  // gives half of itself to warm-up.
  warmupSeconds: Math.min(60, Math.max(30, Math.round(seconds * 0.25)), Math.floor(seconds / 2)),
  sampleMs: integerFromEnv('SOAK_SAMPLE_MS', 2000, 100),
  // Pass rule: RSS after warm-up never more than this above the highest warm-up sample.
  rssBandMB: integerFromEnv('SOAK_RSS_BAND_MB', 48, 1),
  // The flood scenario's limit: how much the server's RSS may grow while one client holds 8192
  // pipelined requests (128 MiB of answers) unread.
  floodGrowthLimitMB: integerFromEnv('SOAK_FLOOD_LIMIT_MB', 48, 1),
  // After the stop, every actor must have returned within this (a hang otherwise).
  actorStopMs: integerFromEnv('SOAK_ACTOR_STOP_MS', 10000, 1000),
  // After the last client is gone, the server's descriptors must be back to the baseline
  // within this.
  fdSettleMs: 10000,
  server,
  keepAliveIdleMs,
  deadlines,
  actors,
  // The shared cached body (the same Buffer to every reader) and its seed.
  bigBytes: 8 * MB,
  bigSeed: 0x5eed,
  // A slow reader takes this many bytes per pause.
  slowReadSlice: 64 * 1024,
  slowReadPauseMs: 40,
};
