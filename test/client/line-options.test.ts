// Client request options whose effect differs between the Node lines (README "Differences
// between Node lines"), differentially: each scenario runs with node:http's request() and Agent
// and with uvhttp's, against a node:http server on 127.0.0.1, and what a caller observes must be
// equal. Each test also asserts, on node's trace, what the running line does, so that the
// comparison cannot pass on two traces that show nothing.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';

import * as uvhttp from '../../lib';
import {
  abortedResponseHasCause,
  connectHostIsPath,
  connectPathFromUrlTrimmed,
  destroyAfterExchangeKeepsSocket,
  hasHttpValidation,
  hasSetDefaultHeaders,
  requestKeepsHighWaterMark,
  requestOptionsWithoutPrototype,
  requestPathCheckedOnSet,
  reusedSocketTakesHighWaterMark,
  socketErrorsHeardAtOnSocket,
} from '../../lib/node-features';

jest.setTimeout(20_000);

type Http = typeof http;
const sides: Array<[string, Http]> = [
  ['node', http],
  ['uvhttp', uvhttp as unknown as Http],
];

// A node:http server answering every request with a 10-byte body, once it has read the request's.
async function withServer<T>(run: (port: number) => Promise<T>): Promise<T> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('0123456789'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await run((server.address() as AddressInfo).port);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

// One request and what it shows of its high-water marks: before it has a socket (and what a
// write returns then), at 'socket', in the response; whether it was given a pooled
// socket, and how many 'drain's it emitted.
// With `endOnDrain`, a write refused before the socket ends the request at its 'drain'; `size`
// is that write's.
function exchange(
  side: Http,
  options: Record<string, unknown>,
  { endOnDrain = false, size = 1500 } = {},
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = side.request({ host: '127.0.0.1', method: 'POST', ...options } as http.RequestOptions);
    let drains = 0;
    req.on('drain', () => drains++);
    req.on('error', reject);
    const trace: Record<string, unknown> = { before: req.writableHighWaterMark, write: req.write('x'.repeat(size)) };
    req.on('socket', (socket: net.Socket) => {
      trace.socket = [socket.readableHighWaterMark, socket.writableHighWaterMark, req.writableHighWaterMark];
    });
    req.on('response', (res) => {
      trace.response = res.readableHighWaterMark;
      trace.reused = req.reusedSocket;
      res.resume();
      // After the socket went back to the pool.
      res.on('end', () => setImmediate(() => resolve({ ...trace, drains })));
    });
    if (endOnDrain && trace.write === false) req.once('drain', () => req.end());
    else req.end();
  });
}

async function bothSides(scenario: (side: Http, port: number) => Promise<unknown>): Promise<unknown> {
  const traces = [];
  for (const [, side] of sides) traces.push(await withServer((port) => scenario(side, port)));
  expect(traces[1]).toEqual(traces[0]);
  return traces[0];
}

const defaultMark = (side: Http) => new side.OutgoingMessage().writableHighWaterMark;

describe('the highWaterMark option of http.request()', () => {
  test('sets the socket\'s high-water marks and the response\'s, and the request\'s own on 24.20+ and 26.7+', async () => {
    const trace = (await bothSides(async (side, port) => {
      const out: Record<string, unknown> = {};
      const agent = new side.Agent({ keepAlive: true });
      out.agent = await exchange(side, { port, agent, highWaterMark: 1000 });
      out.endOnDrain = await exchange(side, { port, agent: false, highWaterMark: 1000 }, { endOnDrain: true });
      agent.destroy();
      out.noAgent = await exchange(side, { port, agent: false, highWaterMark: 2000 });
      out.createConnection = await exchange(side, {
        port,
        highWaterMark: 3000,
        createConnection: (options: net.NetConnectOpts) => net.createConnection(options),
      });
      // As net.Socket takes them, each side on its own.
      out.split = await exchange(side, { port, agent: false, readableHighWaterMark: 500, writableHighWaterMark: 700 });
      out.defaultMark = defaultMark(side);
      return out;
    })) as Record<string, Record<string, unknown>>;
    const own = requestKeepsHighWaterMark ? 1000 : trace.defaultMark;
    expect(trace.agent).toEqual({ before: own, write: !requestKeepsHighWaterMark, socket: [1000, 1000, 1000], response: 1000, reused: false, drains: 0 });
    expect(trace.endOnDrain.drains).toBe(requestKeepsHighWaterMark ? 1 : 0);
    expect(trace.noAgent.socket).toEqual([2000, 2000, 2000]);
    expect(trace.createConnection.socket).toEqual([3000, 3000, 3000]);
    expect(trace.split.socket).toEqual([500, 700, 700]);
    expect(trace.split.response).toBe(500);
  });

  test('an invalid one throws as net.Socket\'s options do', async () => {
    const trace = await bothSides(async (side, port) =>
      [-1, 1.5, '100'].map((highWaterMark) => {
        try {
          side.request({ host: '127.0.0.1', port, agent: false, highWaterMark } as unknown as http.RequestOptions);
          return 'no error';
        } catch (error) {
          const e = error as NodeJS.ErrnoException;
          return [e.name, e.code, e.message];
        }
      }),
    );
    expect((trace as unknown[][])[0][1]).toBe('ERR_INVALID_ARG_VALUE');
  });

  test('a pooled socket given to a request takes its highWaterMark as the writable one on 24.21+ and 26.8+', async () => {
    const trace = (await bothSides(async (side, port) => {
      const agent = new side.Agent({ keepAlive: true });
      const out: Record<string, unknown> = {};
      out.first = await exchange(side, { port, agent, highWaterMark: 1000 });
      out.larger = await exchange(side, { port, agent, highWaterMark: 3000 });
      out.none = await exchange(side, { port, agent });
      out.zero = await exchange(side, { port, agent, highWaterMark: 0 });
      agent.destroy();
      // The agent's options win over the request's, as in every merge of the two.
      const own = new side.Agent({ keepAlive: true, highWaterMark: 600 } as http.AgentOptions);
      out.agentFirst = await exchange(side, { port, agent: own, highWaterMark: 1000 });
      out.agentReused = await exchange(side, { port, agent: own, highWaterMark: 3000 });
      own.destroy();
      return out;
    })) as Record<string, Record<string, unknown>>;
    expect(trace.larger.reused).toBe(true);
    expect(trace.zero.reused).toBe(true);
    expect(trace.larger.socket).toEqual(reusedSocketTakesHighWaterMark ? [1000, 3000, 3000] : [1000, 1000, 1000]);
    // Without the option the socket keeps what the request before it set.
    expect(trace.none.socket).toEqual(reusedSocketTakesHighWaterMark ? [1000, 3000, 3000] : [1000, 1000, 1000]);
    expect(trace.zero.socket).toEqual(reusedSocketTakesHighWaterMark ? [1000, 0, 0] : [1000, 1000, 1000]);
    // The response's is the socket's readable one, which a reuse leaves alone.
    expect(trace.zero.response).toBe(1000);
    expect(trace.agentFirst.socket).toEqual([600, 600, 600]);
    expect(trace.agentReused.reused).toBe(true);
    expect(trace.agentReused.socket).toEqual([600, 600, 600]);
  });

  test('a request ended before it has a socket, its write refused, is owed no \'drain\'', async () => {
    const trace = (await bothSides(async (side, port) => {
      const size = defaultMark(side) + 1;
      return {
        ended: await exchange(side, { port, agent: false }, { size }),
        endOnDrain: await exchange(side, { port, agent: false }, { size, endOnDrain: true }),
      };
    })) as Record<string, Record<string, unknown>>;
    expect(trace.ended).toMatchObject({ write: false, drains: 0 });
    expect(trace.endOnDrain).toMatchObject({ write: false, drains: 1 });
  });
});

// A raw server that answers each request it reads (one per read: small GETs) with the next of
// `responses`, and records the heads it got.
async function withRawServer<T>(responses: string[], run: (port: number, received: string[]) => Promise<T>): Promise<T> {
  const received: string[] = [];
  let next = 0;
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', (data) => {
      received.push(data.toString('latin1'));
      socket.write(responses[next++ % responses.length]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await run((server.address() as AddressInfo).port, received);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

// A GET and what came of it: the response's field, or the error; what setHeader of a value with a
// control character did.
function get(side: Http, options: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = side.request({ host: '127.0.0.1', ...options } as http.RequestOptions);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      resolve(['throws', e.code, e.message]);
      return;
    }
    let setHeader = 'set';
    try {
      req.setHeader('x-sent', 'c\u0001d');
    } catch (error) {
      setHeader = (error as NodeJS.ErrnoException).code as string;
    }
    const own = [Object.prototype.hasOwnProperty.call(req, 'httpValidation'), (req as { httpValidation?: unknown }).httpValidation];
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => setImmediate(() => resolve([setHeader, own, res.statusCode, res.headers['x-a'], req.reusedSocket])));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve([setHeader, own, e.code, e.message]));
    req.end();
  });
}

describe('the httpValidation option of http.request() (24.19+, 26.3+; ignored before)', () => {
  const CONTROL = 'HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 2\r\n\r\nok';

  test('the response\'s field values and the request\'s header values, per request', async () => {
    const trace = (await bothSides(async (side) =>
      withRawServer([CONTROL], async (port, received) => {
        const out: Record<string, unknown> = {};
        for (const httpValidation of ['strict', 'relaxed', 'insecure', undefined]) {
          out[String(httpValidation)] = await get(side, { port, agent: false, httpValidation });
        }
        out.createConnection = await get(side, {
          port,
          httpValidation: 'relaxed',
          createConnection: (options: net.NetConnectOpts) => net.createConnection(options),
        });
        // One pooled connection: each request's response is parsed as that request says.
        const agent = new side.Agent({ keepAlive: true, maxSockets: 1 });
        out.pooled = [];
        for (const httpValidation of ['relaxed', 'relaxed', 'strict']) {
          (out.pooled as unknown[]).push(await get(side, { port, agent, httpValidation }));
        }
        agent.destroy();
        out.received = received.filter((head) => head.includes('\u0001')).length;
        return out;
      }),
    )) as Record<string, unknown[]>;
    if (hasHttpValidation) {
      expect(trace.relaxed).toEqual(['set', [true, 'relaxed'], 200, 'a\u0001b', false]);
      expect(trace.insecure).toEqual(['set', [true, 'insecure'], 200, 'a\u0001b', false]);
      expect(trace.strict).toEqual(['ERR_INVALID_CHAR', [true, 'strict'], 'HPE_INVALID_HEADER_TOKEN', 'Parse Error: Invalid header value char']);
      expect(trace.createConnection[3]).toBe('a\u0001b');
      expect(trace.pooled[1]).toEqual(['set', [true, 'relaxed'], 200, 'a\u0001b', true]);
      expect(trace.pooled[2]).toEqual(['ERR_INVALID_CHAR', [true, 'strict'], 'HPE_INVALID_HEADER_TOKEN', 'Parse Error: Invalid header value char']);
    } else {
      expect(trace.relaxed).toEqual(['ERR_INVALID_CHAR', [false, undefined], 'HPE_INVALID_HEADER_TOKEN', 'Parse Error: Invalid header value char']);
    }
    expect(trace.undefined[2]).toBe('HPE_INVALID_HEADER_TOKEN');
  });

  test('its values are checked, and it does not go with insecureHTTPParser', async () => {
    const trace = (await bothSides(async (side, port) => [
      await get(side, { port, agent: false, httpValidation: 'lenient' }),
      await get(side, { port, agent: false, httpValidation: 'strict', insecureHTTPParser: false }),
      await get(side, { port, agent: false, httpValidation: undefined, insecureHTTPParser: true }),
    ])) as unknown[][];
    expect(trace[0][0]).toBe(hasHttpValidation ? 'throws' : 'ERR_INVALID_CHAR');
    expect(trace[1][0]).toBe(hasHttpValidation ? 'throws' : 'ERR_INVALID_CHAR');
  });
});

describe('ClientRequest changes within the lines', () => {
  test('req.path set later is checked on 24.15+ and 26 (an accessor on the prototype)', async () => {
    const trace = (await bothSides(async (side, port) => {
      const req = side.request({ host: '127.0.0.1', port, agent: false, path: '/first' });
      req.on('error', () => {});
      const out: unknown[] = [Object.prototype.hasOwnProperty.call(req, 'path'), Object.keys(req).includes('path')];
      for (const path of ['/a b', '/a\r\nX: 1', 42]) {
        try {
          (req as { path: unknown }).path = path;
          out.push(['set', req.path]);
        } catch (error) {
          const e = error as NodeJS.ErrnoException;
          out.push([e.code, e.message, req.path]);
        }
      }
      req.destroy();
      return out;
    })) as unknown[];
    expect(trace[0]).toBe(!requestPathCheckedOnSet);
    expect(trace[2]).toEqual(requestPathCheckedOnSet ? ['ERR_UNESCAPED_CHARACTERS', 'Request path contains unescaped characters', '/first'] : ['set', '/a b']);
    expect(trace[4]).toEqual(['set', requestPathCheckedOnSet ? '42' : 42]);
  });

  test('options inherited from Object.prototype are not read on 24.16+ and 26.1+', async () => {
    const trace = await bothSides(async (side, port) => {
      // The Object.prototype of the realm the side's code runs in (node:http's is not the test's,
      // under jest).
      const polluted = Object.getPrototypeOf(Object.getPrototypeOf(side.request)) as { method?: string; path?: string };
      polluted.method = 'PUT';
      polluted.path = '/inherited';
      try {
        const req = side.request({ host: '127.0.0.1', port, agent: false });
        req.on('error', () => {});
        const out = [req.method, req.path];
        req.destroy();
        return out;
      } finally {
        delete polluted.method;
        delete polluted.path;
      }
    });
    expect(trace).toEqual(requestOptionsWithoutPrototype ? ['GET', '/'] : ['PUT', '/inherited']);
  });

  test('destroy() after the exchange is over leaves the socket to the agent on 24.22+ and 26.10+', async () => {
    const trace = (await bothSides(
      (side, port) =>
        new Promise((resolve) => {
          const agent = new side.Agent({ keepAlive: true });
          const events: unknown[] = [];
          const req = side.get({ host: '127.0.0.1', port, agent }, (res) => {
            // The whole response is in before anyone reads it: it is complete, not ended.
            res.pause();
            const socket = req.socket as net.Socket;
            res.on('end', () => events.push('res end'));
            res.on('close', () => events.push('res close'));
            res.on('error', (e: NodeJS.ErrnoException) => events.push(['res error', e.code]));
            req.on('close', () => events.push('req close'));
            req.on('error', (e: NodeJS.ErrnoException) => events.push(['req error', e.code]));
            setTimeout(() => {
              events.push(['complete', res.complete, req.writableFinished]);
              req.destroy();
              events.push(['destroyed', req.destroyed, socket.destroyed]);
              setTimeout(() => {
                events.push(['socket destroyed', socket.destroyed, 'free', Object.keys(agent.freeSockets).length]);
                agent.destroy();
                resolve(events);
              }, 50);
            }, 50);
          });
        }),
    )) as unknown[];
    expect(trace[0]).toEqual(['complete', true, true]);
    expect(trace[trace.length - 1]).toEqual(['socket destroyed', !destroyAfterExchangeKeepsSocket, 'free', destroyAfterExchangeKeepsSocket ? 1 : 0]);
  });
});

describe('the setDefaultHeaders option of http.request() (22.13+)', () => {
  test('false leaves out Host, Connection and the body framing unless set; setHost still decides Host', async () => {
    const trace = (await bothSides(async (side) => {
      const heads: string[] = [];
      // Answers each request once its head is in, and closes.
      const server = net.createServer((socket) => {
        let bytes = '';
        socket.on('data', (data) => {
          bytes += data.toString('latin1');
          if (!bytes.includes('\r\n\r\n')) return;
          heads.push(bytes);
          socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      try {
        for (const options of [
          { setDefaultHeaders: false },
          { setDefaultHeaders: false, setHost: true },
          { setDefaultHeaders: false, method: 'POST' },
          { setDefaultHeaders: true, method: 'POST' },
        ]) {
          await new Promise<void>((resolve) => {
            const req = side.request({ host: '127.0.0.1', port, agent: false, ...options } as http.RequestOptions, (res) => {
              res.resume();
              res.on('end', resolve);
            });
            req.on('error', (e: NodeJS.ErrnoException) => {
              heads.push(`error ${e.code}`);
              resolve();
            });
            if (options.method === 'POST') req.write('abc');
            req.end();
          });
        }
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      return heads.map((head) => head.split(String(port)).join('PORT'));
    })) as string[];
    expect(trace[0]).toBe(hasSetDefaultHeaders ? 'GET / HTTP/1.1\r\n\r\n' : 'GET / HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nConnection: close\r\n\r\n');
    expect(trace[2].startsWith(hasSetDefaultHeaders ? 'POST / HTTP/1.1\r\n\r\n' : 'POST / HTTP/1.1\r\nHost')).toBe(true);
  });
});

describe('errors of a socket before the request takes it', () => {
  test('an error a createConnection socket emits on the next tick is the request\'s on 24.15+ and 26', async () => {
    const trace = await bothSides(
      (side) =>
        new Promise((resolve) => {
          const events: unknown[] = [];
          const req = side.request({
            host: '127.0.0.1',
            port: 9,
            createConnection: () => {
              const socket = new net.Socket();
              // A listener of the caller's, so that on the lines before the error is nobody's
              // else it would be uncaught.
              socket.on('error', (error: NodeJS.ErrnoException) => events.push(['socket error', error.code]));
              process.nextTick(() => socket.emit('error', Object.assign(new Error('early'), { code: 'EARLY' })));
              return socket;
            },
          } as http.RequestOptions);
          req.on('error', (error: NodeJS.ErrnoException) => events.push(['req error', error.code]));
          req.on('close', () => setTimeout(() => resolve(events), 20));
          req.end();
        }),
    );
    expect((trace as unknown[])[0]).toEqual(['socket error', 'EARLY']);
    expect(trace).toContainEqual(['req error', socketErrorsHeardAtOnSocket ? 'EARLY' : 'ERR_SOCKET_CLOSED']);
  });
});

describe('CONNECT and aborted responses on 26', () => {
  test('a CONNECT\'s path and default Host (26.5: the path; 26.11: a URL\'s without its slash)', async () => {
    const trace = (await bothSides((side) =>
      withRawServer(['HTTP/1.1 200 Connection Established\r\n\r\n'], async (port, received) => {
        const paths: unknown[] = [];
        const calls: Array<[string | http.RequestOptions, http.RequestOptions?]> = [
          [`http://127.0.0.1:${port}/example.com:443`, { method: 'CONNECT' }],
          [`http://127.0.0.1:${port}/example.com:443`, { method: 'CONNECT', path: 'other.com:80' }],
          [{ host: '127.0.0.1', port, method: 'CONNECT', path: 'third.com:443' }],
          [{ host: '127.0.0.1', port, method: 'CONNECT' }],
          [`http://127.0.0.1:${port}/`, { method: 'CONNECT' }],
        ];
        for (const [input, options] of calls) {
          await new Promise<void>((resolve) => {
            const req = options ? side.request(input as string, options) : side.request(input as http.RequestOptions);
            paths.push(req.path);
            req.on('connect', (_res, socket) => {
              socket.destroy();
              resolve();
            });
            req.on('error', (e: NodeJS.ErrnoException) => {
              paths.push(e.code);
              resolve();
            });
            req.end();
          });
        }
        // Request line and Host, the port written as PORT.
        return { paths, heads: received.map((head) => head.split('\r\n').slice(0, 2).join(' | ').split(String(port)).join('PORT')) };
      }),
    )) as { paths: string[]; heads: string[] };
    expect(trace.paths[0]).toBe(connectPathFromUrlTrimmed ? 'example.com:443' : '/example.com:443');
    expect(trace.heads[2]).toBe(`CONNECT third.com:443 HTTP/1.1 | Host: ${connectHostIsPath ? 'third.com:443' : '127.0.0.1:PORT'}`);
    expect(trace.heads[3]).toBe('CONNECT / HTTP/1.1 | Host: 127.0.0.1:PORT');
  });

  test('a response cut short by a socket error: its \'aborted\' has the error as its cause on 26.11+', async () => {
    const trace = await bothSides(async (side) => {
      const server = net.createServer((socket) =>
        socket.once('data', () => {
          socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc');
          setTimeout(() => socket.resetAndDestroy(), 30);
        }),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        return await new Promise((resolve) => {
          const events: unknown[] = [];
          let reqError: unknown;
          const req = side.get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, agent: false }, (res) => {
            res.on('data', () => {});
            res.on('error', (e: NodeJS.ErrnoException) => {
              const cause = e.cause as NodeJS.ErrnoException | undefined;
              events.push(['res error', e.code, e.message, cause === undefined ? 'no cause' : [cause.code, cause === reqError]]);
            });
            res.on('close', () => setImmediate(() => resolve(events)));
          });
          req.on('error', (e: NodeJS.ErrnoException) => {
            reqError = e;
            events.push(['req error', e.code]);
          });
        });
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
    expect((trace as unknown[])[1]).toEqual(['res error', 'ECONNRESET', 'aborted', abortedResponseHasCause ? ['ECONNRESET', true] : 'no cause']);
  });
});
