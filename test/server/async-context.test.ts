// async_hooks and AsyncLocalStorage as handlers see them (issue 7 item 13): each connection is
// its own context, the store active at listen() reaches the handlers, a store entered in one
// request is seen by the next request on the same connection (as on Node) and never on another
// connection, and the resources form Node's chain (HTTPINCOMINGMESSAGE <- TCPWRAP <-
// TCPSERVERWRAP). Async ids differ between runs; their relations and the resource types are
// compared with node:http.
import { AsyncLocalStorage, createHook, executionAsyncId, triggerAsyncId } from 'node:async_hooks';
import * as nodeHttp from 'node:http';
import { impls, type Impl } from '../helpers/impls';
import { closeServer } from '../helpers/server';

jest.setTimeout(30000);

interface Seen {
  url: string;
  store: unknown;
  storeInTimer: unknown;
  exec: number;
  execType: string;
  trigger: number;
  triggerType: string;
  triggerOfTrigger: string;
}

async function observe(impl: Impl): Promise<{ seen: Seen[]; connectionStore: unknown[]; connectionType: string[] }> {
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
  const server = als.run('listen-store', () =>
    impl.http.createServer((req, res) => {
      const exec = executionAsyncId();
      const trigger = triggerAsyncId();
      const entry: Seen = {
        url: req.url as string,
        store: als.getStore(),
        storeInTimer: undefined,
        exec,
        execType: resources.get(exec)?.type ?? '?',
        trigger,
        triggerType: resources.get(trigger)?.type ?? '?',
        triggerOfTrigger: resources.get(resources.get(trigger)?.trigger ?? -1)?.type ?? '?',
      };
      seen.push(entry);
      if (req.url === '/enter') als.enterWith('entered');
      setTimeout(() => {
        entry.storeInTimer = als.getStore();
        res.end('ok');
      }, 5);
    }),
  );
  server.on('connection', () => {
    connectionStore.push(als.getStore());
    connectionType.push(resources.get(executionAsyncId())?.type ?? '?');
  });
  await als.run('listen-store', () => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  const port = (server.address() as { port: number }).port;
  const get = (path: string, agent: nodeHttp.Agent) =>
    new Promise<void>((resolve, reject) =>
      nodeHttp.get({ port, host: '127.0.0.1', path, agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject),
    );
  const first = new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 });
  const second = new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await get('/enter', first);
    await get('/same-connection', first);
    await get('/other-connection', second);
  } finally {
    first.destroy();
    second.destroy();
    hook.disable();
    await closeServer(server);
  }
  return { seen, connectionStore, connectionType };
}

test('handlers see the async contexts node:http gives them', async () => {
  const results = [];
  for (const impl of impls) {
    const { seen, connectionStore, connectionType } = await observe(impl);
    const [enter, same, other] = seen;
    results.push({
      stores: seen.map((s) => [s.url, s.store, s.storeInTimer]),
      connectionStore,
      connectionType,
      types: seen.map((s) => [s.execType, s.triggerType, s.triggerOfTrigger]),
      sameConnectionSameContext: enter.exec === same.exec,
      otherConnectionOtherContext: enter.exec !== other.exec && enter.trigger !== other.trigger,
    });
  }
  expect(results[0]).toEqual({
    stores: [
      ['/enter', 'listen-store', 'entered'],
      ['/same-connection', 'entered', 'entered'],
      ['/other-connection', 'listen-store', 'listen-store'],
    ],
    connectionStore: ['listen-store', 'listen-store'],
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
