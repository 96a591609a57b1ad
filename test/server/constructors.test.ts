// Every exported class is a constructor the way Node's are (issue 9 item 4): plain functions that
// libraries call without `new` and inherit from the old way (util.inherits with X.call(this)), as
// well as with `class extends`. Each pattern runs on node:http and on uvhttp and what it gives is
// compared: whether it worked, the error if not, the prototype chain, and the state a library
// reads right after construction.
import * as net from 'node:net';
import * as util from 'node:util';
import type * as http from 'node:http';
import { candidates, nodeImpl, type Impl } from '../helpers/impls';
import { closeAllServers } from '../helpers/server';

afterEach(() => closeAllServers());

type Module = Impl['http'];
type Make = (m: Module) => object;

function chain(object: object): string[] {
  const names: string[] = [];
  for (let p = Object.getPrototypeOf(object); p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    names.push(p.constructor?.name ?? '?');
  }
  return names;
}

function observe(make: () => object, look: (o: object) => unknown): Record<string, unknown> {
  try {
    const o = make();
    return { ok: true, chain: chain(o), state: look(o) };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { ok: false, error: e.name, code: e.code };
  }
}

const fakeRequest = (): object => ({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {}, url: '/' });

// [class, how to make one with new, what to look at]
const classes: Array<[string, (m: Module, C: any) => object, (o: any) => unknown]> = [
  ['Server', (_m, C) => new C(() => undefined), (o) => ({ listening: o.listening, timeout: o.timeout, keepAliveTimeout: o.keepAliveTimeout, requestListeners: o.listenerCount('request'), isNetServer: o instanceof net.Server })],
  ['IncomingMessage', (_m, C) => new C(new net.Socket()), (o) => ({ headers: o.headers, complete: o.complete, hasSocket: o.socket instanceof net.Socket, readable: o.readable })],
  ['OutgoingMessage', (_m, C) => new C(), (o) => ({ headersSent: o.headersSent, chunkedEncoding: o.chunkedEncoding, writableEnded: o.writableEnded, sendDate: o.sendDate })],
  ['ServerResponse', (_m, C) => new C(fakeRequest()), (o) => ({ statusCode: o.statusCode, sendDate: o.sendDate, headersSent: o.headersSent, header: o.getHeaderNames() })],
  ['Agent', (_m, C) => new C({ keepAlive: true }), (o) => ({ keepAlive: o.keepAlive, maxSockets: o.maxSockets, defaultPort: o.defaultPort, protocol: o.protocol })],
];

describe.each(candidates.map((i) => [i.name, i] as const))('exported classes construct as Node\'s: %s against node:http', (_name, impl) => {
  test.each(classes)('%s: with new, without new, X.call(this) with util.inherits, class extends', (name, make, look) => {
    const run = (m: Module): Record<string, unknown> => {
      const C = (m as unknown as Record<string, any>)[name];
      const withoutNew = (): object => {
        const args = make(m, function (this: unknown, ...a: unknown[]) {
          return a;
        }) as unknown as unknown[];
        return C(...args);
      };
      function Legacy(this: any, ...args: unknown[]) {
        C.call(this, ...args);
        this.legacy = true;
      }
      util.inherits(Legacy, C);
      const Modern = class extends C {} as new (...a: unknown[]) => object;
      const argsOf = (): unknown[] => make(m, function (this: unknown, ...a: unknown[]) {
        return a;
      }) as unknown as unknown[];
      return {
        name: C.name,
        length: C.length,
        // The constructor's own [[Prototype]] (ServerResponse's is OutgoingMessage): statics and
        // `super` calls of subclasses go through it.
        base: Object.getPrototypeOf(C).name,
        withNew: observe(() => make(m, C), look),
        withoutNew: observe(withoutNew, look),
        legacy: observe(() => new (Legacy as any)(...argsOf()), (o: any) => ({ legacy: o.legacy, isC: o instanceof C, state: look(o) })),
        modern: observe(() => new Modern(...argsOf()), (o: any) => ({ isC: o instanceof C, state: look(o) })),
        // Node assigns its methods to the prototype, so for...in lists them (some libraries copy
        // a prototype that way).
        enumerableMethods: Object.keys(C.prototype).filter((k) => typeof Object.getOwnPropertyDescriptor(C.prototype, k)?.value === 'function').length > 0,
      };
    };
    const ref = run(nodeImpl.http);
    expect(ref.withNew).toMatchObject({ ok: true });
    expect(run(impl.http)).toEqual(ref);
  });

  test('a Server made without new, and one made by Server.call(this) under util.inherits, serve requests', async () => {
    const serve = async (m: Module, made: 'plain' | 'legacy'): Promise<string> => {
      const listener = (_req: http.IncomingMessage, res: http.ServerResponse) => res.end(made);
      let server: http.Server;
      if (made === 'plain') {
        server = (m.Server as unknown as (l: typeof listener) => http.Server)(listener);
      } else {
        function Legacy(this: any) {
          (m.Server as unknown as (this: unknown, l: typeof listener) => void).call(this, listener);
        }
        util.inherits(Legacy, m.Server);
        server = new (Legacy as any)();
      }
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const port = (server.address() as net.AddressInfo).port;
      const body = await new Promise<string>((resolve, reject) => {
        const req = nodeImpl.http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve(`${res.statusCode} ${text}`));
        });
        req.on('error', reject);
        req.setTimeout(3000, () => req.destroy(new Error('timeout')));
      });
      await new Promise((resolve) => server.close(resolve));
      return body;
    };
    for (const made of ['plain', 'legacy'] as const) {
      const ref = await serve(nodeImpl.http, made);
      expect(ref).toBe(`200 ${made}`);
      expect(await serve(impl.http, made)).toBe(ref);
    }
  });
});
