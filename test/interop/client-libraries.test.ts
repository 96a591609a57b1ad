// HTTP client libraries with uvhttp as their 'http': each library's scenario runs in a child
// process on plain Node (node:http, the oracle) and under `node -r uvhttp/register`, against a
// node:http server and a uvhttp server in this process (test/helpers/client-interop.ts); what
// the uvhttp client observed must equal what node:http's did against the same server. Each
// test also asserts the facts of its scenario on node's run, so two empty results cannot pass.
import { clientMatrix, closedPort, Matrix, ServerSide, startServer, stopAllClients, stopServer, TestServer } from '../helpers/client-interop';

jest.setTimeout(90000);
afterEach(stopAllClients);

const servers = {} as Record<ServerSide, TestServer>;
let refused = 0;

beforeAll(async () => {
  servers.node = await startServer('node');
  servers.uvhttp = await startServer('uvhttp');
  refused = await closedPort();
});

afterAll(async () => {
  await stopServer(servers.node);
  await stopServer(servers.uvhttp);
});

function expectSame(result: Matrix): void {
  expect(result.node.uvhttp).toEqual(result.node.node);
  expect(result.uvhttp.uvhttp).toEqual(result.uvhttp.node);
}

test('axios: GET and POST JSON, a body framed by the close, gzip, a body cut short, redirects (follow-redirects), a streamed response, 404, timeout and ECONNREFUSED errors', async () => {
  const result = await clientMatrix(servers, 'axios.js', () => ({ closedPort: refused }), { CLOSED: refused });
  const node = result.node.node;
  expect(node.get).toMatchObject({ status: 200, data: { hello: 'world', method: 'GET', url: '/json?a=1' } });
  expect(node.post.data).toEqual({
    method: 'POST',
    url: '/echo',
    headers: { 'content-type': 'application/json', 'content-length': '19', 'x-test': 'yes' },
    body: '{"x":[1,2],"y":"z"}',
  });
  expect(node.untilClose).toMatchObject({ status: 200, data: 'framed by the close' });
  // axios drops Content-Encoding once it has decompressed.
  expect(node.gzip).toEqual({ status: 200, data: { compressed: true, url: '/gzip' } });
  expect(node.cut).toMatchObject({ message: 'stream has been aborted' });
  expect(node.redirect).toMatchObject({ status: 200, redirects: 3, responseUrl: 'http://127.0.0.1:PORT/json' });
  expect(node.redirectPost.data).toMatchObject({ method: 'GET', url: '/echo', body: '' });
  expect(node.unfollowed).toEqual({ status: 302, location: '/json' });
  expect(node.stream.body.length).toBe(64 * 4096);
  expect(node.notFound).toMatchObject({ code: 'ERR_BAD_REQUEST', status: 404 });
  expect(node.timeout).toMatchObject({ code: 'ECONNABORTED', message: 'timeout of 200ms exceeded', inTime: true });
  expect(node.clarified).toMatchObject({ code: 'ETIMEDOUT' });
  expect(node.refused).toMatchObject({ code: 'ECONNREFUSED' });
  expectSame(result);
});

test('got 11: GET, by name with its timings, a body cut short, a streamed POST, retries on 503, a keep-alive agent reused, its timeout error', async () => {
  const result = await clientMatrix(servers, 'got.js');
  const node = result.node.node;
  expect(node.get).toMatchObject({ status: 200, body: { hello: 'world', url: '/json?q=got' } });
  expect(node.named).toEqual({
    body: { compressed: true, url: '/gzip' },
    timings: ['start', 'socket', 'lookup', 'connect', 'upload', 'response', 'end', 'phases'],
    phases: ['wait', 'dns', 'tcp', 'request', 'firstByte', 'download', 'total'],
  });
  expect(node.cut).toMatchObject({ name: 'ReadError', code: 'ECONNRESET' });
  expect(node.postStream.body).toMatchObject({ method: 'POST', body: 'streamed request body', headers: { 'transfer-encoding': 'chunked' } });
  expect(node.retry).toEqual({ status: 200, body: { attempt: 3 }, retryCount: 2 });
  expect(node.gaveUp).toMatchObject({ name: 'HTTPError', status: 503, body: '{"attempt":2}' });
  expect(node.reusedSocket).toEqual([false, true, true]);
  expect(node.connections).toBe(1);
  expect(node.agentSockets).toBe(1);
  expect(node.timeout).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT', event: 'request' });
  expectSame(result);
});

test('node-fetch v2: text, a body framed by the close, gzip, a body cut short, JSON, a POST body, redirects followed, manual and too many, AbortController before the response and during the body', async () => {
  const result = await clientMatrix(servers, 'node-fetch.js');
  const node = result.node.node;
  expect(node.text).toMatchObject({ status: 200, body: 'plain text body', type: 'text/plain' });
  expect(node.untilClose).toMatchObject({ status: 200, body: 'framed by the close' });
  expect(node.gzip).toMatchObject({ status: 200, encoding: 'gzip', body: { compressed: true, url: '/gzip' } });
  expect(node.cut).toMatchObject({ status: 200, error: { name: 'FetchError', code: 'ERR_STREAM_PREMATURE_CLOSE' } });
  expect(node.json.body).toEqual({ hello: 'world', method: 'GET', url: '/json?f=1' });
  expect(node.post.body).toMatchObject({ method: 'POST', body: 'a=1&b=2', headers: { 'content-length': '7', 'x-test': 'fetch' } });
  expect(node.followed).toMatchObject({ status: 200, redirected: true, url: 'http://127.0.0.1:PORT/json' });
  expect(node.manual).toMatchObject({ status: 302, location: 'http://127.0.0.1:PORT/json' });
  expect(node.tooMany).toMatchObject({ name: 'FetchError', type: 'max-redirect' });
  expect(node.abortBeforeResponse).toMatchObject({ name: 'AbortError', type: 'aborted' });
  expect(node.abortDuringBody).toMatchObject({ status: 200, error: { name: 'AbortError', type: 'aborted' } });
  expect(node.alreadyAborted).toMatchObject({ name: 'AbortError', type: 'aborted' });
  expectSame(result);
});

test('superagent requests, and supertest on an Express app it serves itself', async () => {
  const result = await clientMatrix(servers, 'superagent.js');
  const node = result.node.node;
  expect(node.get).toMatchObject({ status: 200, body: { url: '/json?s=a' } });
  expect(node.post.body).toMatchObject({ method: 'POST', body: '{"n":1}', headers: { 'x-test': 'superagent' } });
  expect(node.redirect).toMatchObject({ status: 200, redirects: ['http://127.0.0.1:PORT/redirect/1', 'http://127.0.0.1:PORT/json'] });
  expect(node.notFound).toMatchObject({ status: 404 });
  expect(node.timeout).toMatchObject({ timeout: 150, code: 'ECONNABORTED' });
  expect(node.supertest).toEqual({
    get: { status: 200, body: { id: '7', q: { x: '1' } }, route: '/users/:id' },
    post: { status: 201, body: { created: { name: 'n' } } },
    cookie: 'session=abc',
    failedExpectation: 'expected 404 "Not Found", got 200 "OK"',
  });
  expectSame(result);
});

test("agentkeepalive's HttpAgent with http.request: reuse, two sockets in parallel, the free socket timeout, the active socket timeout", async () => {
  const result = await clientMatrix(servers, 'agentkeepalive.js');
  const node = result.node.node;
  expect(node.inherits).toBe(true);
  expect(node.sequential.map((r: { body: { connection: number }; reusedSocket: boolean }) => [r.body.connection, r.reusedSocket])).toEqual([
    [1, false],
    [1, true],
    [1, true],
  ]);
  expect(node.afterSequential).toMatchObject({ created: 1, requests: 3, free: 1, sockets: 0 });
  expect(node.parallel).toEqual([1, 2]);
  expect(node.afterParallel).toMatchObject({ created: 2, requests: 5 });
  expect(node.afterIdle).toMatchObject({ created: 2, closed: 2, free: 0 });
  expect(node.afterIdleRequest).toMatchObject({ reusedSocket: false, body: { connection: 3 } });
  expect(node.activeTimeout).toMatchObject({ code: 'ERR_SOCKET_TIMEOUT', inTime: true });
  expect(node.afterTimeout).toMatchObject({ created: 1, timedOut: 1, sockets: 0, free: 0 });
  expectSame(result);
});
