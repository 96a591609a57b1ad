// Fastify under `node -r uvhttp/register`, against the same app on node:http (the oracle): a
// listening server (schemas, hooks, error and 404 handlers, streams, hijack, body limits,
// keep-alive), and fastify.inject(), which builds a request over a fake socket and a
// light-my-request Response that inherits from http.ServerResponse the pre-ES2015 way
// (`http.ServerResponse.call(this, req)` with util.inherits).
import { differential, rawExchange, requestBytes, statuses, stopAllApps } from '../helpers/interop';

jest.setTimeout(60000);
afterEach(stopAllApps);

const one = (port: number, method: string, target: string, fields: Array<[string, string]> = [], body?: string | Buffer) =>
  rawExchange(port, requestBytes(method, target, [...fields, ['Connection', 'close']], body), { methods: [method] });
const json: [string, string] = ['Content-Type', 'application/json'];

test('listening server: routes, schemas, hooks, handlers, streams, hijack, limits', async () => {
  const result = await differential('fastify.js', async (app) => {
    const client = [
      await one(app.port, 'GET', '/json?n=7'),
      await one(app.port, 'GET', '/json?n=notanumber'),
      await one(app.port, 'POST', '/echo', [json], '{"a":[1,"two",null]}'),
      await one(app.port, 'POST', '/echo', [json], '{"a":'),
      await one(app.port, 'POST', '/echo', [json], JSON.stringify({ big: 'x'.repeat(2000) })),
      await one(app.port, 'POST', '/echo', [['Content-Type', 'application/x-unknown']], 'data'),
      await one(app.port, 'PUT', '/text', [['Content-Type', 'text/plain']], 'plain words'),
      await one(app.port, 'GET', '/stream'),
      await one(app.port, 'GET', '/buffer'),
      await one(app.port, 'GET', '/redirect'),
      await one(app.port, 'GET', '/hijack'),
      await one(app.port, 'GET', '/fail'),
      await one(app.port, 'GET', '/crash'),
      await one(app.port, 'GET', '/users/12'),
      await one(app.port, 'GET', '/users/twelve'),
      await one(app.port, 'HEAD', '/json?n=1'),
      await one(app.port, 'GET', '/nowhere'),
      await rawExchange(app.port, Buffer.concat([requestBytes('GET', '/json?n=1'), requestBytes('POST', '/echo', [json], '{}'), requestBytes('GET', '/nowhere')]), { responses: 3, graceMs: 300 }),
    ];
    // onResponse runs after the response is sent: wait for the last one before reading.
    await app.waitFor((m) => m.type === 'response' && m.url === '/nowhere' && app.messages.filter((x) => x.url === '/nowhere').length >= 2, 3000, 'onResponse for the last request');
    return { client, events: app.messages.filter((m) => m.type !== 'listening') };
  });
  expect(result.node.client.map(statuses)).toEqual([
    '200', '400', '201', '400', '413', '415', '200', '200', '200', '303', '200', '409', '500', '200', '400', '200', '404', '200,201,404',
  ]);
  expect(result.uvhttp.client).toEqual(result.node.client);
  expect(result.uvhttp.events).toEqual(result.node.events);
});

test('fastify.inject(): light-my-request over http.ServerResponse', async () => {
  const requests = [
    { method: 'GET', url: '/json?n=5' },
    { method: 'POST', url: '/echo', payload: { a: 1 } },
    { method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' },
    { method: 'GET', url: '/stream' },
    { method: 'GET', url: '/fail' },
    { method: 'GET', url: '/nowhere' },
    { method: 'HEAD', url: '/json' },
  ];
  const result = await differential('fastify.js', async (app) => {
    app.send({ type: 'inject', requests });
    return (await app.waitFor((m) => m.type === 'injected', 5000, 'the inject results')).results;
  });
  expect(result.node.map((r: { statusCode: number }) => r.statusCode)).toEqual([200, 201, 400, 200, 409, 404, 200]);
  expect(result.uvhttp).toEqual(result.node);
});
