// Express 4 and 5 under `node -r uvhttp/register`, against the same app on node:http (the
// oracle): routing, serve-static and res.sendFile with ranges and conditional GETs, compression,
// multer uploads, error handlers. Each test runs one client scenario against both and compares
// every byte the client received (Date masked), how the connection ended, and the parsed
// responses (so a failure shows where they differ).
import { differential, headField, rawExchange, requestBytes, statuses, stopAllApps, ExchangeSummary } from '../helpers/interop';

jest.setTimeout(60000);
afterEach(stopAllApps);

const close: [string, string] = ['Connection', 'close'];

/** One request on its own connection, closed by the server after the answer. */
const one = (port: number, method: string, target: string, fields: Array<[string, string]> = [], body?: string | Buffer) =>
  rawExchange(port, requestBytes(method, target, [...fields, close], body), { methods: [method] });

function expectSame(result: { node: ExchangeSummary | ExchangeSummary[]; uvhttp: unknown }) {
  expect(result.uvhttp).toEqual(result.node);
}

// A multipart/form-data body with a fixed boundary: two fields and three files.
const BOUNDARY = '----uvhttpInteropBoundary7MA4YWxk';
function multipart(parts: Array<{ name: string; filename?: string; type?: string; data: string | Buffer }>): Buffer {
  const pieces: Buffer[] = [];
  for (const p of parts) {
    let head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    pieces.push(Buffer.from(`${head}\r\n`), Buffer.from(p.data), Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(pieces);
}
const binary = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff));

describe.each([
  ['Express 4', 'express4'],
  ['Express 5', 'express'],
])('%s', (_title, pkg) => {
  const run = <T>(scenario: Parameters<typeof differential<T>>[1]) => differential<T>('express.js', scenario, { args: [pkg] });

  test('routing: params, query, status, JSON, redirects, cookies, HEAD, 404, methods', async () => {
    const result = await run(async ({ port }) => [
      await one(port, 'GET', '/'),
      await one(port, 'GET', '/json?a=1&b=two&b=three'),
      await one(port, 'GET', '/users/42/books/7?x'),
      await one(port, 'HEAD', '/users/42/books/7'),
      await one(port, 'GET', '/redirect'),
      await one(port, 'GET', '/cookie'),
      await one(port, 'GET', '/nope'),
      await one(port, 'DELETE', '/method', [['Content-Type', 'text/plain']], 'x'),
      await one(port, 'OPTIONS', '/users/1/books/2'),
      await one(port, 'GET', '/write'),
      await one(port, 'GET', '/stream'),
    ]);
    // The oracle saw the app answer as the scenario means (not, say, a 404 for everything).
    expect(result.node[2].responses[0].head).toMatch(/^HTTP\/1.1 201 Created\r\n/);
    expect(result.node[6].responses[0].head).toMatch(/^HTTP\/1.1 404 Not Found\r\n/);
    expect(result.node[10].responses[0].body).toBe(`${64 * 16 * 1024} bytes, sha1 ${require('crypto').createHash('sha1').update(Buffer.alloc(64 * 16 * 1024, 'x')).digest('hex')}`);
    expectSame(result);
  });

  test('keep-alive: pipelined requests on one connection, answered in order', async () => {
    const send = Buffer.concat([
      requestBytes('GET', '/json?n=1'),
      requestBytes('GET', '/static/hello.txt'),
      requestBytes('POST', '/echo', [['Content-Type', 'text/plain']], 'echo me'),
      requestBytes('GET', '/nope'),
      requestBytes('GET', '/gz/big', [['Accept-Encoding', 'gzip']]),
    ]);
    const result = await run(({ port }) => rawExchange(port, send, { responses: 5, graceMs: 300 }));
    expect(statuses(result.node)).toBe('200,200,200,404,200');
    expect(result.node.closed).toBe(false);
    expectSame(result);
  });

  test('serve-static: whole file, ranges, conditional GETs, index, redirect for a directory', async () => {
    const result = await run(async ({ port }) => {
      const first = await one(port, 'GET', '/static/hello.txt');
      const head = first.responses[0].head;
      const etag = headField(head, 'ETag') as string;
      const lastModified = headField(head, 'Last-Modified') as string;
      return [
        first,
        await one(port, 'HEAD', '/static/hello.txt'),
        await one(port, 'GET', '/static/hello.txt', [['Range', 'bytes=4-8']]),
        await one(port, 'GET', '/static/hello.txt', [['Range', 'bytes=-5']]),
        await one(port, 'GET', '/static/hello.txt', [['Range', 'bytes=40-']]),
        await one(port, 'GET', '/static/hello.txt', [['Range', 'bytes=0-1,3-4']]),
        await one(port, 'GET', '/static/hello.txt', [['Range', 'bytes=5000-6000']]),
        await one(port, 'GET', '/static/hello.txt', [['If-None-Match', etag]]),
        await one(port, 'GET', '/static/hello.txt', [['If-None-Match', '"other"']]),
        await one(port, 'GET', '/static/hello.txt', [['If-Modified-Since', lastModified]]),
        await one(port, 'GET', '/static/hello.txt', [['If-Range', etag], ['Range', 'bytes=0-3']]),
        await one(port, 'GET', '/static/hello.txt', [['If-Range', '"stale"'], ['Range', 'bytes=0-3']]),
        await one(port, 'GET', '/static/hello.txt', [['If-Match', '"stale"']]),
        await one(port, 'GET', '/static/'),
        await one(port, 'GET', '/static'),
        await one(port, 'GET', '/static/missing.txt'),
        await one(port, 'GET', '/static/../express.js'),
      ];
    });
    expect(result.node.map(statuses)).toEqual(['200', '200', '206', '206', '206', '200', '416', '304', '200', '304', '206', '200', '412', '200', '301', '404', '404']);
    expectSame(result);
  });

  test('res.sendFile and res.download: headers, ranges, 304, a missing file through next(err)', async () => {
    const result = await run(async ({ port }) => {
      const first = await one(port, 'GET', '/file');
      const etag = headField(first.responses[0].head, 'ETag') as string;
      return [
        first,
        await one(port, 'GET', '/file', [['Range', 'bytes=10-19']]),
        await one(port, 'GET', '/file', [['If-None-Match', etag]]),
        await one(port, 'HEAD', '/file'),
        await one(port, 'GET', '/missing-file'),
        await one(port, 'GET', '/download'),
      ];
    });
    expect(result.node.map(statuses)).toEqual(['200', '206', '304', '200', '404', '200']);
    expectSame(result);
  });

  test('compression: gzip and deflate, under the threshold, flushed streams, HEAD, a static file', async () => {
    const gzip: [string, string] = ['Accept-Encoding', 'gzip'];
    const result = await run(async ({ port }) => [
      await one(port, 'GET', '/gz/big', [gzip]),
      await one(port, 'GET', '/gz/big', [['Accept-Encoding', 'deflate']]),
      await one(port, 'GET', '/gz/big', [['Accept-Encoding', 'identity']]),
      await one(port, 'GET', '/gz/big'),
      await one(port, 'GET', '/gz/small', [gzip]),
      await one(port, 'GET', '/gz/stream', [gzip]),
      await one(port, 'HEAD', '/gz/big', [gzip]),
      await one(port, 'GET', '/gz/static/hello.txt', [gzip]),
      await one(port, 'GET', '/gz/big', [gzip, ['Cache-Control', 'no-transform']]),
    ]);
    expect(headField(result.node[0].responses[0].head, 'Content-Encoding')).toBe('gzip');
    expect(headField(result.node[5].responses[0].head, 'Transfer-Encoding')).toBe('chunked');
    expectSame(result);
  });

  test('multer: fields and files, a file over the limit, a raw body and a JSON body', async () => {
    const form = multipart([
      { name: 'title', data: 'a title' },
      { name: 'doc', filename: 'doc.txt', type: 'text/plain', data: 'document body\n' },
      { name: 'pics', filename: 'a.bin', type: 'application/octet-stream', data: binary },
      { name: 'pics', filename: 'b.bin', type: 'application/octet-stream', data: binary.subarray(0, 1234) },
      { name: 'note', data: 'ünïcödé' },
    ]);
    const tooBig = multipart([{ name: 'doc', filename: 'big.bin', data: binary }]);
    const type: [string, string] = ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`];
    const result = await run(async ({ port }) => [
      await one(port, 'POST', '/upload', [type], form),
      // The same upload sent in small pieces with pauses: the parser sees every split.
      await rawExchange(port, [requestBytes('POST', '/upload', [type, close, ['Content-Length', String(form.length)]]), ...splitEvery(form, 997)]),
      await one(port, 'POST', '/upload', [type, ['Transfer-Encoding', 'chunked']], chunked(form, 1500)),
      await one(port, 'POST', '/upload-small', [type], tooBig),
      await one(port, 'POST', '/echo', [['Content-Type', 'application/octet-stream']], binary),
      await one(port, 'POST', '/json-body', [['Content-Type', 'application/json']], '{"a":[1,2,{"b":null}]}'),
      await one(port, 'POST', '/json-body', [['Content-Type', 'application/json']], '{"a":'),
    ]);
    const uploaded = JSON.parse(Buffer.from(result.node[0].responses[0].body, 'latin1').toString('utf8'));
    expect(uploaded.body).toEqual({ title: 'a title', note: 'ünïcödé' });
    expect(uploaded.files.map((f: { size: number }) => f.size)).toEqual([14, 5000, 1234]);
    expect(result.node[3].responses[0].head).toMatch(/^HTTP\/1.1 413 /);
    expectSame(result);
  });

  test('multer: the client goes away in the middle of an upload; the app hears the same error', async () => {
    const form = multipart([{ name: 'doc', filename: 'doc.bin', data: binary }]);
    const type: [string, string] = ['Content-Type', `multipart/form-data; boundary=${BOUNDARY}`];
    const result = await run(async (app) => {
      const client = await rawExchange(app.port, [requestBytes('POST', '/upload', [type, ['Content-Length', String(form.length)]]), form.subarray(0, 3000), { delay: 200 }, { end: true }], { timeoutMs: 3000 });
      const error = await app.waitFor((m) => m.type === 'error', 3000, 'the error handler').catch(() => null);
      return { client, error };
    });
    expect(result.node.error).not.toBeNull();
    expect(result.uvhttp).toEqual(result.node);
  });

  test('error handlers: thrown, next(err) later, after the head was sent, a router-level handler', async () => {
    const result = await run(async ({ port }) => [
      await one(port, 'GET', '/throw'),
      await one(port, 'GET', '/next-error'),
      await one(port, 'GET', '/partial-error'),
      await one(port, 'GET', '/custom/boom'),
      // Keep-alive after an error answer: the connection still serves the next request.
      await rawExchange(port, Buffer.concat([requestBytes('GET', '/throw'), requestBytes('GET', '/')]), { responses: 2, graceMs: 300 }),
    ]);
    expect(result.node[0].responses[0].head).toMatch(/^HTTP\/1.1 500 /);
    expect(result.node[1].responses[0].head).toMatch(/^HTTP\/1.1 418 /);
    // Node's finalhandler destroys the socket when the head was already sent.
    expect(result.node[2].responses).toEqual([]);
    expect(result.node[2].closed).toBe(true);
    expect(result.node[3].responses[0].head).toMatch(/^HTTP\/1.1 422 /);
    expectSame(result);
  });

  (pkg === 'express' ? test : test.skip)('error handlers: a rejected async handler (Express 5)', async () => {
    const result = await run(async (app) => ({
      client: await one(app.port, 'GET', '/async-error'),
      error: await app.waitFor((m) => m.type === 'error', 3000, 'the error handler'),
    }));
    expect(result.node.client.responses[0].head).toMatch(/^HTTP\/1.1 503 /);
    expect(result.uvhttp).toEqual(result.node);
  });
});

function splitEvery(data: Buffer, size: number): Array<Buffer | { delay: number }> {
  const steps: Array<Buffer | { delay: number }> = [];
  for (let i = 0; i < data.length; i += size) steps.push(data.subarray(i, i + size), { delay: 5 });
  return steps;
}

function chunked(data: Buffer, size: number): Buffer {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) {
    const piece = data.subarray(i, i + size);
    pieces.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(pieces);
}
