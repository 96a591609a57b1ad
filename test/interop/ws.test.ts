// A `ws` server under `node -r uvhttp/register`, against the same app on node:http (the
// oracle), with the real `ws` client and raw sockets: the handshake bytes, echo of text and
// binary (plain and permessage-deflate), frames sent with the handshake, ping/pong both ways,
// close codes both ways, terminate, a rejected upgrade, and plain HTTP on the same server. The
// client's observations and the server's own reports must match.
import * as net from 'node:net';
import WebSocket = require('ws');

import { App, differential, rawExchange, requestBytes, stopAllApps, within } from '../helpers/interop';

jest.setTimeout(60000);
afterEach(stopAllApps);

type Event = { [key: string]: unknown };

/** Runs a client through `steps` and records everything it hears until the socket closes. */
function client(port: number, path: string, steps: (ws: WebSocket, events: Event[]) => void, options: WebSocket.ClientOptions & { protocols?: string[] } = {}): Promise<Event[]> {
  const events: Event[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, options.protocols ?? [], { perMessageDeflate: false, ...options });
  ws.on('open', () => {
    events.push({ event: 'open', protocol: ws.protocol, extensions: ws.extensions });
    steps(ws, events);
  });
  // Sec-WebSocket-Accept answers the client's random key: its value differs run to run.
  ws.on('upgrade', (res) => events.push({ event: 'upgrade', status: res.statusCode, headers: res.rawHeaders.map((v, i, a) => (i % 2 === 1 && /^sec-websocket-accept$/i.test(a[i - 1]) ? '<ACCEPT>' : v)) }));
  ws.on('unexpected-response', (_req, res) => {
    events.push({ event: 'unexpected-response', status: res.statusCode, headers: res.rawHeaders.filter((_, i, a) => !/^date$/i.test(a[i - (i % 2)])) });
    // ws leaves the refused handshake to this listener; terminate() ends it with 'close'.
    ws.terminate();
  });
  ws.on('message', (data: Buffer, isBinary) => events.push({ event: 'message', isBinary, text: isBinary ? data.toString('hex') : data.toString() }));
  ws.on('ping', (data) => events.push({ event: 'ping', data: data.toString() }));
  ws.on('pong', (data) => events.push({ event: 'pong', data: data.toString() }));
  ws.on('error', (error: NodeJS.ErrnoException) => events.push({ event: 'error', message: error.message, code: error.code }));
  return within(
    new Promise<Event[]>((resolve) =>
      ws.on('close', (code, reason) => {
        events.push({ event: 'close', code, reason: reason.toString() });
        resolve(events);
      }),
    ),
    5000,
    `the WebSocket on ${path} closing`,
  ).catch((error) => {
    ws.terminate();
    throw error;
  });
}

/** Waits for the server's report of a connection's close, then returns what it reported. */
async function serverSide(app: App, count: number) {
  for (let id = 0; id < count; id++) {
    await app.waitFor((m) => m.type === 'ws' && m.id === id && (m.event === 'close' || m.event === 'error'), 5000, `server close of connection ${id}`);
  }
  return app.messages.filter((m) => m.type !== 'listening');
}

test('echo: text, binary, empty, large and fragmented-by-size messages; the client closes with 4000', async () => {
  const binary = Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 31) & 0xff));
  const result = await differential('ws.js', async (app) => {
    const seen = await client(app.port, '/echo', (ws, events) => {
      let replies = 0;
      ws.on('message', () => {
        if (++replies === 5) ws.close(4000, 'bye');
      });
      ws.send('hello');
      ws.send(binary);
      ws.send('');
      ws.send('ü'.repeat(40000));
      ws.send(Buffer.from([0, 255]), { binary: true });
      events.push({ event: 'sent' });
    });
    return { client: seen, server: await serverSide(app, 1) };
  });
  expect(result.node.client.filter((e) => e.event === 'message')).toHaveLength(5);
  expect(result.node.server.at(-1)).toMatchObject({ event: 'close', code: 4000, reason: 'bye' });
  expect(result.uvhttp).toEqual(result.node);
});

test('permessage-deflate and subprotocol negotiation', async () => {
  const result = await differential('ws.js', async (app) => {
    const deflated = await client(
      app.port,
      '/deflate',
      (ws) => {
        let replies = 0;
        ws.on('message', () => {
          if (++replies === 2) ws.close(1000, 'done');
        });
        ws.send('compress me '.repeat(1000));
        ws.send(Buffer.alloc(10000, 7));
      },
      { perMessageDeflate: true },
    );
    const chat = await client(app.port, '/echo', (ws) => ws.close(1000), { protocols: ['chat.v1', 'chat.v2'] });
    return { deflated, chat, server: await serverSide(app, 2) };
  });
  expect(result.node.deflated[1]).toMatchObject({ event: 'open', extensions: 'permessage-deflate' });
  expect(result.node.chat[1]).toMatchObject({ event: 'open', protocol: 'chat.v2' });
  expect(result.uvhttp).toEqual(result.node);
});

test('ping/pong both ways, server-initiated close codes, terminate, bursts', async () => {
  const result = await differential('ws.js', async (app) => {
    const pings = await client(app.port, '/echo', (ws) => {
      ws.ping('from client');
      ws.on('pong', () => ws.send('ping from server'));
      ws.on('ping', () => ws.send('close 1008 policy says no'));
    });
    const burst = await client(app.port, '/echo', (ws) => {
      let got = 0;
      ws.on('message', () => {
        if (++got === 50) ws.send('close 4001 burst over');
      });
      ws.send('burst 50');
    });
    const terminated = await client(app.port, '/echo', (ws) => ws.send('terminate'));
    return { pings, burst, terminated, server: await serverSide(app, 3) };
  });
  expect(result.node.pings.at(-1)).toMatchObject({ event: 'close', code: 1008, reason: 'policy says no' });
  expect(result.node.burst.at(-1)).toMatchObject({ event: 'close', code: 4001 });
  expect(result.node.terminated.at(-1)).toMatchObject({ event: 'close', code: 1006 });
  expect(result.uvhttp).toEqual(result.node);
});

test('handshake bytes, a frame sent with the handshake, a rejected upgrade, a bad key, plain HTTP', async () => {
  // RFC 6455 §1.3's sample key, and a masked text frame "Hi" right behind the head: it reaches
  // the server as the upgrade's `head` and must be echoed.
  const handshake = requestBytes('GET', '/echo', [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ['Sec-WebSocket-Version', '13'],
  ]);
  const mask = [1, 2, 3, 4];
  const frame = Buffer.from([0x81, 0x82, ...mask, 'H'.charCodeAt(0) ^ mask[0], 'i'.charCodeAt(0) ^ mask[1]]);
  const close = Buffer.from([0x88, 0x82, ...mask, 0x03 ^ mask[0], 0xe8 ^ mask[1]]);
  const result = await differential('ws.js', async (app) => {
    const raw = await rawBytes(app.port, Buffer.concat([handshake, frame]), close, 4);
    const rejected = await client(app.port, '/reject', () => undefined);
    const badKey = await rawExchange(app.port, requestBytes('GET', '/echo', [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Key', 'short'], ['Sec-WebSocket-Version', '13']]));
    const plain = await rawExchange(app.port, requestBytes('GET', '/plain', [['Connection', 'close']]));
    return { raw, rejected, badKey, plain, server: await serverSide(app, 1) };
  });
  expect(result.node.raw).toMatch(/^HTTP\/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n\r\n\x81\x02Hi\x88\x02\x03\xe8$/);
  expect(result.node.rejected[0]).toMatchObject({ event: 'unexpected-response', status: 401 });
  expect(result.node.badKey.responses[0].head).toMatch(/^HTTP\/1.1 400 /);
  expect(result.uvhttp).toEqual(result.node);
});

/** Writes `first`, waits for `after` bytes beyond the 101 head, writes `then`, reads until close. */
function rawBytes(port: number, first: Buffer, then: Buffer, after: number): Promise<string> {
  return within(
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(first));
      let got = Buffer.alloc(0);
      let sent = false;
      socket.on('data', (d) => {
        got = Buffer.concat([got, d]);
        const headEnd = got.indexOf('\r\n\r\n');
        if (!sent && headEnd >= 0 && got.length >= headEnd + 4 + after) {
          sent = true;
          socket.write(then);
        }
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(got.toString('latin1')));
    }),
    5000,
    'the raw WebSocket exchange',
  );
}

test("new WebSocketServer({ server }): ws's own listeners on the http server", async () => {
  const result = await differential(
    'ws.js',
    async (app) => {
      const seen = await client(app.port, '/any/path?x=1', (ws) => {
        ws.on('message', (data: Buffer) => {
          if (data.toString() === 'again') ws.close(1001, 'going away');
          else ws.send('again');
        });
        ws.send('first');
      });
      const plain = await rawExchange(app.port, requestBytes('GET', '/plain', [['Connection', 'close']]));
      return { seen, plain, server: await serverSide(app, 1) };
    },
    { args: ['attached'] },
  );
  expect(result.node.seen.at(-1)).toMatchObject({ event: 'close', code: 1001 });
  expect(result.node.server.some((m) => m.type === 'wss-listening')).toBe(true);
  expect(result.uvhttp).toEqual(result.node);
});
