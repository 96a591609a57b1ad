'use strict';
// One raw TCP connection to the server, for clients that need the wire: pipelined requests,
// pacing, resets at a chosen byte, upgrades, malformed input. Responses are read by
// ResponseReader and matched in order to what the client expects; every body byte is checked as
// it arrives. Anything short, wrong, unasked for or late rejects every pending expectation with a
// SoakError and closes the connection.
const net = require('net');

const config = require('./config');
const { ResponseReader } = require('./response-reader');
const { BodyCheck, SoakError } = require('./verify');

class RawConnection {
  static open(ctx, label) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port: ctx.port, host: '127.0.0.1' });
      ctx.track(socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new SoakError('hang', `${label}: connect took over ${config.deadlines.exchange} ms`));
      }, config.deadlines.exchange);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new SoakError('connect', `${label}: ${error.code || error.message}`));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RawConnection(ctx, socket, label));
      });
    });
  }

  constructor(ctx, socket, label) {
    this.ctx = ctx;
    this.socket = socket;
    this.label = label;
    this.openedAt = Date.now();
    this.pending = [];
    this.failure = null;
    this.errorCode = null;
    this.abandoned = false;
    this.upgraded = false;
    // After a 101 the bytes are the upgraded protocol's: they go to onRaw.
    this.onRaw = null;
    // Called after each body chunk of the response being read (resets mid-response use it).
    this.onBodyProgress = null;
    // Statuses of responses that came with nothing expected, while waiting for a cut.
    this.cut = null;
    this.pacing = 0;
    this.reader = new ResponseReader({
      onHead: (response) => this.onHead(response),
      onBody: (response, chunk) => this.onBody(response, chunk),
      onEnd: (response) => this.onEnd(response),
      onUpgrade: (response, rest) => this.onUpgrade(response, rest),
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.onClose();
        resolve({ at: Date.now(), errorCode: this.errorCode });
      });
    });
    socket.on('error', (error) => {
      this.errorCode = error.code || error.message;
    });
    socket.on('data', (chunk) => this.onData(chunk));
  }

  write(data) {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  // Resolves with { response, body, ms } once the next response not yet matched is complete and
  // checked, or with null if the client dropped the connection first. spec: { label, status
  // (default 200), body (a Buffer checked byte for byte, or a function that makes it when the
  // head arrives), collect (keep the body), deadlineMs }.
  expect(spec) {
    const answer = new Promise((resolve, reject) => {
      if (this.failure) {
        reject(this.failure);
        return;
      }
      const entry = { spec, resolve, reject, check: null, chunks: spec.collect ? [] : null, sentAt: Date.now(), timer: null };
      const deadline = spec.deadlineMs ?? config.deadlines.exchange;
      entry.timer = setTimeout(() => {
        this.fail(new SoakError('hang', `${spec.label}: no complete response within ${deadline} ms (${this.progress()})`));
      }, deadline);
      this.pending.push(entry);
    });
    // A failure rejects every pending answer at once, before the client has come to await the
    // later ones: they count as handled here, and still reject where they are awaited.
    answer.catch(() => {});
    return answer;
  }

  // Resolves when the server closes the connection, with how long it took from the connection's
  // opening and the statuses of any responses it sent first; rejects with 'not-cut' if the
  // connection is still open after deadlineMs.
  awaitCut(deadlineMs, what) {
    this.cut = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new SoakError('not-cut', `${this.label}: ${what} still open ${Date.now() - this.openedAt} ms after connecting (deadline ${deadlineMs} ms)`);
        this.abandon();
        reject(error);
      }, deadlineMs);
      this.closed.then(({ at, errorCode }) => {
        clearTimeout(timer);
        // The run's end closed it, not the server.
        if (this.ctx.stopping) reject(new SoakError('aborted', `${this.label}: the run ended`));
        else if (this.failure) reject(this.failure);
        else resolve({ ms: at - this.openedAt, statuses: this.cut, errorCode });
      });
    });
  }

  // Read slowly: after each chunk, stop reading for pauseMs.
  pace(pauseMs) {
    this.pacing = pauseMs;
  }

  // Stop reading altogether (the kernel buffers fill, then the server's output backs up).
  stall() {
    this.pacing = 0;
    this.socket.pause();
  }

  // The client walks away: nothing pending is owed any more. 'reset' sends RST; 'close' is
  // destroy(): a FIN, or an RST if unread bytes were waiting.
  drop(how) {
    this.abandon();
    if (how === 'reset' && typeof this.socket.resetAndDestroy === 'function') this.socket.resetAndDestroy();
    else this.socket.destroy();
  }

  get localPort() {
    return this.socket.localPort;
  }

  abandon() {
    this.abandoned = true;
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve(null);
    }
    this.pending = [];
    this.socket.destroy();
  }

  progress() {
    const response = this.reader.current;
    const where = response
      ? `in the body of a ${response.status} response after ${response.bodyBytes} bytes`
      : this.reader.atBoundary
        ? 'between responses'
        : 'in a response head';
    return `${this.reader.bytesIn} bytes received, ${where}, ${Date.now() - this.openedAt} ms after connecting`;
  }

  fail(error) {
    if (this.abandoned) return;
    if (!this.failure) this.failure = error;
    for (const entry of this.pending) {
      clearTimeout(entry.timer);
      entry.reject(this.failure);
    }
    this.pending = [];
    this.socket.destroy();
  }

  onData(chunk) {
    if (this.abandoned) return;
    if (this.upgraded) {
      if (this.onRaw) this.onRaw(chunk);
    } else {
      try {
        this.reader.feed(chunk);
      } catch (error) {
        this.fail(asSoakError(error));
        return;
      }
    }
    if (this.pacing > 0 && !this.socket.destroyed) {
      this.socket.pause();
      setTimeout(() => {
        if (this.pacing > 0 && !this.socket.destroyed) this.socket.resume();
      }, this.pacing);
    }
  }

  onHead(response) {
    const entry = this.pending[0];
    if (entry === undefined) {
      if (this.cut !== null) {
        this.cut.push(response.status);
        return;
      }
      throw new SoakError('unsolicited', `${this.label}: a ${response.status} response nobody asked for (${this.progress()})`);
    }
    const status = entry.spec.status ?? 200;
    if (response.status !== status) {
      throw new SoakError('status', `${entry.spec.label}: status ${response.status} ${response.reason}, expected ${status}`);
    }
    const body = typeof entry.spec.body === 'function' ? entry.spec.body() : entry.spec.body;
    if (body) entry.check = new BodyCheck(body, entry.spec.label);
  }

  onBody(response, chunk) {
    const entry = this.pending[0];
    if (entry === undefined) return;
    if (entry.check) entry.check.take(chunk);
    if (entry.chunks) entry.chunks.push(chunk);
    if (this.onBodyProgress) this.onBodyProgress(response);
  }

  onEnd(response) {
    const entry = this.pending.shift();
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    if (entry.check) entry.check.finish();
    entry.resolve({ response, body: entry.chunks ? Buffer.concat(entry.chunks) : null, ms: Date.now() - entry.sentAt });
  }

  onUpgrade(response, rest) {
    const entry = this.pending.shift();
    this.upgraded = true;
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    entry.resolve({ response, rest, ms: Date.now() - entry.sentAt });
  }

  onClose() {
    if (this.abandoned || this.upgraded) return;
    try {
      this.reader.end();
    } catch (error) {
      const soakError = asSoakError(error);
      const label = this.pending.length > 0 ? `${this.pending[0].spec.label}: ` : '';
      const code = this.errorCode ? ` [${this.errorCode}]` : '';
      this.fail(new SoakError(soakError.kind, `${label}${soakError.detail}, ${Date.now() - this.openedAt} ms after connecting${code}`));
      return;
    }
    if (this.pending.length > 0) {
      const entry = this.pending[0];
      const kind = this.errorCode === 'ECONNRESET' ? 'reset' : 'closed';
      this.fail(
        new SoakError(kind, `${entry.spec.label}: connection ${kind === 'reset' ? 'reset' : 'closed'} by the server before the response (${this.progress()})`),
      );
    }
  }
}

function asSoakError(error) {
  return error instanceof SoakError ? error : new SoakError('harness', error.stack);
}

module.exports = { RawConnection };
