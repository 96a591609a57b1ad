// ClientRequest as a caller drives it (writing the body, its options, aborting), differentially:
// each scenario runs with node:http's request()/get() and with uvhttp's (see
// test/helpers/client-harness), and the traces must be equal: the request's events, what
// throws, and the BYTES the raw server received. Each test also asserts, on node's trace, the
// facts the scenario is about.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import {
  ClientRun,
  delay,
  describeError,
  differential,
  eventNames,
  events,
  listen,
  logged,
  RawConn,
  thrown,
  within,
} from '../helpers/client-harness';

jest.setTimeout(20_000);

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

// A raw server answering every request (head and body as framed) with 200 "ok"; what it
// received is logged per connection by `received`.
async function recorder(run: ClientRun, respond = OK) {
  return run.rawServer('srv', async (conn: RawConn) => {
    for (;;) {
      await conn.request(5000);
      conn.write(respond);
    }
  });
}

function received(run: ClientRun, server: { conns: RawConn[] }): void {
  run.log('received', server.conns.map((conn) => conn.received.toString('latin1')));
}

describe('the body: write() and end()', () => {
  test('strings, Buffers and Uint8Arrays in several encodings, chunked by default', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const ex = run.request(server, 'a', { method: 'POST' }, { keepOpen: true });
      const results = [
        ex.req.write('plain '),
        ex.req.write(Buffer.from('buffer ')),
        ex.req.write(new Uint8Array([0x75, 0x38, 0x20])),
        ex.req.write('68657820', 'hex'),
        ex.req.write('YjY0IA==', 'base64'),
        ex.req.write('caf\u00e9 ', 'latin1'),
        ex.req.write('caf\u00e9 \u20ac ', 'utf8'),
        ex.req.write(''),
      ];
      run.log('write results', results);
      ex.req.end('end', 'utf8');
      await ex.done;
      received(run, server);
    });
    expect(String(logged(trace, 'received')[0])).toContain('Transfer-Encoding: chunked');
  });

  test('end(data) alone: the body gets a Content-Length', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const ex = run.request(server, 'a', { method: 'PUT' }, { keepOpen: true });
      ex.req.end(Buffer.from('the whole body'));
      await ex.done;
      received(run, server);
    });
    expect(String(logged(trace, 'received')[0])).toContain('Content-Length: 14');
  });

  test('a Content-Length set by the caller: the body is sent as it is', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const ex = run.request(server, 'a', { method: 'POST', headers: { 'Content-Length': 10 } }, { keepOpen: true });
      ex.req.write('01234');
      ex.req.write('56789');
      ex.req.end();
      await ex.done;
      received(run, server);
    });
    expect(String(logged(trace, 'received')[0])).not.toContain('chunked');
  });

  test('GET with end(data), and GET with write(): no chunked framing for a GET', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const agent = run.agent({ keepAlive: true });
      const a = run.request(server, 'a', { agent }, { keepOpen: true });
      a.req.end('get body');
      await a.done;
      const b = run.request(server, 'b', { agent: false }, { keepOpen: true });
      b.req.write('written');
      b.req.end();
      await b.done;
      received(run, server);
    });
    // Node frames neither: no Content-Length, no chunked, the body follows the head as it is.
    expect(String(logged(trace, 'received')[0])).toContain('Connection: keep-alive\r\n\r\nget body');
  });

  test('Transfer-Encoding: chunked set by the caller, and a trailer', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.head();
        // The body ends with the trailer section: read to its empty line.
        for (let i = 0; i < 50 && !conn.received.toString('latin1').endsWith('\r\n\r\n0\r\nX-Sum: 42\r\n\r\n'); i++) await delay(10);
        conn.write(OK);
      });
      const ex = run.request(server, 'a', { method: 'POST', headers: { 'Transfer-Encoding': 'chunked', Trailer: 'X-Sum' } }, { keepOpen: true });
      ex.req.write('abc');
      ex.req.addTrailers({ 'X-Sum': '42' });
      ex.req.end();
      await ex.done;
      received(run, server);
    });
    expect(String(logged(trace, 'received')[0])).toContain('X-Sum: 42');
  });

  test('invalid writes: a number, null, write after end', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const ex = run.request(server, 'a', { method: 'POST' }, { keepOpen: true });
      run.log('number', thrown(() => ex.req.write(42 as unknown as string)));
      run.log('null', thrown(() => ex.req.write(null as unknown as string)));
      ex.req.end('x');
      await new Promise<void>((resolve) => {
        const result = ex.req.write('late', (err) => {
          run.log('late write callback', describeError(err));
          resolve();
        });
        run.log('late write returned', result);
      });
      await ex.done;
    });
    expect((logged(trace, 'number')[0] as { code: string }).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(events(trace, 'error')[0][2]).toMatchObject({ code: 'ERR_STREAM_WRITE_AFTER_END' });
  });

  test("backpressure: write() returns false on a large upload to a slow reader, and 'drain' follows", async () => {
    const total = 8 * 1024 * 1024;
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        conn.socket.pause();
        await delay(150);
        conn.socket.resume();
        await conn.request(8000);
        conn.write(OK);
      });
      const ex = run.request(server, 'a', { method: 'POST', headers: { 'Content-Length': total } }, { keepOpen: true });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let written = 0;
      let sawFalse = false;
      let drains = 0;
      ex.req.on('drain', () => drains++);
      while (written < total) {
        written += chunk.length;
        if (!ex.req.write(chunk)) {
          sawFalse = true;
          run.log('needs drain', ex.req.writableNeedDrain);
          await within(new Promise((resolve) => ex.req.once('drain', resolve)), 5000, "'drain'");
          break;
        }
      }
      while (written < total) {
        written += chunk.length;
        if (!ex.req.write(chunk)) await within(new Promise((resolve) => ex.req.once('drain', resolve)), 5000, "'drain'");
      }
      ex.req.end();
      await ex.done;
      run.log('saw false', sawFalse, 'drained', drains > 0, 'server got', server.conns[0].received.length);
    });
    expect(logged(trace, 'saw false')).toEqual([true]);
  });
});

describe('the head', () => {
  test('flushHeaders() sends the head before the body', async () => {
    const trace = await differential(async (run) => {
      let headArrived: Promise<string> = Promise.resolve('');
      const server = await run.rawServer('srv', async (conn) => {
        headArrived = conn.head();
        await headArrived;
        await conn.bytes(4, 3000);
        conn.write(OK);
      });
      const ex = run.request(server, 'a', { method: 'POST', headers: { 'Content-Length': 4 } }, { keepOpen: true });
      ex.req.flushHeaders();
      run.log('headersSent', ex.req.headersSent);
      await within(
        (async () => {
          while (server.conns.length === 0) await delay(5);
          return headArrived;
        })(),
        3000,
        'the head',
      );
      run.log('head arrived before end()');
      ex.req.end('body');
      await ex.done;
      received(run, server);
    });
    expect(logged(trace, 'headersSent')).toEqual([true]);
  });

  test('setHeader, getHeader, hasHeader, removeHeader, getHeaders, getHeaderNames, getRawHeaderNames', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const ex = run.request(server, 'a', { headers: { 'X-Init': 'yes' } }, { keepOpen: true });
      const req = ex.req;
      req.setHeader('X-Multi', ['a', 'b']);
      req.setHeader('x-Number', 7);
      req.setHeader('X-Gone', 'bye');
      req.removeHeader('x-gone');
      req.appendHeader?.('X-Multi', 'c');
      run.log('get', req.getHeader('x-multi'), req.getHeader('X-NUMBER'), req.getHeader('missing'));
      run.log('has', req.hasHeader('X-INIT'), req.hasHeader('x-gone'));
      run.log('names', req.getHeaderNames(), req.getRawHeaderNames());
      run.log('headers', req.getHeaders());
      run.log('bad name', thrown(() => req.setHeader('Bad Name', 'x')));
      run.log('bad value', thrown(() => req.setHeader('X-Bad', 'a\r\nb')));
      run.log('undefined value', thrown(() => req.setHeader('X-Undef', undefined as unknown as string)));
      req.end();
      run.log('after end', thrown(() => req.setHeader('X-Late', '1')), thrown(() => req.removeHeader('X-Init')));
      await ex.done;
      received(run, server);
    });
    expect(String(logged(trace, 'received')[0])).toContain('X-Multi: a');
  });

  test('headers given as a flat array keep their order, case and repeats', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const ex = run.request(server, 'a', { headers: ['X-A', '1', 'x-a', '2', 'Host', 'example.test', 'X-B', 'three'] as unknown as http.OutgoingHttpHeaders });
      await ex.done;
      received(run, server);
    });
    expect(String(logged(trace, 'received')[0])).toContain('Host: example.test');
  });

  test('auth, setHost: false, a method in lower case', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent, auth: 'user:p@ss:word' }).done;
      await run.request(server, 'b', { agent, setHost: false, method: 'delete' }).done;
      await run.request(server, 'c', { agent, auth: 'ignored:x', headers: { Authorization: 'Bearer mine' } }).done;
      received(run, server);
    });
    expect(String(logged(trace, 'received')[0])).toContain('Authorization: Basic');
  });

  test("agent: false asks for Connection: close; a keep-alive agent for keep-alive", async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      await run.request(server, 'a', { agent: false }).done;
      await run.request(server, 'b', { agent: run.agent({ keepAlive: true }) }).done;
      received(run, server);
    });
    expect(logged(trace, 'received')[0]).toEqual([expect.stringContaining('Connection: close'), expect.stringContaining('Connection: keep-alive')]);
  });

  test('uniqueHeaders joins the values of the listed fields on one line', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const ex = run.request(server, 'a', { uniqueHeaders: ['x-u', 'X-V'], headers: { 'X-U': ['a', 'b'], 'x-v': ['1', '2'], 'X-W': ['p', 'q'] } } as http.RequestOptions);
      await ex.done;
      received(run, server);
    });
    expect(String(logged(trace, 'received')[0])).toContain('X-U: a; b');
  });

  test('joinDuplicateHeaders joins repeated response fields', async () => {
    const trace = await differential(async (run) => {
      const dup = 'HTTP/1.1 200 OK\r\nX-A: 1\r\nX-A: 2\r\nSet-Cookie: a\r\nSet-Cookie: b\r\nContent-Type: x\r\nContent-Type: y\r\nContent-Length: 2\r\n\r\nok';
      const server = await recorder(run, dup);
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'joined', { agent, joinDuplicateHeaders: true } as http.RequestOptions).done;
      await run.request(server, 'default', { agent }).done;
    });
    expect((events(trace, 'response')[0][5] as Record<string, unknown>)['x-a']).toBe('1, 2');
  });
});

describe('the request object', () => {
  test('its properties as the exchange goes (method, path, host, protocol, headersSent, writable*, finished)', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const ex = run.request(server, 'a', { method: 'patch', path: '/p?x=1' }, { keepOpen: true });
      const req = ex.req as http.ClientRequest & { finished: boolean; host: string; protocol: string };
      const snapshot = (when: string) =>
        run.log('at', when, {
          method: req.method,
          path: req.path,
          host: req.host,
          protocol: req.protocol,
          headersSent: req.headersSent,
          writable: req.writable,
          writableEnded: req.writableEnded,
          writableFinished: req.writableFinished,
          finished: req.finished,
          destroyed: req.destroyed,
          aborted: req.aborted,
          reusedSocket: req.reusedSocket,
          maxHeadersCount: req.maxHeadersCount,
          hasSocket: req.socket !== null && req.socket !== undefined,
        });
      snapshot('created');
      req.on('socket', () => snapshot('socket'));
      req.on('finish', () => snapshot('finish'));
      req.on('response', () => snapshot('response'));
      req.on('close', () => snapshot('close'));
      req.write('x');
      snapshot('written');
      req.end(() => run.log('end callback'));
      snapshot('ended');
      await ex.done;
    });
    expect(logged(trace, 'at')).toEqual(['created', 'written', 'ended', 'socket', 'finish', 'response', 'close']);
  });

  test('writableFinished: true once end() has flushed everything to a connected socket, before finish', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'first', { agent }).done;
      // The second request gets the idle, connected socket; end() flushes to it at once.
      const ex = run.request(server, 'second', { agent, method: 'POST' }, { keepOpen: true });
      const req = ex.req;
      run.log('created', req.writableFinished);
      req.on('socket', () => {
        run.log('socket', req.writableFinished);
        req.write('ab');
        run.log('written', req.writableFinished);
        req.end('cd');
        run.log('ended', req.writableFinished);
        process.nextTick(() => run.log('next tick', req.writableFinished));
      });
      req.on('finish', () => run.log('at finish', req.writableFinished));
      await ex.done;
    });
    // Node 24 sets it with 'finish' instead.
    expect(logged(trace, 'ended')).toEqual([Number(process.versions.node.split('.')[0]) < 24]);
    expect(logged(trace, 'written')).toEqual([false]);
  });

  test('Host: defaultPort leaves the port out, hostname wins over host, a port given as a string', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent, defaultPort: server.port }).done;
      await run.request(server, 'b', { agent, hostname: '127.0.0.1', host: 'ignored.test' }).done;
      await run.request(server, 'c', { agent, port: String(server.port) as unknown as number }).done;
      received(run, server);
    });
    expect(String(logged(trace, 'received')[0])).toContain('Host: 127.0.0.1\r\n');
  });

  test('header values outside ASCII go out as latin1 bytes; numbers and arrays as strings', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const ex = run.request(server, 'a', { headers: { 'X-Latin': 'caf\u00e9', 'X-Num': 42, 'X-List': ['a', 'b'] } as http.OutgoingHttpHeaders });
      await ex.done;
      received(run, server);
    });
    expect(String(logged(trace, 'received')[0])).toContain('X-Latin: caf\u00e9');
  });
});

describe('options that throw', () => {
  test('invalid paths, protocols, methods, hosts, header values and timeouts throw synchronously', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const base = { host: '127.0.0.1', port: server.port, agent: run.agent() };
      const attempts: Array<[string, http.RequestOptions | string]> = [
        ['space in path', { ...base, path: '/a b' }],
        ['tab in path', { ...base, path: '/a\tb' }],
        ['https protocol', { ...base, protocol: 'https:' }],
        ['https url', 'https://127.0.0.1/'],
        ['ftp protocol', { ...base, protocol: 'ftp:' }],
        ['bad method', { ...base, method: 'BAD METHOD' }],
        ['method not a string', { ...base, method: 5 as unknown as string }],
        ['host not a string', { ...base, host: 5 as unknown as string }],
        ['bad header value', { ...base, headers: { 'X-A': 'a\nb' } }],
        ['bad header name', { ...base, headers: { 'X A': 'b' } }],
        ['negative timeout', { ...base, timeout: -1 }],
        ['string timeout', { ...base, timeout: '5' as unknown as number }],
        ['bad agent', { ...base, agent: {} as http.Agent }],
        ['maxHeaderSize not a number', { ...base, maxHeaderSize: 'big' as unknown as number }],
        ['insecureHTTPParser not a boolean', { ...base, insecureHTTPParser: 1 as unknown as boolean }],
        ['invalid localAddress', { ...base, localAddress: 'not-an-ip' }],
      ];
      for (const [name, options] of attempts) {
        run.log(
          name,
          thrown(() => {
            const req = run.http.request(options as http.RequestOptions);
            req.on('error', () => {});
            req.destroy();
          }),
        );
      }
      run.log('invalid url', thrown(() => run.http.request('not a url')));
    });
    expect((logged(trace, 'space in path')[0] as { code: string }).code).toBe('ERR_UNESCAPED_CHARACTERS');
    expect((logged(trace, 'https protocol')[0] as { code: string }).code).toBe('ERR_INVALID_PROTOCOL');
  });
});

describe('url forms', () => {
  test('a url string, a URL, and either merged with options; get() ends the request', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const agent = run.agent({ keepAlive: true });
      const base = `http://127.0.0.1:${server.port}`;
      const forms: Array<[string, () => http.ClientRequest]> = [
        ['string', () => run.http.request(`${base}/s?q=1#frag`, { agent })],
        ['URL', () => run.http.request(new URL(`${base}/u/%20x?y=2`), { agent })],
        ['string+options', () => run.http.request(`${base}/merged`, { agent, method: 'POST', headers: { 'X-Opt': '1' }, path: '/override' })],
        ['URL+options', () => run.http.request(new URL(`http://user:pw@127.0.0.1:${server.port}/auth`), { agent, headers: { 'X-U': 'v' } })],
        ['get string', () => run.http.get(`${base}/get`, { agent })],
        ['get options+callback', () => run.http.get({ host: '127.0.0.1', port: server.port, path: '/cb', agent }, (res) => run.log('callback', res.statusCode))],
      ];
      for (const [tag, make] of forms) {
        const req = make();
        const ex = run.watch(req, tag, { keepOpen: true });
        if (!req.writableEnded) req.end();
        await ex.done;
      }
      received(run, server);
    });
    expect(events(trace, 'response')).toHaveLength(6);
  });
});

describe('timeouts', () => {
  test("the timeout option: 'timeout' on an idle request, then the caller destroys it", async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
      });
      const ex = run.request(server, 'a', { timeout: 100 });
      ex.req.on('timeout', () => ex.req.destroy());
      await ex.done;
    });
    expect(eventNames(trace, 'a')).toEqual(['socket', 'finish', 'timeout', 'error', 'close']);
  });

  test('req.setTimeout(ms, callback) before the socket, and a response that comes in time', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        await delay(200);
        conn.write(OK);
        for (;;) {
          await conn.request(5000);
          conn.write(OK);
        }
      });
      const agent = run.agent({ keepAlive: true });
      const a = run.request(server, 'late', { agent });
      a.req.setTimeout(80, () => run.log('late', 'callback'));
      await a.done;
      const b = run.request(server, 'fast', { agent });
      b.req.setTimeout(1000, () => run.log('fast', 'callback'));
      await b.done;
      await delay(50);
    });
    expect(trace).toContainEqual(['late', 'callback']);
    expect(trace).not.toContainEqual(['fast', 'callback']);
  });

  test("a response's body stalls: the response gets 'timeout' too", async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf');
      });
      const ex = run.request(server, 'a', { timeout: 100 });
      ex.req.on('timeout', () => ex.req.destroy());
      await ex.done;
    });
    expect(eventNames(trace, 'a')).toContain('res timeout');
  });
});

describe('aborting', () => {
  test('an AbortSignal aborted before the response', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
      });
      const controller = new AbortController();
      const ex = run.request(server, 'a', { signal: controller.signal });
      ex.req.on('socket', (socket) => socket.on('connect', () => setTimeout(() => controller.abort(), 20)));
      await ex.done;
      run.log('destroyed', ex.req.destroyed, 'aborted', ex.req.aborted);
    });
    expect(events(trace, 'error')[0][2]).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
  });

  test('an AbortSignal already aborted', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const ex = run.request(server, 'a', { signal: AbortSignal.abort() });
      await ex.done;
      await delay(20);
      run.log('connections', server.conns.length);
    });
    expect(events(trace, 'error')[0][2]).toMatchObject({ code: 'ABORT_ERR' });
  });

  test('an AbortSignal aborted while the body arrives', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf');
      });
      const controller = new AbortController();
      const ex = run.request(server, 'a', { signal: controller.signal });
      ex.req.on('response', (res) => res.once('data', () => controller.abort()));
      await ex.done;
    });
    expect(eventNames(trace, 'a')).toContain('res aborted');
  });

  test('abort() before the socket, while waiting for the response, and during the body', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        const head = await conn.request();
        if (head.includes('/body')) conn.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf');
      });
      const first = run.request(server, 'first');
      first.req.abort();
      await first.done;
      const waiting = run.request(server, 'waiting');
      waiting.req.on('finish', () => setTimeout(() => waiting.req.abort(), 20));
      await waiting.done;
      const body = run.request(server, 'body');
      body.req.on('response', (res) => res.once('data', () => body.req.abort()));
      await body.done;
      run.log('aborted', first.req.aborted, waiting.req.aborted, body.req.aborted);
    });
    expect(events(trace, 'abort')).toHaveLength(3);
  });

  test('destroy(error) and destroy() while waiting for the response', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
      });
      const withError = run.request(server, 'with-error');
      withError.req.on('finish', () => setTimeout(() => withError.req.destroy(Object.assign(new Error('mine'), { code: 'EMINE' })), 20));
      await withError.done;
      const plain = run.request(server, 'plain');
      plain.req.on('finish', () => setTimeout(() => plain.req.destroy(), 20));
      await plain.done;
      const early = run.request(server, 'early');
      early.req.destroy(new Error('before the socket'));
      await early.done;
      run.log('destroyed', withError.req.destroyed, plain.req.destroyed, early.req.destroyed);
    });
    expect(events(trace, 'error')[0][2]).toMatchObject({ code: 'EMINE', message: 'mine' });
  });

  test('destroying the response in the middle of its body', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf');
      });
      const ex = run.request(server, 'a');
      ex.req.on('response', (res) => res.once('data', () => res.destroy()));
      await ex.done;
    });
    expect(eventNames(trace, 'a')).toContain('res aborted');
  });
});

describe('how the connection is made', () => {
  test('a lookup option is called with the host name and its options', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const lookup = (hostname: string, options: Record<string, unknown>, callback: (...args: unknown[]) => void) => {
        run.log('lookup', hostname, options);
        if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
        else callback(null, '127.0.0.1', 4);
      };
      const ex = run.request(server, 'a', { host: 'my-service.test', lookup: lookup as unknown as net.LookupFunction });
      await ex.done;
      received(run, server);
    });
    expect(logged(trace, 'lookup')).toEqual(['my-service.test']);
  });

  test('a lookup that fails', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const lookup = (_hostname: string, _options: unknown, callback: (...args: unknown[]) => void) =>
        callback(Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'nowhere.test' }));
      await run.request(server, 'a', { host: 'nowhere.test', lookup: lookup as unknown as net.LookupFunction }).done;
    });
    expect(events(trace, 'error')[0][2]).toMatchObject({ code: 'ENOTFOUND' });
  });

  test('socketPath: a node:http server on a unix socket', async () => {
    const trace = await differential(async (run) => {
      const socketPath = path.join(os.tmpdir(), `uvhttp-client-${process.pid}-${run.side.name}.sock`);
      const server = http.createServer((req, res) => {
        run.log('server', req.method, req.url, req.headers.host);
        res.sendDate = false;
        res.end('over the pipe');
      });
      // A file left by a run that was killed would make listen fail.
      fs.rmSync(socketPath, { force: true });
      await listen(server, socketPath);
      run.onCleanup(() => {
        server.closeAllConnections();
        server.close();
      });
      const ex = run.watch(run.http.request({ socketPath, path: '/unix', agent: run.agent() }), 'a');
      await ex.done;
    });
    expect(events(trace, 'res end')[0][2]).toBe('over the pipe');
  });

  test('localAddress binds the client end', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        run.log('remote address', conn.socket.remoteAddress);
        await conn.request();
        conn.write(OK);
      });
      await run.request(server, 'a', { localAddress: '127.0.0.1' }).done;
    });
    expect(logged(trace, 'remote address')).toEqual(['127.0.0.1']);
  });

  test("createConnection: the request runs over the caller's own net.Socket", async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n');
      const createConnection = (options: Record<string, unknown>) => {
        run.log('createConnection', options.host, options.port, options.path);
        return net.createConnection({ host: '127.0.0.1', port: server.port });
      };
      const ex = run.request(server, 'a', { method: 'POST', createConnection } as unknown as http.RequestOptions, { keepOpen: true });
      ex.req.end('sent over it');
      await ex.done;
      received(run, server);
    });
    expect(events(trace, 'res end')[0][2]).toBe('abc');
  });

  test('createConnection with a callback, giving an error', async () => {
    const trace = await differential(async (run) => {
      const server = await recorder(run);
      const createConnection = (_options: unknown, callback: (err: Error | null, socket?: net.Socket) => void) => {
        setTimeout(() => callback(Object.assign(new Error('no connection for you'), { code: 'ENOPE' })), 10);
        return undefined;
      };
      const ex = run.request(server, 'a', { createConnection } as unknown as http.RequestOptions);
      // Node emits the error alone: no 'close' follows.
      await within(new Promise((resolve) => ex.req.once('error', resolve)), 3000, "the request's 'error'");
      await delay(30);
    });
    expect(events(trace, 'error')[0][2]).toMatchObject({ code: 'ENOPE' });
  });
});
