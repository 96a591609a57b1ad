// Graceful shutdown under `node -r uvhttp/register`, against the same app on node:http (the
// oracle): server.close() + closeIdleConnections() while a keep-alive connection is idle and a
// request is in flight; then the in-flight answer, the last connection's close and the server's
// 'close'. And the forced variant: closeAllConnections() with the request still unanswered.
import * as net from 'node:net';

import { App, differential, requestBytes, stopAllApps, within } from '../helpers/interop';
import { maskDate } from '../helpers/raw';

jest.setTimeout(60000);
afterEach(stopAllApps);

/** A raw connection that records what it receives and whether the server closed it. */
function connection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let error: string | null = null;
  socket.on('data', (d) => chunks.push(d));
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return {
    socket,
    connected: within(new Promise<void>((resolve) => socket.once('connect', () => resolve())), 3000, 'connect'),
    received: () => maskDate(Buffer.concat(chunks)),
    error: () => error,
    /** True if the server closed the connection within `ms`. */
    closedWithin: (ms: number) => within(closed, ms, 'close').then(() => true, () => false),
    /** Resolves once `text` has arrived. */
    until: (text: string) =>
      within(
        new Promise<void>((resolve) => {
          const check = () => (Buffer.concat(chunks).includes(text) ? resolve() : socket.once('data', check));
          check();
        }),
        3000,
        `'${text}' on the connection`,
      ),
  };
}

/** A new connection attempt: refused, or what became of it. */
function tryConnect(port: number): Promise<string> {
  return within(
    new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    }),
    3000,
    'a new connection attempt',
  );
}

async function idleAndInFlight(app: App) {
  const idle = connection(app.port);
  await idle.connected;
  idle.socket.write(requestBytes('GET', '/first'));
  await idle.until('quick /first');
  const busy = connection(app.port);
  await busy.connected;
  busy.socket.write(requestBytes('GET', '/slow'));
  await app.waitFor((m) => m.type === 'request' && m.url === '/slow', 3000, 'the /slow request');
  return { idle, busy };
}

const events = (app: App) => app.messages.filter((m) => m.type !== 'listening');

// On Node 20 the connection whose request was in flight is answered with keep-alive and ends at
// its keep-alive timeout (1 s in the app, plus Node's 1 s allowance), not at once.
test('close() + closeIdleConnections(): the idle connection ends, the request in flight is answered, its connection ends at the keep-alive timeout, then the server closes', async () => {
  const result = await differential('shutdown.js', async (app) => {
    const { idle, busy } = await idleAndInFlight(app);
    app.send({ type: 'shutdown' });
    await app.waitFor((m) => m.type === 'closing', 3000, 'closing');
    const idleClosed = await idle.closedWithin(2000);
    const newConnection = await tryConnect(app.port);
    const busyOpenBeforeAnswer = !(await busy.closedWithin(300));
    app.send({ type: 'release' });
    await busy.until('slow done');
    const busyOpenAfterAnswer = !(await busy.closedWithin(1000));
    const busyClosed = await busy.closedWithin(3000);
    await app.waitFor((m) => m.type === 'closed', 3000, "the server's 'close'");
    // The server's 'close' can come before the last connection's (Node emits it as the count of
    // connections drops to 0): both are awaited, so that the order is compared, not a race.
    let connectionsClosed = 0;
    await app.waitFor((m) => m.type === 'connection-close' && ++connectionsClosed === 2, 3000, "both connections' 'close'");
    return { idle: idle.received(), idleClosed, newConnection, busyOpenBeforeAnswer, busy: busy.received(), busyOpenAfterAnswer, busyClosed, events: events(app) };
  });
  expect(result.node).toMatchObject({ idleClosed: true, newConnection: 'ECONNREFUSED', busyOpenBeforeAnswer: true, busyOpenAfterAnswer: true, busyClosed: true });
  expect(result.node.events).toContainEqual({ type: 'closed', error: null });
  expect(result.uvhttp).toEqual(result.node);
});

test('closeAllConnections() with a request unanswered: it is cut off, its response closes unfinished', async () => {
  const result = await differential('shutdown.js', async (app) => {
    const { idle, busy } = await idleAndInFlight(app);
    app.send({ type: 'shutdown' });
    await app.waitFor((m) => m.type === 'closing', 3000, 'closing');
    const idleClosed = await idle.closedWithin(2000);
    app.send({ type: 'close-all' });
    const busyClosed = await busy.closedWithin(2000);
    await app.waitFor((m) => m.type === 'closed', 3000, "the server's 'close'");
    await app.waitFor((m) => m.type === 'res-close' && m.url === '/slow', 3000, "the /slow response's 'close'");
    return { idleClosed, busy: busy.received(), busyClosed, busyError: busy.error(), events: events(app) };
  });
  expect(result.node).toMatchObject({ idleClosed: true, busy: '', busyClosed: true });
  expect(result.node.events).toContainEqual({ type: 'res-close', url: '/slow', finished: false });
  expect(result.uvhttp).toEqual(result.node);
});
