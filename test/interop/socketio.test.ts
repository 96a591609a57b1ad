// socket.io under `node -r uvhttp/register`, against the same app on node:http (the oracle),
// with the real socket.io-client: long-polling only, WebSocket only, and polling upgraded to
// WebSocket; acks with binary payloads, rooms, a server-side disconnect, a client-side one; the
// engine.io handshake and its errors as raw HTTP. Client and server observations must match.
import * as http from 'node:http';
import { io as connect, Socket } from 'socket.io-client';

import { App, differential, rawExchange, requestBytes, stopAllApps, within } from '../helpers/interop';

jest.setTimeout(60000);
afterEach(stopAllApps);

type Event = { [key: string]: unknown };

/** Connects, runs the conversation, and records what the client saw until it is disconnected. */
async function conversation(port: number, transports: string[], name: string, waitForUpgrade = false): Promise<Event[]> {
  const events: Event[] = [];
  const socket: Socket = connect(`http://127.0.0.1:${port}`, { transports, query: { name }, auth: { token: 't0k' }, reconnection: false, forceNew: true, timeout: 5000 });
  const once = (event: string) => within(new Promise<unknown[]>((resolve) => socket.once(event, (...args: unknown[]) => resolve(args))), 5000, `client '${event}'`);
  try {
    // With both transports the upgrade may finish before or after 'connect' is seen: wait for it
    // and record where the conversation goes on, not the race.
    const upgraded = waitForUpgrade ? within(new Promise((resolve) => socket.io.on('open', () => socket.io.engine.once('upgrade', resolve))), 5000, 'the upgrade to websocket') : null;
    await once('connect');
    if (upgraded && socket.io.engine.transport.name !== 'websocket') await upgraded;
    events.push({ event: 'connect', transport: socket.io.engine.transport.name });
    const payload = { text: 'hé', n: 42, list: [1, null, true], bytes: Buffer.from([0, 1, 2, 255]), big: 'b'.repeat(100000) };
    const echoed = (await within(socket.timeout(5000).emitWithAck('echo', payload), 5000, 'the echo ack')) as Record<string, unknown>;
    events.push({ event: 'ack', same: JSON.stringify(echoed) === JSON.stringify(payload), bytes: Buffer.from(echoed.bytes as Buffer).toString('hex') });
    const heard = once('heard');
    socket.emit('shout', 'hello room');
    events.push({ event: 'heard', args: await heard });
    const disconnected = once('disconnect');
    socket.emit('kick');
    events.push({ event: 'disconnect', args: await disconnected });
    return events;
  } finally {
    socket.close();
  }
}

/** The server's reports in order; a transport upgrade is listed apart (it races the connect). */
async function serverSide(app: App, count: number) {
  for (let id = 0; id < count; id++) {
    await app.waitFor((m) => m.type === 'io' && m.id === id && m.event === 'disconnect', 5000, `server disconnect of socket ${id}`);
  }
  const reports = app.messages.filter((m) => m.type !== 'listening');
  return { events: reports.filter((m) => m.event !== 'upgrade'), upgrades: reports.filter((m) => m.event === 'upgrade') };
}

test.each([
  ['long-polling only', ['polling'], false],
  ['WebSocket only', ['websocket'], false],
  ['polling upgraded to WebSocket', ['polling', 'websocket'], true],
])('%s: connect, acks with binary, rooms, server-side disconnect', async (_title, transports, upgrade) => {
  const result = await differential('socketio.js', async (app) => ({
    client: await conversation(app.port, transports, 'alice', upgrade),
    server: await serverSide(app, 1),
  }));
  expect(result.node.client.find((e) => e.event === 'ack')).toMatchObject({ same: true, bytes: '000102ff' });
  expect(result.node.client.at(-1)).toEqual({ event: 'disconnect', args: ['io server disconnect', undefined] });
  expect(result.uvhttp).toEqual(result.node);
});

test('a client that disconnects itself, on either transport: the server hears why', async () => {
  const result = await differential('socketio.js', async (app) => {
    const events: Event[] = [];
    for (const transports of [['polling'], ['websocket']]) {
      const socket = connect(`http://127.0.0.1:${app.port}`, { transports, reconnection: false, forceNew: true });
      await within(new Promise((resolve) => socket.once('connect', resolve as () => void)), 5000, 'connect');
      socket.disconnect();
      events.push({ transports, connected: socket.connected });
    }
    return { client: events, server: await serverSide(app, 2) };
  });
  expect(result.node.server.events.filter((m) => m.event === 'disconnect').map((m) => m.reason)).toEqual(['client namespace disconnect', 'client namespace disconnect']);
  expect(result.uvhttp).toEqual(result.node);
});

test('engine.io over raw HTTP: the polling handshake, bad requests, plain requests beside it', async () => {
  const maskSid = (s: string) => s.replace(/"sid":"[^"]+"/g, '"sid":"<SID>"');
  const result = await differential('socketio.js', async ({ port }) => {
    const close: [string, string] = ['Connection', 'close'];
    const exchanges = [
      await rawExchange(port, requestBytes('GET', '/socket.io/?EIO=4&transport=polling', [close])),
      await rawExchange(port, requestBytes('GET', '/socket.io/?EIO=3&transport=polling', [close])),
      await rawExchange(port, requestBytes('GET', '/socket.io/?EIO=4&transport=carrier-pigeon', [close])),
      await rawExchange(port, requestBytes('GET', '/socket.io/?EIO=4&transport=polling&sid=unknown', [close])),
      await rawExchange(port, requestBytes('GET', '/elsewhere', [close])),
    ];
    return exchanges.map((e) => ({ ...e, bytes: undefined, responses: e.responses.map((r) => ({ ...r, head: r.head.replace(/Content-Length: \d+/, 'Content-Length: <N>'), body: maskSid(r.body) })) }));
  });
  expect(result.node[0].responses[0].body).toMatch(/^0\{"sid":"<SID>","upgrades":\["websocket"\]/);
  expect(result.node[4].responses[0].body).toBe('not socket.io: /elsewhere');
  expect(result.uvhttp).toEqual(result.node);
});

/** One long-polling request with Node's client; `abortAfter` destroys it unanswered. */
function poll(port: number, method: string, query: string, body?: string, abortAfter?: number): Promise<string> {
  return within(
    new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path: `/socket.io/?EIO=4&transport=polling${query}`, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve(`${res.statusCode} ${text}`));
      });
      req.on('error', (error) => (abortAfter !== undefined ? resolve('aborted') : reject(error)));
      if (abortAfter !== undefined) setTimeout(() => req.destroy(), abortAfter);
      req.end(body);
    }),
    5000,
    `${method} poll`,
  );
}

test('a long-poll whose connection drops while it waits: the server hears a transport error', async () => {
  const result = await differential('socketio.js', async (app) => {
    const handshake = await poll(app.port, 'GET', '');
    const sid = JSON.parse(handshake.slice(handshake.indexOf('{'))).sid as string;
    const steps = [
      await poll(app.port, 'POST', `&sid=${sid}`, '40'),
      (await poll(app.port, 'GET', `&sid=${sid}`)).replace(/"sid":"[^"]+"/, '"sid":"<SID>"'),
      await poll(app.port, 'GET', `&sid=${sid}`, undefined, 200),
    ];
    return { steps, server: await serverSide(app, 1) };
  });
  expect(result.node.steps).toEqual(['200 ok', expect.stringMatching(/^200 40\{"sid":"<SID>"\}$/), 'aborted']);
  expect(result.node.server.events.at(-1)).toMatchObject({ event: 'disconnect', reason: 'transport error' });
  expect(result.uvhttp).toEqual(result.node);
});
