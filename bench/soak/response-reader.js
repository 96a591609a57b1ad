'use strict';
// A strict, incremental reader of HTTP/1.1 responses from raw socket bytes, for the clients that
// speak to the server without node:http (pipelined bursts, upgrades, resets, malformed input).
// Bytes split anywhere give the same responses; body bytes are handed on as they arrive, so an
// 8 MB body is checked without being held.
//
// RFC 9112 §6.3 decides each body's length: 1xx, 204 and 304 have none; `Transfer-Encoding:
// chunked` is read as chunks; otherwise `Content-Length`; otherwise the body runs to the close.

const { SoakError } = require('./verify');

const MAX_HEAD = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

class ResponseReader {
  // handlers: onHead(response), onBody(response, chunk), onEnd(response), and
  // onUpgrade(response, rest) for a 101 (the reader stops there; rest is what followed the head).
  constructor(handlers) {
    this.handlers = handlers;
    this.state = 'head';
    this.pending = Buffer.alloc(0);
    this.response = null;
    this.remaining = 0;
    this.bytesIn = 0;
    this.done = false;
  }

  // The response being read, or null between responses.
  get current() {
    return this.response;
  }

  // True when the stream stopped exactly between two responses.
  get atBoundary() {
    return this.state === 'head' && this.pending.length === 0;
  }

  feed(chunk) {
    if (this.done) return;
    this.bytesIn += chunk.length;
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0 && !this.done) data = this.step(data);
  }

  // The peer closed. Throws if a response was cut short.
  end() {
    if (this.done) return;
    if (this.state === 'untilClose') {
      this.finish();
      return;
    }
    if (!this.atBoundary) {
      const response = this.response;
      const where = response
        ? `${this.state} of a ${response.status} response after ${response.bodyBytes} body bytes` +
          (this.state === 'body' ? ` (${this.remaining} still due)` : '')
        : `head, ${this.pending.length} bytes of it`;
      throw new SoakError('truncated', `connection closed in the ${where}`);
    }
  }

  // Consumes what it can of data; returns the rest.
  step(data) {
    switch (this.state) {
      case 'head':
        return this.readHead(data);
      case 'body': {
        const take = Math.min(this.remaining, data.length);
        this.body(data.subarray(0, take));
        this.remaining -= take;
        if (this.remaining === 0) this.finish();
        return data.subarray(take);
      }
      case 'untilClose':
        this.body(data);
        return data.subarray(data.length);
      case 'chunkSize':
        return this.readChunkSize(data);
      case 'chunkData': {
        const take = Math.min(this.remaining, data.length);
        this.body(data.subarray(0, take));
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'chunkEnd';
        return data.subarray(take);
      }
      case 'chunkEnd':
        return this.readLine(data, (line) => {
          if (line.length !== 0) throw new SoakError('bad-response', 'chunk data not followed by CRLF');
          this.state = 'chunkSize';
        });
      case 'trailers':
        return this.readLine(data, (line) => {
          if (line.length === 0) this.finish();
        });
      default:
        throw new Error(`reader in unknown state ${this.state}`);
    }
  }

  readLine(data, onLine) {
    const end = data.indexOf(CRLF);
    if (end < 0) {
      if (data.length > MAX_HEAD) throw new SoakError('bad-response', 'line over 64 KiB');
      this.pending = Buffer.from(data);
      return data.subarray(data.length);
    }
    onLine(data.subarray(0, end));
    return data.subarray(end + 2);
  }

  readChunkSize(data) {
    return this.readLine(data, (line) => {
      const text = line.toString('latin1');
      const match = /^([0-9A-Fa-f]{1,15})(;.*)?$/.exec(text);
      if (!match) throw new SoakError('bad-response', `bad chunk size line ${JSON.stringify(text.slice(0, 40))}`);
      const size = parseInt(match[1], 16);
      if (size === 0) {
        this.state = 'trailers';
      } else {
        this.state = 'chunkData';
        this.remaining = size;
      }
    });
  }

  readHead(data) {
    const end = data.indexOf(HEAD_END);
    if (end < 0) {
      if (data.length > MAX_HEAD) throw new SoakError('bad-response', 'response head over 64 KiB');
      this.pending = Buffer.from(data);
      return data.subarray(data.length);
    }
    const lines = data.subarray(0, end).toString('latin1').split('\r\n');
    const statusLine = /^HTTP\/1\.([01]) ([1-9][0-9]{2}) ?(.*)$/.exec(lines[0]);
    if (!statusLine) throw new SoakError('bad-response', `bad status line ${JSON.stringify(lines[0].slice(0, 60))}`);
    const headers = {};
    for (let i = 1; i < lines.length; i++) {
      const field = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(lines[i]);
      if (!field) throw new SoakError('bad-response', `bad header line ${JSON.stringify(lines[i].slice(0, 60))}`);
      const name = field[1].toLowerCase();
      headers[name] = headers[name] === undefined ? field[2] : `${headers[name]}, ${field[2]}`;
    }
    const status = Number(statusLine[2]);
    this.response = { status, reason: statusLine[3], minor: Number(statusLine[1]), headers, bodyBytes: 0 };
    this.handlers.onHead(this.response);
    const rest = data.subarray(end + 4);
    if (status === 101) {
      this.done = true;
      this.handlers.onUpgrade(this.response, rest);
      return rest.subarray(rest.length);
    }
    if (status < 200 || status === 204 || status === 304) {
      this.finish();
      return rest;
    }
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (te !== undefined) {
      if (te.toLowerCase() !== 'chunked') throw new SoakError('bad-response', `transfer-encoding ${te}`);
      if (cl !== undefined) throw new SoakError('bad-response', 'both Content-Length and Transfer-Encoding');
      this.state = 'chunkSize';
    } else if (cl !== undefined) {
      if (!/^[0-9]{1,15}$/.test(cl)) throw new SoakError('bad-response', `content-length ${cl}`);
      this.remaining = Number(cl);
      this.state = 'body';
      if (this.remaining === 0) this.finish();
    } else {
      this.state = 'untilClose';
    }
    return rest;
  }

  body(chunk) {
    if (chunk.length === 0) return;
    this.response.bodyBytes += chunk.length;
    this.handlers.onBody(this.response, chunk);
  }

  finish() {
    const response = this.response;
    this.response = null;
    this.state = 'head';
    this.handlers.onEnd(response);
  }
}

module.exports = { ResponseReader };
