'use strict';
// Exchanges through Node's own client (node:http; uvhttp has no client yet), for the scenarios
// that want an ordinary peer: keep-alive pools, Connection: close, uploads, late handlers. The
// response body is checked byte for byte as it arrives.
const http = require('node:http');

const config = require('./config');
const { BodyCheck, SoakError } = require('./verify');

// Node's client errors, by the kind the report counts them under.
function kindOf(error) {
  if (error instanceof SoakError) return error.kind;
  if (error.code === 'ECONNRESET' && error.message === 'socket hang up') return 'closed';
  if (error.code === 'ECONNRESET') return 'reset';
  if (typeof error.code === 'string' && error.code.startsWith('HPE_')) return 'bad-response';
  return error.code || 'client-error';
}

// spec: { label, method, path, headers, agent, parts (Buffers written one by one), status
// (default 200), body (Buffer: checked byte for byte), collect (keep the body), deadlineMs }.
// Resolves with { res, body, ms }.
function exchange(ctx, spec) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let settled = false;
    let received = 0;
    const fail = (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(error instanceof SoakError ? error : new SoakError(kindOf(error), `${spec.label}: ${error.code || ''} ${error.message} after ${received} body bytes, ${Date.now() - started} ms`));
    };
    const req = http.request({
      host: '127.0.0.1',
      port: ctx.port,
      method: spec.method || 'GET',
      path: spec.path,
      headers: spec.headers,
      agent: spec.agent,
    });
    const deadline = spec.deadlineMs ?? config.deadlines.exchange;
    const timer = setTimeout(() => fail(new SoakError('hang', `${spec.label}: no complete response within ${deadline} ms (${received} body bytes)`)), deadline);
    req.on('socket', (socket) => ctx.track(socket));
    req.on('error', fail);
    req.on('response', (res) => {
      const status = spec.status ?? 200;
      if (res.statusCode !== status) {
        fail(new SoakError('status', `${spec.label}: status ${res.statusCode}, expected ${status}`));
        return;
      }
      const check = spec.body ? new BodyCheck(spec.body, spec.label) : null;
      const chunks = spec.collect ? [] : null;
      res.on('data', (chunk) => {
        received += chunk.length;
        try {
          if (check) check.take(chunk);
        } catch (error) {
          fail(error);
          return;
        }
        if (chunks) chunks.push(chunk);
      });
      res.on('aborted', () => fail(new SoakError('truncated', `${spec.label}: response aborted after ${received} body bytes`)));
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        try {
          if (check) check.finish();
        } catch (error) {
          fail(error);
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve({ res, body: chunks ? Buffer.concat(chunks) : null, ms: Date.now() - started });
      });
    });
    for (const part of spec.parts || []) req.write(part);
    req.end();
  });
}

module.exports = { exchange };
