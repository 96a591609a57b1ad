// async_hooks and AsyncLocalStorage as handlers see them (issue 7 item 13), compared with the
// node:http of the running line. Each connection is its own context, the store active at listen()
// (not the one at createServer()) reaches the 'connection' listeners and the handlers, and the
// resources form Node's chain (HTTPINCOMINGMESSAGE <- TCPWRAP <- TCPSERVERWRAP). What a store
// entered with enterWith() reaches depends on the line: up to Node 22 AsyncLocalStorage keeps
// stores on async resources, so one entered in a handler is seen by the next request on the same
// connection and one entered in a 'connection' listener by the next connection; from Node 24 it
// runs on AsyncContextFrame, and each callback of a resource starts from the frame the resource
// was made in, so both end with the callback that entered them (a body's 'data' from a later read
// too). The store entered in the listen callback reaches nothing. Async ids differ between runs;
// their relations and the resource types are compared.
import { AsyncLocalStorage, createHook, executionAsyncId, triggerAsyncId } from 'node:async_hooks';
import * as nodeHttp from 'node:http';
import { impls, type Impl } from '../helpers/impls';
import { closeServer } from '../helpers/server';

jest.setTimeout(30000);

interface Seen {
  url: string;
  store: unknown;
  storeInTimer: unknown;
  storeInData: unknown[];
  storeInEnd: unknown;
  storeInFinish: unknown;
  exec: number;
  execType: string;
  trigger: number;
  triggerType: string;
  triggerOfTrigger: string;
}

// Whether AsyncLocalStorage runs on AsyncContextFrame (Node 24's default, as its
// --async-context-frame option decides): a store entered in one call of an interval is not seen
// by its next call.
function storesOnFrames(): Promise<boolean> {
  const als = new AsyncLocalStorage<string>();
  let calls = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      calls += 1;
      if (calls === 1) {
        als.enterWith('entered');
        return;
      }
      clearInterval(timer);
      resolve(als.getStore() === undefined);
    }, 1);
  });
}

async function observe(impl: Impl, connectionListener: boolean) {
  const als = new AsyncLocalStorage<string>();
  const resources = new Map<number, { type: string; trigger: number }>();
  const hook = createHook({
    init(id, type, trigger) {
      resources.set(id, { type, trigger });
    },
  }).enable();
  const seen: Seen[] = [];
  const connectionStore: unknown[] = [];
  const connectionType: string[] = [];
  // Resolved when the handler has the request: its body is written only then.
  let headArrived = (): void => undefined;
  const server = als.run('create-store', () =>
    impl.http.createServer((req, res) => {
      headArrived();
      const exec = executionAsyncId();
      const trigger = triggerAsyncId();
      const entry: Seen = {
        url: req.url as string,
        store: als.getStore(),
        storeInTimer: undefined,
        storeInData: [],
        storeInEnd: undefined,
        storeInFinish: undefined,
        exec,
        execType: resources.get(exec)?.type ?? '?',
        trigger,
        triggerType: resources.get(trigger)?.type ?? '?',
        triggerOfTrigger: resources.get(resources.get(trigger)?.trigger ?? -1)?.type ?? '?',
      };
      seen.push(entry);
      als.enterWith(`in ${req.url}`);
      req.on('data', () => entry.storeInData.push(als.getStore()));
      req.on('end', () => {
        entry.storeInEnd = als.getStore();
        setTimeout(() => {
          entry.storeInTimer = als.getStore();
          res.end('ok');
        }, 5);
      });
      res.on('finish', () => {
        entry.storeInFinish = als.getStore();
      });
    }),
  );
  if (connectionListener) {
    server.on('connection', () => {
      connectionStore.push(als.getStore());
      connectionType.push(resources.get(executionAsyncId())?.type ?? '?');
      als.enterWith('in connection');
    });
  }
  await als.run('listen-store', () =>
    new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        als.enterWith('in listen callback');
        resolve();
      }),
    ),
  );
  const port = (server.address() as { port: number }).port;
  const send = (path: string, agent: nodeHttp.Agent, body?: string[]) =>
    new Promise<void>((resolve, reject) => {
      const req = nodeHttp.request({ port, host: '127.0.0.1', path, agent, method: body ? 'POST' : 'GET' }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      if (!body) {
        req.end();
        return;
      }
      // Each part on its own, once the handler has the head: the server parses each in a read
      // of its own (a chunk that comes with the head: see the test after this one). Fixed
      // delays from the head's write were not enough under qemu, where the head and the first
      // part came in one read.
      headArrived = () => {
        headArrived = () => undefined;
        setTimeout(() => req.write(body[0]), 20);
        setTimeout(() => req.end(body[1]), 40);
      };
      req.flushHeaders();
    });
  const first = new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 });
  const second = new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await als.run('client', async () => {
      await send('/first', first);
      await send('/same-connection', first);
      await send('/other-connection', second, ['abc', 'def']);
    });
  } finally {
    first.destroy();
    second.destroy();
    hook.disable();
    await closeServer(server);
  }
  const [enter, same, other] = seen;
  return {
    stores: seen.map((s) => [s.url, s.store, s.storeInData, s.storeInEnd, s.storeInTimer, s.storeInFinish]),
    connectionStore,
    connectionType,
    types: seen.map((s) => [s.execType, s.triggerType, s.triggerOfTrigger]),
    sameConnectionSameContext: enter.exec === same.exec,
    otherConnectionOtherContext: enter.exec !== other.exec && enter.trigger !== other.trigger,
  };
}

test('handlers see the async contexts node:http gives them', async () => {
  const frames = await storesOnFrames();
  const results = [];
  for (const impl of impls) results.push(await observe(impl, true));
  // Each request's [url, store, in 'data' (each chunk), in 'end', in a timer, in 'finish'].
  const after = (url: string, store: string, data: string[]) => [url, store, data, `in ${url}`, `in ${url}`, `in ${url}`];
  expect(results[0]).toEqual({
    stores: frames
      ? [
          after('/first', 'listen-store', []),
          after('/same-connection', 'listen-store', []),
          ['/other-connection', 'listen-store', ['listen-store', 'listen-store'], 'listen-store', 'listen-store', 'listen-store'],
        ]
      : [
          after('/first', 'listen-store', []),
          after('/same-connection', 'in /first', []),
          after('/other-connection', 'in connection', ['in /other-connection', 'in /other-connection']),
        ],
    connectionStore: frames ? ['listen-store', 'listen-store'] : ['listen-store', 'in connection'],
    connectionType: ['TCPSERVERWRAP', 'TCPSERVERWRAP'],
    types: [
      ['HTTPINCOMINGMESSAGE', 'TCPWRAP', 'TCPSERVERWRAP'],
      ['HTTPINCOMINGMESSAGE', 'TCPWRAP', 'TCPSERVERWRAP'],
      ['HTTPINCOMINGMESSAGE', 'TCPWRAP', 'TCPSERVERWRAP'],
    ],
    sameConnectionSameContext: true,
    otherConnectionOtherContext: true,
  });
  for (const r of results) expect(r).toEqual(results[0]);
});

// Without a 'connection' listener of its own, uvhttp starts a connection with a stand-in for its
// socket (lazy-socket.test.ts): the handlers' contexts are the same.
test('handlers see the same async contexts when nothing listens for connections', async () => {
  const results = [];
  for (const impl of impls) results.push(await observe(impl, false));
  for (const r of results) expect(r).toEqual(results[0]);
});

// A chunk of the body that comes in the same read as the head: Node's parser runs the ticks the
// handler queued (its req.on('data') resume()) only after it has pushed the chunk, so the chunk is
// emitted from that tick, before the handler's ticks queued after it and, from Node 24, in
// the store the handler entered. uvhttp runs them when the handler returns, before the chunk is
// pushed (test/node-lines.json "differences").
test('a chunk that comes with the head is emitted from the handler\'s resume() tick', async () => {
  const results = [];
  for (const impl of impls) {
    const als = new AsyncLocalStorage<string>();
    const events: unknown[] = [];
    const server = impl.http.createServer((req, res) => {
      als.enterWith('in handler');
      req.on('data', (chunk: Buffer) => events.push(['data', chunk.toString(), als.getStore()]));
      process.nextTick(() => events.push('tick'));
      req.on('end', () => res.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve, reject) => {
      const req = nodeHttp.request({ port, host: '127.0.0.1', method: 'POST' }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      // The first write leaves with the head.
      req.write('abc');
      setTimeout(() => req.end(), 20);
    });
    await closeServer(server);
    results.push(events);
  }
  expect(results[0]).toEqual([['data', 'abc', 'in handler'], 'tick']);
  for (const r of results) expect(r).toEqual(results[0]);
});
