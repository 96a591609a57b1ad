// Koa under `node -r uvhttp/register`, against the same app on node:http (the oracle): every
// kind of body, status and headers, conditional GETs, errors and the app's 'error' event,
// ctx.respond = false, request bodies, keep-alive. Each test compares every byte the client got
// (Date masked), how the connection ended, and what the app reported.
import { differential, rawExchange, requestBytes, statuses, stopAllApps } from '../helpers/interop';

jest.setTimeout(60000);
afterEach(stopAllApps);

const one = (port: number, method: string, target: string, fields: Array<[string, string]> = [], body?: string | Buffer) =>
  rawExchange(port, requestBytes(method, target, [...fields, ['Connection', 'close']], body), { methods: [method] });

test('bodies, statuses, headers, redirects, HEAD and 404', async () => {
  const result = await differential('koa.js', async ({ port }) => [
    await one(port, 'GET', '/'),
    await one(port, 'GET', '/json?a=1&a=2', [['Accept', 'text/html;q=0.5, application/json']]),
    await one(port, 'GET', '/buffer'),
    await one(port, 'GET', '/stream'),
    await one(port, 'GET', '/file'),
    await one(port, 'GET', '/empty'),
    await one(port, 'GET', '/created'),
    await one(port, 'GET', '/redirect'),
    await one(port, 'GET', '/attachment'),
    await one(port, 'HEAD', '/'),
    await one(port, 'HEAD', '/stream'),
    await one(port, 'GET', '/nope'),
    await one(port, 'GET', '/raw'),
    await one(port, 'GET', '/flush'),
  ]);
  expect(result.node.map(statuses)).toEqual(['200', '200', '200', '200', '200', '204', '201', '302', '200', '200', '200', '404', '299', '200']);
  expect(result.uvhttp).toEqual(result.node);
});

test('conditional GETs: If-None-Match and If-Modified-Since', async () => {
  const result = await differential('koa.js', async ({ port }) => [
    await one(port, 'GET', '/etag'),
    await one(port, 'GET', '/etag', [['If-None-Match', '"v1"']]),
    await one(port, 'GET', '/etag', [['If-None-Match', '"v0"']]),
    await one(port, 'GET', '/etag', [['If-Modified-Since', 'Wed, 01 Jan 2020 00:00:00 GMT']]),
    await one(port, 'HEAD', '/etag', [['If-None-Match', '"v1"']]),
  ]);
  expect(result.node.map(statuses)).toEqual(['200', '304', '200', '304', '304']);
  expect(result.uvhttp).toEqual(result.node);
});

test("errors: ctx.throw, a thrown Error, and what the app's 'error' event hears", async () => {
  const result = await differential('koa.js', async (app) => {
    const client = [await one(app.port, 'GET', '/throw'), await one(app.port, 'GET', '/boom')];
    await app.waitFor((m) => m.type === 'error' && m.path === '/boom', 3000, "the 'error' event for /boom");
    return { client, errors: app.messages.filter((m) => m.type === 'error') };
  });
  expect(result.node.client.map(statuses)).toEqual(['418', '500']);
  expect(result.node.errors.map((e) => e.path)).toEqual(['/throw', '/boom']);
  expect(result.uvhttp).toEqual(result.node);
});

test('request bodies: Content-Length, chunked, split across writes; keep-alive and pipelining', async () => {
  const big = Buffer.from(Array.from({ length: 100000 }, (_, i) => (i * 13) & 0xff));
  const result = await differential('koa.js', async ({ port }) => [
    await one(port, 'POST', '/echo', [['Content-Type', 'application/x-test']], big),
    await one(port, 'PUT', '/echo', [['Transfer-Encoding', 'chunked']], '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'),
    await rawExchange(port, [requestBytes('POST', '/echo', [['Content-Length', '10'], ['Connection', 'close']]), 'abc', { delay: 30 }, 'defg', { delay: 30 }, 'hij']),
    await rawExchange(port, Buffer.concat([requestBytes('GET', '/'), requestBytes('POST', '/echo', [], 'body'), requestBytes('GET', '/json'), requestBytes('GET', '/nope')]), {
      responses: 4,
      graceMs: 300,
    }),
  ]);
  expect(result.node[0].responses[0].body).toMatch(/^100000 bytes/);
  expect(statuses(result.node[3])).toBe('200,200,200,404');
  expect(result.uvhttp).toEqual(result.node);
});
