'use strict';
// The clients' shared state and their loop. Each scenario runs a bounded number of actors; an
// actor repeats its scenario's `once` until the run's end. At the end every socket and agent
// the clients opened is destroyed, and what was in flight counts as "aborted at end", neither
// verified nor failed.
const { sampleProcess } = require('./monitor');
const { SoakError } = require('./verify');

class Context {
  constructor({ port, stats, queryServer, serverPid }) {
    this.port = port;
    this.serverPid = serverPid;
    this.stats = stats;
    // Asks the server process a question over IPC (e.g. whether a connection is still open).
    this.queryServer = queryServer;
    this.stopping = false;
    this.loadStart = Date.now();
    this.sockets = new Set();
    this.agents = new Set();
    this.sleepers = new Set();
  }

  track(socket) {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    if (this.sockets.has(socket)) return;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  beginLoad() {
    this.loadStart = Date.now();
    return this.loadStart;
  }

  // Milliseconds since the load began.
  elapsedMs() {
    return Date.now() - this.loadStart;
  }

  trackAgent(agent) {
    this.agents.add(agent);
    return agent;
  }

  // Resolves after ms, or at once when the run stops.
  sleep(ms) {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = { resolve, timer: setTimeout(() => this.wake(sleeper), ms) };
      this.sleepers.add(sleeper);
    });
  }

  wake(sleeper) {
    clearTimeout(sleeper.timer);
    this.sleepers.delete(sleeper);
    sleeper.resolve();
  }

  stop() {
    this.stopping = true;
    for (const sleeper of [...this.sleepers]) this.wake(sleeper);
    for (const agent of this.agents) agent.destroy();
    for (const socket of this.sockets) socket.destroy();
  }

  serverRssMB() {
    const sample = sampleProcess(this.serverPid);
    return sample ? sample.rssMB : NaN;
  }

  get openSockets() {
    return this.sockets.size;
  }
}

async function runActor(ctx, scenario, index) {
  const actor = { index, round: 0 };
  while (!ctx.stopping) {
    try {
      await scenario.once(ctx, actor);
    } catch (error) {
      if (ctx.stopping) ctx.stats.expected(scenario.name, 'aborted at end');
      else if (error instanceof SoakError) ctx.stats.unexpected(scenario.name, error.kind, error.detail);
      else ctx.stats.unexpected(scenario.name, 'harness', String(error && error.stack));
    }
    actor.round++;
    await ctx.sleep(scenario.pauseMs || 0);
  }
}

module.exports = { Context, runActor };
