// diagnostics_channel's http client channels (http.client.request.start, .request.error,
// .response.finish, and .request.created where the running Node has it) as a subscriber in an
// app under `node -r uvhttp/register` sees them, against the same app on node:http (the
// oracle), each against a node:http and a uvhttp server: the messages' shapes, that they carry
// the user's own req, res and error (of the http module's classes), the state those are in
// when published, and where each falls among the request's own events.
import { clientMatrix, closedPort, ServerSide, startServer, stopAllClients, stopServer, TestServer } from '../helpers/client-interop';

jest.setTimeout(60000);
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

type Entry = { label: string; channel?: string; event?: string; [key: string]: unknown };

test('request.start, request.error and response.finish: payloads, identities and order, for a GET, a streamed POST, ECONNREFUSED and a destroy', async () => {
  const result = await clientMatrix(servers, 'diagnostics.js', () => ({ closedPort: refused }), { CLOSED: refused });
  const node: Entry[] = result.node.node;
  const CREATED = 'http.client.request.created';
  const of = (label: string) => node.filter((e) => e.label === label && e.channel !== CREATED).map((e) => e.channel ?? e.event);
  // Node 22.12 and 23.2 publish request.created from the constructor: first for each request.
  const created = node.filter((e) => e.channel === CREATED);
  if (created.length > 0) {
    for (const label of ['get', 'post', 'refused', 'destroyed']) {
      expect(node.find((e) => e.label === label)).toMatchObject({ channel: CREATED, keys: ['request'], sameReq: true, request: { isUsersReq: 'not yet returned', headersSent: false } });
    }
  }
  expect(of('get')).toEqual(['http.client.request.start', 'finish', 'http.client.response.finish', 'response', 'res end', 'close']);
  // The request never went out: no 'finish'.
  expect(of('refused')).toEqual(['http.client.request.start', 'http.client.request.error', 'error', 'close']);
  expect(of('destroyed')).toEqual(['http.client.request.start', 'finish', 'http.client.request.error', 'error', 'close']);
  const get = node.filter((e) => e.label === 'get' && e.channel !== CREATED);
  expect(get[0]).toMatchObject({ keys: ['request'], sameReq: true, request: { isClientRequest: true, method: 'GET', path: '/json' } });
  expect(get[2]).toMatchObject({ keys: ['request', 'response'], sameReq: true, sameRes: true, response: { isIncomingMessage: true, statusCode: 200, complete: false } });
  const error = node.find((e) => e.label === 'refused' && e.channel === 'http.client.request.error');
  expect(error).toMatchObject({ keys: ['error', 'request'], sameReq: true, sameError: true, error: { isError: true, code: 'ECONNREFUSED' } });
  expect(node.find((e) => e.label === 'destroyed' && e.channel === 'http.client.request.error')).toMatchObject({ sameError: true, error: { message: 'given up' } });
  expect(result.node.uvhttp).toEqual(result.node.node);
  expect(result.uvhttp.uvhttp).toEqual(result.uvhttp.node);
});
