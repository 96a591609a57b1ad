// The client reading well-formed responses, differentially: each scenario runs with node:http's
// request() and with uvhttp's against a raw net server writing literal response bytes (see
// test/helpers/client-harness), and the traces (events in order, head, body, trailers, errors)
// must be equal. Each test also asserts, on node's trace, the facts the scenario is about.
import * as net from 'node:net';

import { answers, delay, differential, eventNames, events, logged, RawConn, within } from '../helpers/client-harness';

jest.setTimeout(20_000);

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

// Logs the socket's 'end' and 'close' under the request's tag, as a user listening once the
// request has its socket.
function watchSocketEnd(run: { log(...entry: unknown[]): void }, req: { on(event: 'socket', cb: (socket: net.Socket) => void): unknown }, tag: string): void {
  req.on('socket', (socket) => {
    socket.on('end', () => run.log(tag, 'socket end'));
    socket.on('close', () => run.log(tag, 'socket close'));
  });
}

describe('response framing', () => {
  test('Content-Length body, with repeated and differently cased fields', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer(
        'srv',
        answers(
          'HTTP/1.1 200 Fine Thanks\r\nContent-Length: 11\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nX-Dup: one\r\nx-dup: two\r\n' +
            'Content-Type: text/plain\r\ncontent-type: text/html\r\nX-Empty:\r\nX-Spaces:   padded  \r\n\r\nhello world',
        ),
      );
      await run.request(server, 'a').done;
    });
    expect(events(trace, 'response')[0].slice(2, 4)).toEqual([200, 'Fine Thanks']);
    expect(events(trace, 'res end')[0][2]).toBe('hello world');
  });

  test('chunked body with trailers', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer(
        'srv',
        answers(
          'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n' +
            '5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Sum: abc\r\nx-sum: def\r\nX-Other: 1\r\n\r\n',
        ),
      );
      await run.request(server, 'a').done;
    });
    const end = events(trace, 'res end')[0];
    expect(end[2]).toBe('hello world');
    expect(end[4]).toEqual({ 'x-sum': 'abc, def', 'x-other': '1' });
  });

  test('chunked body written a few bytes at a time', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        const bytes = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n';
        for (let i = 0; i < bytes.length; i += 7) {
          conn.write(bytes.slice(i, i + 7));
          await delay(2);
        }
      });
      await run.request(server, 'a').done;
    });
    expect(events(trace, 'res end')[0][2]).toBe('abc0123456789abcdef');
  });

  test('body delimited by the close of the connection (no Content-Length, Connection: close)', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nfirst part, ');
        await delay(20);
        conn.end('second part');
      });
      const ex = run.request(server, 'a', { agent: run.agent({ keepAlive: true }) });
      watchSocketEnd(run, ex.req, 'a');
      await ex.done;
    });
    expect(events(trace, 'res end')[0][2]).toBe('first part, second part');
    // The body ends with the socket's 'end': that comes first.
    expect(eventNames(trace, 'a').filter((name) => name.includes('end') || name.includes('close'))).toEqual([
      'socket end',
      'res end',
      'res close',
      'close',
      'socket close',
    ]);
  });

  test('an HTTP/1.0 server: close-delimited body, no keep-alive', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nfrom the nineties');
      });
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent }).done;
      // The connection was not kept: the next request opens another.
      await run.request(server, 'b', { agent }).done;
      run.log('connections', server.conns.length);
    });
    expect(events(trace, 'response')[0][4]).toBe('1.0');
    expect(logged(trace, 'connections')).toEqual([2]);
  });

  test('HTTP/1.0 keep-alive response with Content-Length is reused', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok', OK));
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent }).done;
      await run.request(server, 'b', { agent }).done;
      run.log('connections', server.conns.length);
    });
    expect(logged(trace, 'connections')).toEqual([1]);
  });
});

describe('responses without a body', () => {
  test('HEAD: the Content-Length is not read as a body, and the connection carries the next request', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/html\r\n\r\n', OK));
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent, method: 'HEAD' }).done;
      await run.request(server, 'b', { agent }).done;
      run.log('connections', server.conns.length);
    });
    expect(events(trace, 'res end').map((e) => e[2])).toEqual(['', 'ok']);
    expect(logged(trace, 'connections')).toEqual([1]);
  });

  test('HEAD with a chunked response head', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', OK));
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent, method: 'HEAD' }).done;
      await run.request(server, 'b', { agent }).done;
    });
    expect(events(trace, 'res end').map((e) => e[2])).toEqual(['', 'ok']);
  });

  for (const status of ['204 No Content', '304 Not Modified']) {
    test(`${status} ends with its head, and the connection carries the next request`, async () => {
      const trace = await differential(async (run) => {
        const server = await run.rawServer('srv', answers(`HTTP/1.1 ${status}\r\nETag: "x"\r\n\r\n`, OK));
        const agent = run.agent({ keepAlive: true });
        await run.request(server, 'a', { agent }).done;
        await run.request(server, 'b', { agent }).done;
        run.log('connections', server.conns.length);
      });
      expect(events(trace, 'res end').map((e) => e[2])).toEqual(['', 'ok']);
      expect(logged(trace, 'connections')).toEqual([1]);
    });
  }

  test('304 with a Content-Length has no body', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers('HTTP/1.1 304 Not Modified\r\nContent-Length: 42\r\n\r\n', OK));
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent }).done;
      await run.request(server, 'b', { agent }).done;
    });
    expect(events(trace, 'res end').map((e) => e[2])).toEqual(['', 'ok']);
  });
});

describe('interim (1xx) responses', () => {
  test("Expect: 100-continue: 'continue' and 'information', then the body goes out", async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        const head = await conn.head();
        run.log('server got head', head.includes('Expect: 100-continue'));
        conn.write('HTTP/1.1 100 Continue\r\n\r\n');
        run.log('server got body', await conn.bytes(4));
        conn.write(OK);
      });
      const ex = run.request(server, 'a', { method: 'POST', headers: { Expect: '100-continue', 'Content-Length': 4 } }, { keepOpen: true });
      ex.req.on('continue', () => ex.req.end('data'));
      await ex.done;
    });
    expect(eventNames(trace, 'a')).toEqual(['socket', 'continue', 'information', 'finish', 'response', 'res end', 'res close', 'close']);
  });

  test("102 and 103 before the final response are 'information' events", async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.write('HTTP/1.1 102 Processing\r\n\r\n');
        await delay(10);
        conn.write('HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nLink: </app.js>; rel=preload\r\n\r\n');
        await delay(10);
        conn.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal');
      });
      await run.request(server, 'a').done;
    });
    expect(events(trace, 'information').map((e) => e[2])).toEqual([102, 103]);
    expect(events(trace, 'res end')[0][2]).toBe('final');
  });

  test('interim responses in the same packet as the final one', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer(
        'srv',
        answers('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nnew'),
      );
      await run.request(server, 'a', { method: 'POST' }).done;
    });
    expect(events(trace, 'information').map((e) => e[2])).toEqual([100, 103]);
    expect(events(trace, 'continue')).toHaveLength(1);
  });
});

describe('expectations and protocol switches', () => {
  test("Expect: 100-continue answered at once with a final 417: no 'continue', the body is never sent", async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.head();
        conn.write('HTTP/1.1 417 Expectation Failed\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope');
      });
      const ex = run.request(server, 'a', { method: 'PUT', headers: { Expect: '100-continue', 'Content-Length': 4 } }, { keepOpen: true });
      ex.req.on('continue', () => ex.req.end('data'));
      ex.req.on('response', () => ex.req.destroy());
      await ex.done;
    });
    expect(events(trace, 'response')[0][2]).toBe(417);
    expect(events(trace, 'continue')).toEqual([]);
  });

  test("101 Switching Protocols: 'upgrade' with the socket and the bytes after the head", async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.head();
        conn.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nfirst bytes');
        run.log('after the switch', await conn.bytes(5));
        conn.end('bye');
      });
      const ex = run.request(server, 'a', { headers: { Connection: 'Upgrade', Upgrade: 'echo' } });
      await new Promise<void>((resolve) => {
        ex.req.on('upgrade', (res, socket, head) => {
          run.log('upgrade', res.statusCode, res.headers, head.toString());
          const parts: Buffer[] = [];
          socket.on('data', (d: Buffer) => parts.push(d));
          socket.on('end', () => {
            run.log('socket end', Buffer.concat(parts).toString());
            socket.end();
          });
          socket.on('close', () => resolve());
          socket.write('hello');
        });
      });
    });
    expect(events(trace, 'upgrade')).toEqual([]);
    expect(logged(trace, 'upgrade')).toEqual([101]);
  });

  test("101 without an 'upgrade' listener: the socket is destroyed", async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.head();
        conn.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
      });
      await run.request(server, 'a', { headers: { Connection: 'Upgrade', Upgrade: 'echo' } }).done;
      await delay(20);
      run.log('server saw the end', server.conns[0].ended);
    });
    expect(logged(trace, 'server saw the end')).toEqual([true]);
  });
});

describe('reading the body', () => {
  test('setEncoding: multi-byte characters split across packets', async () => {
    const trace = await differential(async (run) => {
      const body = Buffer.from('h\u00e9llo \u20ac w\u00f6rld \ud83d\ude00', 'utf8');
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
        for (let i = 0; i < body.length; i += 3) {
          conn.write(body.subarray(i, i + 3));
          await delay(3);
        }
      });
      const agent = run.agent();
      const req = run.http.get({ host: '127.0.0.1', port: server.port, agent });
      await new Promise<void>((resolve) => {
        req.on('response', (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (chunk: string) => {
            if (typeof chunk !== 'string') run.log('not a string');
            text += chunk;
          });
          res.on('end', () => {
            run.log('text', text);
            resolve();
          });
        });
      });
    });
    expect(logged(trace, 'text')).toEqual(['h\u00e9llo \u20ac w\u00f6rld \ud83d\ude00']);
  });

  test('a large body read by a paused reader arrives whole', async () => {
    const size = 4 * 1024 * 1024;
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
        conn.write(Buffer.alloc(size, 0x62));
      });
      const req = run.http.get({ host: '127.0.0.1', port: server.port, agent: run.agent() });
      await new Promise<void>((resolve) => {
        req.on('response', (res) => {
          res.pause();
          setTimeout(() => {
            let total = 0;
            let wrong = 0;
            res.on('data', (chunk: Buffer) => {
              total += chunk.length;
              if (chunk.some((b) => b !== 0x62)) wrong++;
            });
            res.on('end', () => {
              run.log('read', total, wrong, res.complete);
              resolve();
            });
            res.resume();
          }, 100);
        });
      });
    });
    expect(logged(trace, 'read')).toEqual([size]);
  });

  test('the response comes before the request body has all gone: the connection is reused after both', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.head();
        conn.write(OK);
        await conn.bytes(10);
        for (;;) {
          await conn.request(5000);
          conn.write(OK);
        }
      });
      const agent = run.agent({ keepAlive: true });
      const a = run.request(server, 'a', { agent, method: 'POST', headers: { 'Content-Length': 10 } }, { keepOpen: true });
      a.req.write('01234');
      await within(new Promise((resolve) => a.req.on('response', (res) => res.on('end', resolve))), 3000, "the response's end");
      await delay(20);
      a.req.end('56789');
      await a.done;
      await run.request(server, 'b', { agent }).done;
      run.log('connections', server.conns.length);
    });
    expect(logged(trace, 'connections')).toEqual([1]);
  });

  // Node marks such a request as the connection's last (_last) but keeps shouldKeepAlive from
  // the agent: a server that keeps the connection open sees it reused.
  test('a request that sets Connection: close itself on a keep-alive agent: the connection still goes back to the pool', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers(OK, OK));
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent, headers: { Connection: 'close' } }).done;
      await run.request(server, 'b', { agent }).done;
      run.log('connections', server.conns.length);
    });
    expect(logged(trace, 'connections')).toEqual([1]);
  });
});

describe('connection reuse', () => {
  test('keep-alive: two requests in turn share one connection (reusedSocket)', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers(OK, 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye'));
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent }).done;
      await run.request(server, 'b', { agent }).done;
      run.log('connections', server.conns.length);
      run.log('requests seen', server.conns[0].received.toString('latin1'));
    });
    expect(events(trace, 'socket').map((e) => e[2])).toEqual([false, true]);
    expect(logged(trace, 'connections')).toEqual([1]);
  });

  test('a response with Connection: close is not reused', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
        // The server keeps its side open: the client is the one that must not reuse it.
      });
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent }).done;
      await run.request(server, 'b', { agent }).done;
      run.log('connections', server.conns.length);
      await delay(20);
      run.log('first connection ended by the client', server.conns[0].ended);
    });
    expect(logged(trace, 'connections')).toEqual([2]);
    expect(events(trace, 'socket').map((e) => e[2])).toEqual([false, false]);
  });

  test('without keep-alive the request asks for Connection: close and the client closes', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers(OK));
      await run.request(server, 'a').done;
      await delay(20);
      run.log('request', server.conns[0].received.toString('latin1'), 'ended', server.conns[0].ended);
    });
    expect(String(logged(trace, 'request')[0])).toContain('Connection: close');
  });

  test('an unread body of a keep-alive response is dumped when nobody listens for the response', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', answers('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst', OK));
      const agent = run.agent({ keepAlive: true });
      const req = run.http.request({ host: '127.0.0.1', port: server.port, path: '/a', agent });
      await new Promise<void>((resolve) => {
        req.on('close', () => resolve());
        req.end();
      });
      run.log('a closed');
      await run.request(server, 'b', { agent }).done;
      run.log('connections', server.conns.length);
    });
    expect(logged(trace, 'connections')).toEqual([1]);
  });
});

describe('the connection failing', () => {
  test('the server closes in the middle of a Content-Length body', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello');
        await delay(20);
        conn.end();
      });
      await run.request(server, 'a').done;
    });
    expect(eventNames(trace, 'a')).toContain('res aborted');
  });

  test('the server resets in the middle of a chunked body', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
        await delay(20);
        conn.socket.resetAndDestroy();
      });
      await run.request(server, 'a', { agent: run.agent({ keepAlive: true }) }).done;
    });
    expect(eventNames(trace, 'a')).toContain('res aborted');
  });

  test('the server closes in the middle of a chunked body, with a response error listener absent', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
        await delay(20);
        conn.end();
      });
      const agent = run.agent();
      const req = run.http.request({ host: '127.0.0.1', port: server.port, path: '/', agent });
      req.on('error', (err: NodeJS.ErrnoException) => run.log('req error', err.code, err.message));
      await new Promise<void>((resolve) => {
        req.on('response', (res) => {
          res.on('data', (chunk: Buffer) => run.log('data', chunk.toString()));
          res.on('aborted', () => run.log('aborted', res.complete, res.readableEnded));
          res.on('end', () => run.log('end'));
          res.on('close', () => {
            run.log('res close', res.destroyed, res.errored ? (res.errored as NodeJS.ErrnoException).code : null);
            resolve();
          });
        });
        req.end();
      });
    });
    expect(trace).toContainEqual(['aborted', false, false]);
  });

  test('the server closes after the request head, before any response: socket hang up', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.end();
      });
      const ex = run.request(server, 'a');
      watchSocketEnd(run, ex.req, 'a');
      await ex.done;
    });
    expect(events(trace, 'error')[0][2]).toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
    // The error comes as the socket emits 'end', before the listeners the user added.
    expect(eventNames(trace, 'a').slice(-4)).toEqual(['error', 'socket end', 'close', 'socket close']);
  });

  test('the server resets after the request head, before any response', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.socket.resetAndDestroy();
      });
      await run.request(server, 'a').done;
    });
    expect(events(trace, 'error')[0][2]).toMatchObject({ code: 'ECONNRESET' });
  });

  test('the server closes after half a response head', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn) => {
        await conn.request();
        conn.write('HTTP/1.1 200 OK\r\nContent-Le');
        await delay(10);
        conn.end();
      });
      await run.request(server, 'a').done;
    });
    expect(events(trace, 'error')).toHaveLength(1);
  });

  test('a connection the server closes while it is idle in the pool is not used again', async () => {
    const trace = await differential(async (run) => {
      const server = await run.rawServer('srv', async (conn: RawConn, index) => {
        await conn.request();
        conn.write(OK);
        if (index === 0) {
          await delay(20);
          conn.end();
        }
      });
      const agent = run.agent({ keepAlive: true });
      await run.request(server, 'a', { agent }).done;
      await delay(80);
      await run.request(server, 'b', { agent }).done;
      run.log('connections', server.conns.length);
    });
    expect(logged(trace, 'connections')).toEqual([2]);
  });

  test('ECONNREFUSED', async () => {
    const trace = await differential(async (run) => {
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as net.AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      run.labelPort(port, 'closed');
      await run.request({ port }, 'a').done;
    });
    expect(events(trace, 'error')[0][2]).toMatchObject({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:<closed>', syscall: 'connect' });
  });
});
