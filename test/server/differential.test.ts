// Differential tests: the same scenario against node:http (the oracle) and uvhttp; what a user
// observes must be identical: the literal response bytes (Date value masked, its position kept),
// whether the connection was closed, and what the handler observed (events, header APIs).
import { createHash } from 'node:crypto';
import { candidates, nodeImpl, type Impl } from '../helpers/impls';
import { nodeMajor } from '../helpers/node-line';
import { exchange, headerValues, type ExchangeResult, type SendStep } from '../helpers/raw';
import { closeAllServers, startServer, type Handler } from '../helpers/server';
import type * as http from 'node:http';

afterEach(closeAllServers);

type Log = unknown[];

interface Scenario {
  name: string;
  /** Builds the handler; whatever it pushes to `log` is compared across implementations. */
  handler: (log: Log) => Handler;
  send: SendStep | SendStep[];
  /** Final responses to wait for (omit: read until the server closes). */
  responses?: number;
  methods?: string[];
  serverOptions?: http.ServerOptions;
  setup?: (server: http.Server, log: Log) => void;
  timeoutMs?: number;
  /** Compare bodies by length and hash rather than as text (large bodies). */
  hashBodies?: boolean;
  /** Chunk boundaries depend on TCP read sizes (e.g. req.pipe(res)): compare decoded bodies only. */
  framingVaries?: boolean;
  /** How long to let handler events settle after the exchange before comparing logs. */
  settleMs?: number;
  /** Sanity assertions on the node:http reference result, so the oracle is what we think. */
  check: (ref: ExchangeResult, log: Log) => void;
}

interface Observed {
  result: ExchangeResult;
  log: Log;
}

async function run(impl: Impl, sc: Scenario): Promise<Observed> {
  const log: Log = [];
  const clientPorts = new Set<number>();
  const { port } = await startServer(impl, sc.handler(log), {
    serverOptions: sc.serverOptions,
    setup: sc.setup ? (s) => sc.setup!(s, log) : undefined,
    clientPorts,
  });
  const result = await exchange({
    port,
    onConnect: (p) => clientPorts.add(p),
    send: sc.send,
    responses: sc.responses,
    methods: sc.methods,
    timeoutMs: sc.timeoutMs ?? 3000,
  });
  // let late handler events (finish/close) land in the log before comparing
  await new Promise((r) => setTimeout(r, sc.settleMs ?? 20));
  return { result, log };
}

function view(o: Observed, hashBodies?: boolean, framingVaries?: boolean) {
  const r = o.result;
  if (hashBodies) {
    return {
      heads: r.responses.map((x) => x.raw.subarray(0, x.headEnd - x.start).toString('latin1')).map((h) => h.replace(/(\r\nDate: )[^\r]*/i, '$1<DATE>')),
      bodies: r.responses.map((x) => ({ len: x.body.length, sha: createHash('sha256').update(x.body).digest('hex'), framing: x.framing })),
      rawLength: framingVaries ? 'not compared' : r.raw.length,
      closed: r.closed,
      timedOut: r.timedOut,
      syntaxError: r.syntaxError,
      log: o.log,
    };
  }
  return {
    bytes: r.masked,
    closed: r.closed,
    timedOut: r.timedOut,
    syntaxError: r.syntaxError,
    log: o.log,
  };
}

const GET = (path = '/', extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

function status(r: ExchangeResult, i = 0): number {
  return r.responses[i]?.statusCode ?? -1;
}

const scenarios: Scenario[] = [
  {
    name: "res.end('hello')",
    handler: () => (_req, res) => res.end('hello'),
    send: GET(),
    responses: 1,
    check: (r) => {
      expect(r.masked).toBe(
        'HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 5\r\n\r\nhello',
      );
      expect(r.closed).toBe(false);
    },
  },
  {
    name: 'res.end() empty',
    handler: () => (_req, res) => res.end(),
    send: GET(),
    responses: 1,
    check: (r) => {
      expect(headerValues(r.responses[0], 'content-length')).toEqual(['0']);
      expect(r.responses[0].body.length).toBe(0);
    },
  },
  {
    name: 'res.end(Buffer)',
    handler: () => (_req, res) => res.end(Buffer.from([0, 1, 2, 0xff])),
    send: GET(),
    responses: 1,
    check: (r) => expect([...r.responses[0].body]).toEqual([0, 1, 2, 0xff]),
  },
  {
    name: 'writeHead(201, object)',
    handler: () => (_req, res) => {
      res.writeHead(201, { 'X-Foo': 'bar', 'Content-Type': 'text/plain', 'x-num': 42 });
      res.end('created');
    },
    send: GET(),
    responses: 1,
    check: (r) => {
      expect(status(r)).toBe(201);
      expect(r.responses[0].statusMessage).toBe('Created');
      expect(headerValues(r.responses[0], 'x-foo')).toEqual(['bar']);
    },
  },
  {
    name: 'writeHead(201, flat array)',
    handler: () => (_req, res) => {
      res.writeHead(201, ['X-A', '1', 'X-B', '2', 'x-a', '3']);
      res.end('created');
    },
    send: GET(),
    responses: 1,
    check: (r) => {
      expect(status(r)).toBe(201);
      expect(r.responses[0].headers.filter((h) => /^x-/i.test(h.name))).toEqual([
        { name: 'X-A', value: '1' },
        { name: 'X-B', value: '2' },
        { name: 'x-a', value: '3' },
      ]);
    },
  },
  {
    name: 'writeHead(200, nested array of pairs)',
    handler: () => (_req, res) => {
      res.writeHead(200, [
        ['X-One', '1'],
        ['X-Two', ['a', 'b']],
      ] as unknown as http.OutgoingHttpHeaders);
      res.end('x');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(status(r)).toBe(200),
  },
  {
    name: 'writeHead(202, reason, headers)',
    handler: () => (_req, res) => {
      res.writeHead(202, 'Queued Up', { 'X-Q': '1' });
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses[0].statusLine).toBe('HTTP/1.1 202 Queued Up'),
  },
  {
    name: 'setHeader then writeHead merges (setHeader fields first)',
    handler: () => (_req, res) => {
      res.setHeader('X-Set', 'a');
      res.setHeader('X-Both', 'from-set');
      res.writeHead(200, { 'X-Head': 'b', 'X-Both': 'from-writeHead' });
      res.end('m');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(headerValues(r.responses[0], 'x-both')).toEqual(['from-writeHead']),
  },
  {
    name: 'setHeader multi-value arrays and mixed-case names',
    handler: () => (_req, res) => {
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2']);
      res.setHeader('X-MiXeD-CaSe', 'v');
      res.setHeader('x-multi', ['1', '2', '3']);
      res.setHeader('X-Number', 7);
      res.setHeader('content-TYPE', 'text/html; charset=utf-8');
      res.end('<p>');
    },
    send: GET(),
    responses: 1,
    check: (r) => {
      expect(headerValues(r.responses[0], 'set-cookie')).toEqual(['a=1; Path=/', 'b=2']);
      expect(r.responses[0].headers.some((h) => h.name === 'X-MiXeD-CaSe')).toBe(true);
    },
  },
  {
    name: 'setHeader overwritten keeps the latest name casing and value',
    handler: () => (_req, res) => {
      res.setHeader('x-over', 'first');
      res.setHeader('X-Other', 'o');
      res.setHeader('X-OVER', 'second');
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(headerValues(r.responses[0], 'x-over')).toEqual(['second']),
  },
  {
    name: 'appendHeader adds values',
    handler: () => (_req, res) => {
      res.setHeader('X-App', 'a');
      res.appendHeader('X-App', 'b');
      res.appendHeader('X-App', ['c', 'd']);
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(headerValues(r.responses[0], 'x-app').length).toBeGreaterThan(0),
  },
  {
    name: 'res.write chunks then end(): chunked encoding',
    handler: () => (_req, res) => {
      res.write('abc');
      res.write(Buffer.from('defgh'));
      res.write('');
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (r) => {
      const x = r.responses[0];
      expect(x.framing).toBe('chunked');
      expect(x.body.toString()).toBe('abcdefgh');
      // Node 24 gathers the writes of one tick into one chunk.
      expect(x.chunks).toEqual(nodeMajor >= 24 ? [8, 0] : [3, 5, 0]);
    },
  },
  {
    name: 'res.write then end(data): chunked, last chunk from end',
    handler: () => (_req, res) => {
      res.write('one,');
      setTimeout(() => res.end('two'), 10);
    },
    send: GET(),
    responses: 1,
    check: (r) => {
      expect(r.responses[0].framing).toBe('chunked');
      expect(r.responses[0].body.toString()).toBe('one,two');
    },
  },
  {
    name: 'write() of a utf8 string with multi-byte characters',
    handler: () => (_req, res) => {
      res.write('héllo ☃');
      res.end('€');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses[0].body.toString('utf8')).toBe('héllo ☃€'),
  },
  {
    name: 'write(string, latin1/hex encodings)',
    handler: () => (_req, res) => {
      res.write('ff00', 'hex');
      res.end('\u00e9', 'latin1');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect([...r.responses[0].body]).toEqual([0xff, 0x00, 0xe9]),
  },
  {
    name: 'explicit Content-Length with several writes',
    handler: () => (_req, res) => {
      res.setHeader('Content-Length', 10);
      res.write('01234');
      res.write('567');
      res.end('89');
    },
    send: GET(),
    responses: 1,
    check: (r) => {
      expect(r.responses[0].framing).toBe('content-length');
      expect(r.responses[0].body.toString()).toBe('0123456789');
    },
  },
  {
    name: 'trailers with chunked encoding',
    handler: () => (_req, res) => {
      res.setHeader('Trailer', 'X-Checksum');
      res.write('data');
      res.addTrailers({ 'X-Checksum': 'abc123' });
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses[0].trailers).toEqual([{ name: 'X-Checksum', value: 'abc123' }]),
  },
  {
    name: 'custom statusMessage',
    handler: () => (_req, res) => {
      res.statusCode = 299;
      res.statusMessage = 'Custom Thing';
      res.end('c');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses[0].statusLine).toBe('HTTP/1.1 299 Custom Thing'),
  },
  {
    name: 'unknown status code without message',
    handler: () => (_req, res) => {
      res.statusCode = 599;
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(status(r)).toBe(599),
  },
  {
    name: 'sendDate = false',
    handler: () => (_req, res) => {
      res.sendDate = false;
      res.end('nodate');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(headerValues(r.responses[0], 'date')).toEqual([]),
  },
  {
    name: 'user-set Date header is not duplicated',
    handler: () => (_req, res) => {
      res.setHeader('Date', 'Tue, 01 Jan 2030 00:00:00 GMT');
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(headerValues(r.responses[0], 'date')).toHaveLength(1),
  },
  {
    name: 'HEAD request with end(body): headers as Node, no body',
    handler: () => (_req, res) => res.end('hello'),
    send: `HEAD / HTTP/1.1\r\nHost: x\r\n\r\n`,
    responses: 1,
    methods: ['HEAD'],
    check: (r) => {
      expect(status(r)).toBe(200);
      expect(r.raw.toString('latin1').endsWith('\r\n\r\n')).toBe(true);
    },
  },
  {
    name: 'HEAD request with write(): no chunked body',
    handler: () => (_req, res) => {
      res.write('abc');
      res.end('def');
    },
    send: `HEAD / HTTP/1.1\r\nHost: x\r\n\r\n`,
    responses: 1,
    methods: ['HEAD'],
    check: (r) => expect(r.raw.toString('latin1').endsWith('\r\n\r\n')).toBe(true),
  },
  {
    name: 'HEAD then GET on the same connection',
    handler: () => (_req, res) => res.end('body'),
    send: `HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n`,
    responses: 2,
    methods: ['HEAD', 'GET'],
    check: (r) => {
      expect(r.responses).toHaveLength(2);
      expect(r.responses[1].body.toString()).toBe('body');
    },
  },
  {
    name: '204 No Content: no body, no chunked',
    handler: () => (_req, res) => {
      res.statusCode = 204;
      res.write('ignored');
      res.end('ignored too');
    },
    send: GET(),
    responses: 1,
    check: (r) => {
      expect(status(r)).toBe(204);
      expect(headerValues(r.responses[0], 'transfer-encoding')).toEqual([]);
      expect(r.raw.toString('latin1').endsWith('\r\n\r\n')).toBe(true);
    },
  },
  {
    name: '304 Not Modified: no body, no chunked',
    handler: () => (_req, res) => {
      res.writeHead(304, { ETag: '"x"' });
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (r) => {
      expect(status(r)).toBe(304);
      expect(headerValues(r.responses[0], 'transfer-encoding')).toEqual([]);
    },
  },
  {
    name: '204 then a second request on the same connection',
    handler: () => (req, res) => {
      if (req.url === '/a') {
        res.statusCode = 204;
        res.end();
      } else res.end('b');
    },
    send: GET('/a') + GET('/b'),
    responses: 2,
    check: (r) => expect(r.responses.map((x) => x.statusCode)).toEqual([204, 200]),
  },
  {
    name: 'HTTP/1.0 without keep-alive, write+end: raw body, connection closed',
    handler: () => (_req, res) => {
      res.write('abc');
      res.end('def');
    },
    send: `GET / HTTP/1.0\r\n\r\n`,
    check: (r) => {
      expect(r.closed).toBe(true);
      expect(r.responses[0].httpVersion).toBe('1.1');
      expect(headerValues(r.responses[0], 'transfer-encoding')).toEqual([]);
      expect(r.responses[0].body.toString()).toBe('abcdef');
    },
  },
  {
    name: "HTTP/1.0 without keep-alive, end('hello')",
    handler: () => (_req, res) => res.end('hello'),
    send: `GET / HTTP/1.0\r\nHost: x\r\n\r\n`,
    check: (r) => {
      expect(r.closed).toBe(true);
      expect(headerValues(r.responses[0], 'connection')).toEqual(['close']);
    },
  },
  {
    // Node 20 quirk: without an explicit Content-Length an HTTP/1.0 response is close-delimited
    // (useChunkedEncodingByDefault is false), so keep-alive is refused even for end(data).
    name: "HTTP/1.0 with Connection: keep-alive, end('hello'): Node answers Connection: close",
    handler: () => (_req, res) => res.end('hello'),
    send: `GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`,
    check: (r) => {
      expect(r.closed).toBe(true);
      expect(r.masked).toBe('HTTP/1.1 200 OK\r\nDate: <DATE>\r\nConnection: close\r\n\r\nhello');
    },
  },
  {
    name: 'HTTP/1.0 with Connection: keep-alive and explicit Content-Length: stays open',
    handler: () => (_req, res) => {
      res.setHeader('Content-Length', 5);
      res.end('hello');
    },
    send: `GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`,
    responses: 1,
    check: (r) => {
      expect(r.closed).toBe(false);
      expect(headerValues(r.responses[0], 'connection')).toEqual(['keep-alive']);
      expect(headerValues(r.responses[0], 'keep-alive')).toEqual(['timeout=5']);
    },
  },
  {
    name: 'HTTP/1.0 keep-alive: two requests on one connection',
    handler: () => (req, res) => {
      res.setHeader('Content-Length', req.url!.length);
      res.end(req.url);
    },
    send: [`GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`, { delay: 30 }, `GET /bb HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`],
    responses: 2,
    check: (r) => expect(r.responses.map((x) => x.body.toString())).toEqual(['/a', '/bb']),
  },
  {
    name: 'HTTP/1.0 with Connection: keep-alive, write+end (no chunked possible)',
    handler: () => (_req, res) => {
      res.write('abc');
      res.end('def');
    },
    send: `GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`,
    responses: 1,
    check: (r) => expect(headerValues(r.responses[0], 'transfer-encoding')).toEqual([]),
  },
  {
    name: 'HTTP/1.1 Connection: close',
    handler: () => (_req, res) => res.end('bye'),
    send: GET('/', 'Connection: close\r\n'),
    check: (r) => {
      expect(r.closed).toBe(true);
      expect(headerValues(r.responses[0], 'connection')).toEqual(['close']);
    },
  },
  {
    name: 'HTTP/1.1 Connection: close with chunked response',
    handler: () => (_req, res) => {
      res.write('a');
      res.end('b');
    },
    send: GET('/', 'Connection: close\r\n'),
    check: (r) => {
      expect(r.closed).toBe(true);
      expect(r.responses[0].body.toString()).toBe('ab');
    },
  },
  {
    name: "handler sets Connection: close itself",
    handler: () => (_req, res) => {
      res.setHeader('Connection', 'close');
      res.end('x');
    },
    send: GET() + GET('/second'),
    check: (r) => {
      expect(r.closed).toBe(true);
      expect(r.responses).toHaveLength(1);
    },
  },
  {
    name: 'request after Connection: close request is not answered',
    handler: (log) => (req, res) => {
      log.push(req.url);
      res.end('x');
    },
    send: GET('/first', 'Connection: close\r\n') + GET('/second'),
    check: (r, log) => {
      expect(r.closed).toBe(true);
      expect(r.responses).toHaveLength(1);
      expect(log).toEqual(['/first']);
    },
  },
  {
    name: 'Content-Length upload echoed back',
    handler: (log) => (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        log.push(['end', req.complete]);
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(Buffer.concat(parts));
      });
    },
    send: [`POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello`, { delay: 30 }, ` world`],
    responses: 1,
    check: (r) => expect(r.responses[0].body.toString()).toBe('hello world'),
  },
  {
    name: 'chunked upload echoed back (extensions and trailers)',
    handler: (log) => (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        log.push(['trailers', req.trailers, req.rawTrailers]);
        res.end(Buffer.concat(parts));
      });
    },
    send: [
      `POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n`,
      { delay: 30 },
      `6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n`,
    ],
    responses: 1,
    check: (r, log) => {
      expect(r.responses[0].body.toString()).toBe('hello world');
      expect(log).toEqual([['trailers', { 'x-trailer': 't' }, ['X-Trailer', 't']]]);
    },
  },
  {
    name: 'upload ignored by the handler, next request on the connection still served',
    handler: () => (req, res) => res.end(req.url),
    send: `POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: x\r\n\r\n`,
    responses: 2,
    check: (r) => expect(r.responses.map((x) => x.body.toString())).toEqual(['/a', '/b']),
  },
  {
    name: 'Expect: 100-continue gets 100 Continue before the body',
    handler: () => (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => res.end(Buffer.concat(parts)));
    },
    send: [`PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n`, { delay: 50 }, 'data'],
    responses: 1,
    check: (r) => {
      expect(r.responses.map((x) => x.statusCode)).toEqual([100, 200]);
      expect(r.responses[1].body.toString()).toBe('data');
    },
  },
  {
    name: 'two sequential requests on one keep-alive connection',
    handler: () => (req, res) => res.end(req.url),
    send: [GET('/1'), { delay: 40 }, GET('/2')],
    responses: 2,
    check: (r) => {
      expect(r.responses.map((x) => x.body.toString())).toEqual(['/1', '/2']);
      expect(r.closed).toBe(false);
    },
  },
  ...[3, 16].map(
    (n): Scenario => ({
      name: `${n} pipelined requests in one write, answered synchronously in order`,
      handler: (log) => (req, res) => {
        log.push(req.url);
        res.end(`response ${req.url}`);
      },
      send: Array.from({ length: n }, (_, i) => GET(`/${i}`)).join(''),
      responses: n,
      check: (r) => {
        expect(r.responses.map((x) => x.body.toString())).toEqual(Array.from({ length: n }, (_, i) => `response /${i}`));
      },
    }),
  ),
  ...[3, 16].map(
    (n): Scenario => ({
      name: `${n} pipelined requests answered asynchronously with decreasing delays: request order kept`,
      handler: (log) => (req, res) => {
        log.push(['req', req.url]);
        const i = Number(req.url!.slice(1));
        setTimeout(() => {
          if (i % 2) {
            res.write(`part of ${i};`);
            res.end(`rest of ${i}`);
          } else {
            res.end(`done ${i}`);
          }
        }, (n - i) * 8);
      },
      send: Array.from({ length: n }, (_, i) => GET(`/${i}`)).join(''),
      responses: n,
      timeoutMs: 5000,
      check: (r) => {
        expect(r.responses.map((x) => x.body.toString())).toEqual(
          Array.from({ length: n }, (_, i) => (i % 2 ? `part of ${i};rest of ${i}` : `done ${i}`)),
        );
      },
    }),
  ),
  {
    name: 'pipelined POSTs with bodies and GETs mixed, async answers',
    handler: () => (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => setTimeout(() => res.end(`${req.method} ${req.url} ${Buffer.concat(parts)}`), req.url === '/1' ? 40 : 5));
    },
    send:
      `POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none` +
      GET('/2') +
      `POST /3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nthree\r\n0\r\n\r\n`,
    responses: 3,
    check: (r) => expect(r.responses.map((x) => x.body.toString())).toEqual(['POST /1 one', 'GET /2 ', 'POST /3 three']),
  },
  {
    name: 'large response (1 MiB): write() returns false and drain is emitted',
    handler: (log) => (_req, res) => {
      const chunk = Buffer.alloc(64 * 1024);
      for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) & 0xff;
      let sent = 0;
      let sawFalse = false;
      let drains = 0;
      res.setHeader('Content-Length', 1024 * 1024);
      res.on('finish', () => log.push(['finish', sawFalse, drains > 0, res.writableEnded, res.writableFinished]));
      const pump = () => {
        while (sent < 1024 * 1024) {
          sent += chunk.length;
          const ok = res.write(chunk);
          if (!ok) {
            sawFalse = true;
            res.once('drain', () => {
              drains++;
              pump();
            });
            return;
          }
        }
        res.end();
      };
      pump();
    },
    send: GET('/big'),
    responses: 1,
    timeoutMs: 10000,
    hashBodies: true,
    check: (r, log) => {
      expect(r.responses[0].body.length).toBe(1024 * 1024);
      expect(log).toEqual([['finish', true, true, true, true]]);
    },
  },
  {
    name: 'large chunked response (1 MiB in 16 KiB writes)',
    handler: () => (_req, res) => {
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      let n = 0;
      const pump = () => {
        while (n < 64) {
          n++;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    },
    send: GET('/big'),
    responses: 1,
    timeoutMs: 10000,
    hashBodies: true,
    check: (r) => {
      expect(r.responses[0].framing).toBe('chunked');
      expect(r.responses[0].body.length).toBe(1024 * 1024);
    },
  },
  {
    name: "'finish' and 'close' on the response, writableEnded/writableFinished",
    handler: (log) => (_req, res) => {
      res.on('finish', () => log.push(['finish', res.writableEnded, res.writableFinished]));
      res.on('close', () => log.push(['close']));
      log.push(['before end', res.writableEnded, res.writableFinished]);
      res.end('ok', () => log.push(['end cb']));
      log.push(['after end', res.writableEnded]);
    },
    send: GET('/', 'Connection: close\r\n'),
    check: (_r, log) => {
      expect(log[0]).toEqual(['before end', false, false]);
      expect(log).toContainEqual(['finish', true, true]);
    },
  },
  {
    name: 'res.headersSent transitions',
    handler: (log) => (_req, res) => {
      log.push(['initial', res.headersSent]);
      res.setHeader('X-A', '1');
      log.push(['after setHeader', res.headersSent]);
      res.writeHead(200, { 'X-B': '2' });
      log.push(['after writeHead', res.headersSent]);
      res.write('a');
      log.push(['after write', res.headersSent]);
      res.end('b');
      log.push(['after end', res.headersSent]);
    },
    send: GET(),
    responses: 1,
    check: (_r, log) => {
      expect(log[0]).toEqual(['initial', false]);
      expect(log[log.length - 1]).toEqual(['after end', true]);
    },
  },
  {
    name: 'headersSent false until write when only setHeader is used; setHeader after send throws',
    handler: (log) => (_req, res) => {
      res.setHeader('X-A', '1');
      log.push(res.headersSent);
      res.write('x');
      log.push(res.headersSent);
      try {
        res.setHeader('X-Late', '1');
        log.push('no throw');
      } catch (e) {
        log.push([(e as NodeJS.ErrnoException).code, (e as Error).name]);
      }
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (_r, log) => expect(log).toEqual([false, true, ['ERR_HTTP_HEADERS_SENT', 'Error']]),
  },
  {
    name: 'getHeader/removeHeader/getHeaderNames/hasHeader/getHeaders',
    handler: (log) => (_req, res) => {
      res.setHeader('X-Keep', 'k');
      res.setHeader('X-Drop', 'd');
      res.setHeader('Set-Cookie', ['a', 'b']);
      res.setHeader('X-Num', 5);
      log.push(['getHeader', res.getHeader('x-keep'), res.getHeader('X-KEEP'), res.getHeader('set-cookie'), res.getHeader('x-num'), res.getHeader('missing')]);
      log.push(['hasHeader', res.hasHeader('X-Drop'), res.hasHeader('x-drop'), res.hasHeader('nope')]);
      log.push(['names', res.getHeaderNames()]);
      log.push(['rawNames', (res as unknown as { getRawHeaderNames(): string[] }).getRawHeaderNames()]);
      res.removeHeader('x-DROP');
      log.push(['after remove', res.hasHeader('x-drop'), res.getHeaderNames()]);
      const h = res.getHeaders();
      log.push(['getHeaders', Object.getPrototypeOf(h) === null ? 'null prototype' : 'has prototype', { ...h }]);
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (r, log) => {
      expect(log[0]).toEqual(['getHeader', 'k', 'k', ['a', 'b'], 5, undefined]);
      expect(headerValues(r.responses[0], 'x-drop')).toEqual([]);
    },
  },
  {
    name: 'statusCode/statusMessage defaults observed in the handler',
    handler: (log) => (_req, res) => {
      log.push([res.statusCode, res.statusMessage, res.sendDate, res.chunkedEncoding, res.shouldKeepAlive, res.useChunkedEncodingByDefault]);
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (_r, log) => expect((log[0] as unknown[])[0]).toBe(200),
  },
  {
    name: 'res.writeContinue and res.writeProcessing',
    handler: () => (_req, res) => {
      res.writeContinue();
      res.writeProcessing();
      res.end('after');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses.map((x) => x.statusCode)).toEqual([100, 102, 200]),
  },
  {
    name: 'res.flushHeaders sends the head before the body',
    handler: () => (_req, res) => {
      res.setHeader('X-F', '1');
      res.flushHeaders();
      setTimeout(() => res.end('late'), 20);
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses[0].body.toString()).toBe('late'),
  },
  {
    name: 'res.end() twice and write after end',
    handler: (log) => (_req, res) => {
      res.on('error', (e) => log.push(['error', (e as NodeJS.ErrnoException).code]));
      res.end('once');
      res.end('twice');
      const ok = res.write('late', (err) => log.push(['write cb', (err as NodeJS.ErrnoException | null | undefined)?.code]));
      log.push(['write returned', ok]);
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses[0].body.toString()).toBe('once'),
  },
  {
    name: 'invalid header names/values and status codes throw node\'s errors',
    handler: (log) => (_req, res) => {
      const attempt = (what: string, f: () => void) => {
        try {
          f();
          log.push([what, 'no throw']);
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          log.push([what, err.code, err.name, err.message]);
        }
      };
      attempt('bad name', () => res.setHeader('Bad Name', 'v'));
      attempt('empty name', () => res.setHeader('', 'v'));
      attempt('CRLF in value', () => res.setHeader('X-A', 'a\r\nInjected: 1'));
      attempt('undefined value', () => res.setHeader('X-A', undefined as unknown as string));
      attempt('status 99', () => res.writeHead(99));
      attempt('status 1000', () => res.writeHead(1000));
      attempt('status NaN', () => res.writeHead(Number.NaN));
      attempt('writeHead bad header', () => res.writeHead(200, { 'X Bad': '1' }));
      log.push(['headersSent after failures', res.headersSent]);
      res.end('still fine');
    },
    send: GET(),
    responses: 1,
    check: (r, log) => {
      expect(log[0]).toEqual(expect.arrayContaining(['bad name', 'ERR_INVALID_HTTP_TOKEN']));
      expect(r.responses[0].statusCode).toBeGreaterThan(0);
    },
  },
  {
    name: 'explicit Transfer-Encoding: chunked set by the handler',
    handler: () => (_req, res) => {
      res.setHeader('Transfer-Encoding', 'chunked');
      res.write('ab');
      res.end('cd');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses[0].body.toString()).toBe('abcd'),
  },
  {
    name: 'removeHeader(Date) and removeHeader(Connection)',
    handler: () => (_req, res) => {
      res.removeHeader('Date');
      res.removeHeader('Connection');
      res.end('x');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(headerValues(r.responses[0], 'connection')).toEqual([]),
  },
  {
    name: 'handler sets Connection: keep-alive on HTTP/1.1',
    handler: () => (_req, res) => {
      res.setHeader('Connection', 'keep-alive');
      res.end('x');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.closed).toBe(false),
  },
  {
    name: 'end(callback) and write(callback) ordering',
    handler: (log) => (_req, res) => {
      res.write('a', () => log.push('write cb'));
      res.end(() => log.push('end cb'));
      res.on('finish', () => log.push('finish'));
    },
    send: GET(),
    responses: 1,
    check: (_r, log) => expect(log).toContain('end cb'),
  },
  {
    name: 'cork/uncork batch writes',
    handler: () => (_req, res) => {
      res.cork();
      res.write('a');
      res.write('b');
      process.nextTick(() => {
        res.uncork();
        res.end('c');
      });
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses[0].body.toString()).toBe('abc'),
  },
  {
    name: 'keepAliveTimeout closes an idle connection after the response',
    handler: () => (_req, res) => res.end('x'),
    setup: (s) => {
      s.keepAliveTimeout = 200;
    },
    send: GET(),
    timeoutMs: 2000,
    check: (r) => {
      expect(r.closed).toBe(true);
      expect(r.timedOut).toBe(false);
      expect(headerValues(r.responses[0], 'keep-alive')).toEqual(['timeout=0']);
    },
  },
  {
    name: 'maxRequestsPerSocket: last allowed response closes, extra pipelined request gets 503',
    handler: (log) => (req, res) => {
      log.push(req.url);
      res.end(req.url);
    },
    setup: (s) => {
      s.maxRequestsPerSocket = 2;
    },
    send: GET('/1') + GET('/2') + GET('/3'),
    timeoutMs: 2000,
    check: (r) => expect(r.responses.length).toBeGreaterThanOrEqual(2),
  },
  {
    name: 'maxHeadersCount limits req.headers and rawHeaders',
    handler: (log) => (req, res) => {
      log.push([req.rawHeaders, { ...req.headers }]);
      res.end();
    },
    setup: (s) => {
      s.maxHeadersCount = 3;
    },
    send: GET('/', 'X-A: 1\r\nX-B: 2\r\nX-C: 3\r\nX-D: 4\r\n'),
    responses: 1,
    // node 20: rawHeaders keeps all 5 fields; the headers object is what maxHeadersCount trims.
    // Node 22+: more fields than maxHeadersCount are a 431 (HPE_HEADER_OVERFLOW).
    check: (r, log) =>
      nodeMajor >= 22
        ? expect([r.responses[0]?.statusCode, log]).toEqual([431, []])
        : expect(((log[0] as unknown[])[0] as string[]).length).toBe(10),
  },
  {
    name: 'more than 1000 header fields with maxHeadersCount unset',
    handler: (log) => (req, res) => {
      log.push([Object.keys(req.headers).length, req.rawHeaders.length]);
      res.end();
    },
    send: GET('/', Array.from({ length: 1100 }, (_, i) => `h${i}:\r\n`).join('')),
    responses: 1,
    // Node 20 keeps 1000 fields in req.headers; Node 22+ answers 431 at the 1001st field.
    check: (r, log) =>
      nodeMajor >= 22 ? expect([r.responses[0]?.statusCode, log]).toEqual([431, []]) : expect((log[0] as number[])[0]).toBe(1000),
  },
  {
    name: 'trailer fields past maxHeadersCount',
    handler: (log) => (req, res) => {
      req.resume();
      req.on('end', () => {
        log.push([req.rawHeaders.length, req.rawTrailers]);
        res.end();
      });
    },
    setup: (s) => {
      s.maxHeadersCount = 3;
    },
    send: 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nT1: 1\r\nT2: 2\r\nT3: 3\r\nT4: 4\r\n\r\n',
    responses: 1,
    // Node 22+ counts the trailer section on its own: the fourth trailer is the overflow.
    check: (r) => expect(r.responses[0]?.statusCode).toBe(nodeMajor >= 22 ? 431 : 200),
  },
  {
    name: "'checkContinue' listener decides on Expect: 100-continue",
    handler: () => (_req, res) => res.end('handler'),
    setup: (s, log) => {
      s.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
        log.push(['checkContinue', req.url]);
        res.writeContinue();
        const parts: Buffer[] = [];
        req.on('data', (d: Buffer) => parts.push(d));
        req.on('end', () => res.end(`got ${Buffer.concat(parts)}`));
      });
    },
    send: [`POST /cc HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n`, { delay: 40 }, 'hi'],
    responses: 1,
    check: (r, log) => {
      expect(log).toEqual([['checkContinue', '/cc']]);
      expect(r.responses.map((x) => x.statusCode)).toEqual([100, 200]);
    },
  },
  {
    name: 'unknown Expect value: 417 Expectation Failed',
    handler: (log) => (_req, res) => {
      log.push('handler');
      res.end();
    },
    send: GET('/', 'Expect: something-else\r\n'),
    responses: 1,
    check: (r, log) => {
      expect(r.responses[0].statusCode).toBe(417);
      expect(log).toEqual([]);
    },
  },
  {
    name: "'checkExpectation' listener gets other Expect values",
    handler: () => (_req, res) => res.end('handler'),
    setup: (s, log) => {
      s.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
        log.push(['checkExpectation', req.headers.expect]);
        res.statusCode = 418;
        res.end();
      });
    },
    send: GET('/', 'Expect: tea\r\n'),
    responses: 1,
    check: (r) => expect(r.responses[0].statusCode).toBe(418),
  },
  {
    name: "'upgrade' listener receives the socket and head; bytes written on the socket are the response",
    handler: (log) => () => log.push('handler'),
    setup: (s, log) => {
      s.on('upgrade', (req: http.IncomingMessage, socket: import('node:net').Socket, head: Buffer) => {
        log.push(['upgrade', req.url, req.headers.upgrade, head.toString()]);
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
        socket.on('data', (d: Buffer) => socket.end(`echo:${d}`));
      });
    },
    send: [`GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly`, { delay: 40 }, 'late'],
    timeoutMs: 2000,
    check: (r, log) => {
      expect(log).toEqual([['upgrade', '/ws', 'echo', 'early']]);
      expect(r.raw.toString()).toContain('echo:late');
    },
  },
  {
    name: "'connect' listener receives CONNECT requests (authority-form url) with the socket and head",
    handler: (log) => () => log.push('handler'),
    setup: (s, log) => {
      s.on('connect', (req: http.IncomingMessage, socket: import('node:net').Socket, head: Buffer) => {
        log.push(['connect', req.method, req.url, req.headers.host, head.toString()]);
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        socket.on('data', (d: Buffer) => socket.end(`tunnel:${d}`));
      });
    },
    send: [`CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nfirst`, { delay: 40 }, 'second'],
    timeoutMs: 2000,
    check: (r, log) => {
      expect(log).toEqual([['connect', 'CONNECT', 'example.com:443', 'example.com:443', 'first']]);
      expect(r.raw.toString()).toBe('HTTP/1.1 200 Connection Established\r\n\r\ntunnel:second');
    },
  },
  {
    name: 'res.setTimeout on a slow handler emits timeout on the response',
    handler: (log) => (_req, res) => {
      res.setTimeout(100, () => {
        log.push('timeout');
        res.end('timed');
      });
    },
    send: GET(),
    responses: 1,
    check: (r, log) => {
      expect(log).toEqual(['timeout']);
      expect(r.responses[0].body.toString()).toBe('timed');
    },
  },
  {
    name: '1 MiB chunked upload piped back with req.pipe(res)',
    handler: () => (req, res) => {
      res.setHeader('Content-Type', 'application/octet-stream');
      req.pipe(res);
    },
    send: (() => {
      const steps: SendStep[] = ['POST /pipe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n'];
      const chunk = Buffer.alloc(32 * 1024);
      for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 13 + 5) & 0xff;
      for (let k = 0; k < 32; k++) steps.push(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
      steps.push('0\r\n\r\n');
      return steps;
    })(),
    responses: 1,
    timeoutMs: 10000,
    hashBodies: true,
    framingVaries: true,
    check: (r) => expect(r.responses[0].body.length).toBe(1024 * 1024),
  },
  {
    name: '1 MiB Content-Length upload consumed slowly (pause/resume backpressure)',
    handler: (log) => (req, res) => {
      let n = 0;
      let pauses = 0;
      req.on('data', (d: Buffer) => {
        n += d.length;
        if (pauses < 5) {
          pauses++;
          req.pause();
          setTimeout(() => req.resume(), 10);
        }
      });
      req.on('end', () => {
        log.push(['received', n]);
        res.end(String(n));
      });
    },
    send: ['PUT /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n', Buffer.alloc(1024 * 1024, 0x42)],
    responses: 1,
    timeoutMs: 10000,
    check: (r, log) => {
      expect(log).toEqual([['received', 1024 * 1024]]);
      expect(r.responses[0].body.toString()).toBe('1048576');
    },
  },
  {
    name: '16 pipelined requests delivered in 7-byte pieces',
    handler: (log) => (req, res) => {
      log.push(req.url);
      res.end(req.url);
    },
    send: (() => {
      const all = Array.from({ length: 16 }, (_, i) => (i % 3 === 1 ? `POST /${i} HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody` : GET(`/${i}`))).join('');
      const steps: SendStep[] = [];
      for (let i = 0; i < all.length; i += 7) steps.push(all.slice(i, i + 7), { delay: 1 });
      return steps;
    })(),
    responses: 16,
    timeoutMs: 8000,
    check: (r) => expect(r.responses.map((x) => x.body.toString())).toEqual(Array.from({ length: 16 }, (_, i) => `/${i}`)),
  },
  {
    name: '64 pipelined requests with bodies in one write',
    handler: () => (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => res.end(`${req.url}:${Buffer.concat(parts)}`));
    },
    send: Array.from({ length: 64 }, (_, i) => `POST /${i} HTTP/1.1\r\nHost: x\r\nContent-Length: ${String(i).length}\r\n\r\n${i}`).join(''),
    responses: 64,
    timeoutMs: 8000,
    check: (r) => expect(r.responses.map((x) => x.body.toString())).toEqual(Array.from({ length: 64 }, (_, i) => `/${i}:${i}`)),
  },
  {
    name: 'writeHead with array values in the object form; writeHead twice',
    handler: (log) => (_req, res) => {
      res.writeHead(200, { 'Set-Cookie': ['a=1', 'b=2'], 'X-List': ['x', 'y'] });
      try {
        res.writeHead(201);
        log.push('second writeHead: no throw');
      } catch (e) {
        log.push(['second writeHead', (e as NodeJS.ErrnoException).code]);
      }
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(headerValues(r.responses[0], 'set-cookie')).toEqual(['a=1', 'b=2']),
  },
  {
    name: 'end(string, base64)',
    handler: () => (_req, res) => res.end('aGVsbG8gd29ybGQ=', 'base64'),
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses[0].body.toString()).toBe('hello world'),
  },
  {
    name: 'req.socket / res.socket as the handler sees them',
    handler: (log) => (req, res) => {
      const sock = req.socket;
      log.push([
        sock === res.socket,
        sock === req.connection,
        sock.remoteAddress,
        sock.remoteFamily,
        sock.localAddress,
        typeof sock.remotePort,
        typeof sock.localPort,
        (sock as { encrypted?: boolean }).encrypted,
        typeof sock.setTimeout,
        typeof sock.setNoDelay,
        typeof sock.setKeepAlive,
        typeof sock.destroy,
      ]);
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (_r, log) => expect((log[0] as unknown[]).slice(0, 5)).toEqual([true, true, '127.0.0.1', 'IPv4', '127.0.0.1']),
  },
  {
    name: "'request' event listeners all run, in order",
    handler: (log) => () => log.push('createServer handler'),
    setup: (s, log) => {
      s.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
        log.push('second listener');
        res.end('both');
      });
    },
    send: GET(),
    responses: 1,
    check: (_r, log) => expect(log).toEqual(['createServer handler', 'second listener']),
  },
  {
    name: 'req.destroy() in the handler: nothing written, connection closed',
    handler: (log) => (req, res) => {
      res.on('close', () => log.push(['res close', res.writableFinished]));
      req.on('close', () => log.push('req close'));
      req.destroy();
    },
    send: GET(),
    check: (r) => {
      expect(r.raw.length).toBe(0);
      expect(r.closed).toBe(true);
    },
  },
  {
    name: 'res.destroy() after a partial chunked body',
    handler: () => (_req, res) => {
      res.write('partial');
      setTimeout(() => res.destroy(), 20);
    },
    send: GET(),
    check: (r) => {
      expect(r.closed).toBe(true);
      expect(r.raw.toString('latin1')).toContain('7\r\npartial\r\n');
    },
  },
  {
    name: 'Content-Length smaller than the body written (strictContentLength off)',
    handler: (log) => (_req, res) => {
      res.on('error', (e) => log.push(['error', (e as NodeJS.ErrnoException).code]));
      res.writeHead(200, { 'Content-Length': 3 });
      res.end('hello');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses[0].body.toString()).toBe('hel'),
  },
  {
    name: 'HEAD with handler-set Content-Length and Transfer-Encoding',
    handler: () => (req, res) => {
      if (req.url === '/cl') res.setHeader('Content-Length', 1234);
      else res.setHeader('Transfer-Encoding', 'chunked');
      res.end();
    },
    send: `HEAD /cl HTTP/1.1\r\nHost: x\r\n\r\nHEAD /te HTTP/1.1\r\nHost: x\r\n\r\n`,
    methods: ['HEAD', 'HEAD'],
    responses: 2,
    check: (r) => {
      expect(headerValues(r.responses[0], 'content-length')).toEqual(['1234']);
      expect(r.raw.toString('latin1').endsWith('\r\n\r\n')).toBe(true);
    },
  },
  {
    name: 'latin1 header value and reason phrase are written as latin1 bytes; non-latin1 throws',
    handler: (log) => (_req, res) => {
      res.setHeader('X-Latin', 'caf\u00e9');
      try {
        res.setHeader('X-Snow', '\u2603');
        log.push('snowman: no throw');
      } catch (e) {
        log.push(['snowman', (e as NodeJS.ErrnoException).code]);
      }
      try {
        res.write(123 as unknown as string);
        log.push('write(123): no throw');
      } catch (e) {
        log.push(['write(123)', (e as NodeJS.ErrnoException).code, res.headersSent]);
      }
      res.writeHead(200, '\u00d6kay');
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.raw.includes(Buffer.from('X-Latin: caf\xe9', 'latin1'))).toBe(true),
  },
  {
    name: 'HTTP/1.0 with mixed-case "Connection: Keep-Alive" token',
    handler: () => (_req, res) => {
      res.setHeader('Content-Length', 2);
      res.end('ka');
    },
    send: 'GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n',
    responses: 1,
    check: (r) => expect(r.closed).toBe(false),
  },
  {
    name: 'HTTP/1.1 "Connection: foo, close" token list closes',
    handler: () => (_req, res) => res.end('x'),
    send: GET('/', 'Connection: foo, close\r\n'),
    check: (r) => expect(r.closed).toBe(true),
  },
  {
    name: 'HTTP/1.1 "Connection: keep-alive" explicitly requested',
    handler: () => (_req, res) => res.end('x'),
    send: GET('/', 'Connection: keep-alive\r\n'),
    responses: 1,
    check: (r) => expect(r.closed).toBe(false),
  },
  {
    name: 'response stream properties as the handler sees them',
    handler: (log) => (req, res) => {
      const props = () => [
        res.req === req,
        res.writable,
        res.writableEnded,
        res.writableFinished,
        res.writableHighWaterMark,
        res.writableObjectMode,
        res.writableCorked,
        res.strictContentLength,
        res.destroyed,
        typeof res.socket,
      ];
      log.push(['before', ...props()]);
      res.end('p', () => log.push(['after finish', ...props().slice(1, 4), res.destroyed]));
    },
    send: GET(),
    responses: 1,
    check: (_r, log) => expect((log[0] as unknown[])[1]).toBe(true),
  },
  {
    name: 'request stream properties as the handler sees them',
    handler: (log) => (req, res) => {
      log.push([
        req.readable,
        req.readableEnded,
        req.readableHighWaterMark,
        req.readableObjectMode,
        req.readableFlowing,
        req.destroyed,
        req.isPaused(),
        typeof req.setTimeout,
      ]);
      req.resume();
      req.on('end', () => res.end());
    },
    send: 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab',
    responses: 1,
    check: (_r, log) => expect((log[0] as unknown[])[0]).toBe(true),
  },
  {
    name: 'client disconnects before the response: req/res close events, late end() is harmless',
    handler: (log) => (req, res) => {
      req.on('close', () => log.push(['req close', req.complete, req.destroyed]));
      res.on('close', () => log.push(['res close', res.writableFinished, res.destroyed]));
      res.on('finish', () => log.push('res finish'));
      res.on('error', (e) => log.push(['res error', (e as NodeJS.ErrnoException).code]));
      setTimeout(() => {
        res.end('too late', () => log.push('end cb'));
        log.push(['after late end', res.writableEnded]);
      }, 150);
    },
    send: [GET(), { delay: 30 }],
    timeoutMs: 60,
    settleMs: 300,
    check: (r, log) => {
      expect(r.timedOut).toBe(true);
      expect(log).toContainEqual(['res close', false, true]);
    },
  },
  {
    name: "maxRequestsPerSocket: 'dropRequest' event for the request over the limit",
    handler: () => (req, res) => res.end(req.url),
    setup: (s, log) => {
      s.maxRequestsPerSocket = 1;
      s.on('dropRequest', (req: http.IncomingMessage) => log.push(['dropRequest', req.url]));
    },
    send: GET('/1') + GET('/2'),
    timeoutMs: 1000,
    check: (_r, log) => expect(log).toEqual([['dropRequest', '/2']]),
  },
  {
    name: 'handler sets its own Keep-Alive header',
    handler: () => (_req, res) => {
      res.setHeader('Keep-Alive', 'timeout=10, max=5');
      res.end('k');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(headerValues(r.responses[0], 'keep-alive').length).toBeGreaterThan(0),
  },
  {
    name: 'server.keepAliveTimeout = 0',
    handler: () => (_req, res) => res.end('k'),
    setup: (s) => {
      s.keepAliveTimeout = 0;
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses[0].statusCode).toBe(200),
  },
  {
    name: 'res.shouldKeepAlive = false set by the handler',
    handler: () => (_req, res) => {
      res.shouldKeepAlive = false;
      res.end('bye');
    },
    send: GET() + GET('/2'),
    check: (r) => {
      expect(r.closed).toBe(true);
      expect(r.responses).toHaveLength(1);
    },
  },
  {
    name: 'client asks Connection: close, handler sets Connection: keep-alive',
    handler: () => (_req, res) => {
      res.setHeader('Connection', 'keep-alive');
      res.end('x');
    },
    send: GET('/', 'Connection: close\r\n'),
    timeoutMs: 1000,
    check: (r) => expect(r.responses[0].statusCode).toBe(200),
  },
  {
    name: '100 response headers, one of 8 KiB',
    handler: () => (_req, res) => {
      for (let i = 0; i < 100; i++) res.setHeader(`X-H${i}`, `value-${i}`);
      res.setHeader('X-Big', 'b'.repeat(8192));
      res.end('many');
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(r.responses[0].headers.length).toBeGreaterThan(100),
  },
  {
    name: '256 pipelined requests in one write',
    handler: () => (req, res) => res.end(req.url),
    send: Array.from({ length: 256 }, (_, i) => GET(`/${i}`)).join(''),
    responses: 256,
    timeoutMs: 10000,
    check: (r) => expect(r.responses.map((x) => x.body.toString())).toEqual(Array.from({ length: 256 }, (_, i) => `/${i}`)),
  },
  {
    name: '8 MiB body in a single end()',
    handler: (log) => (_req, res) => {
      const big = Buffer.alloc(8 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
      res.on('finish', () => log.push('finish'));
      res.end(big);
    },
    send: GET(),
    responses: 1,
    timeoutMs: 15000,
    hashBodies: true,
    check: (r, log) => {
      expect(r.responses[0].body.length).toBe(8 * 1024 * 1024);
      expect(log).toEqual(['finish']);
    },
  },
  {
    name: 'createServer({ highWaterMark }) applies to req and res',
    serverOptions: { highWaterMark: 1024 } as http.ServerOptions,
    handler: (log) => (req, res) => {
      log.push([req.readableHighWaterMark, res.writableHighWaterMark]);
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (_r, log) => expect(log).toEqual([[1024, 1024]]),
  },
  {
    name: 'createServer({ uniqueHeaders }) joins those response fields on one line',
    serverOptions: { uniqueHeaders: ['x-u', 'set-cookie'] } as http.ServerOptions,
    handler: () => (_req, res) => {
      res.setHeader('X-U', ['a', 'b']);
      res.setHeader('Set-Cookie', ['c=1', 'd=2']);
      res.setHeader('X-Other', ['e', 'f']);
      res.end();
    },
    send: GET(),
    responses: 1,
    check: (r) => expect(headerValues(r.responses[0], 'x-u')).toEqual(['a; b']), // node joins them with '; '
  },
  {
    name: 'createServer({ rejectNonStandardBodyWrites }) makes body writes on 204/HEAD throw',
    serverOptions: { rejectNonStandardBodyWrites: true } as http.ServerOptions,
    handler: (log) => (req, res) => {
      if (req.method !== 'HEAD') res.statusCode = 204;
      try {
        res.write('nope');
        log.push([req.method, 'no throw']);
      } catch (e) {
        log.push([req.method, (e as NodeJS.ErrnoException).code]);
      }
      res.end();
    },
    send: GET() + 'HEAD / HTTP/1.1\r\nHost: x\r\n\r\n',
    methods: ['GET', 'HEAD'],
    responses: 2,
    check: (_r, log) => expect(log).toEqual([['GET', 'ERR_HTTP_BODY_NOT_ALLOWED'], ['HEAD', 'ERR_HTTP_BODY_NOT_ALLOWED']]),
  },
  {
    name: 'handler never answers: no bytes, connection left open',
    handler: () => () => undefined,
    send: GET(),
    responses: 1,
    timeoutMs: 300,
    check: (r) => {
      expect(r.raw.length).toBe(0);
      expect(r.timedOut).toBe(true);
    },
  },
];

describe.each(candidates.map((i) => [i.name, i] as const))('differential vs node:http: %s', (_n, impl) => {
  test.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, sc) => {
    const ref = await run(nodeImpl, sc);
    sc.check(ref.result, ref.log);
    const got = await run(impl, sc);
    expect(view(got, sc.hashBodies, sc.framingVaries)).toEqual(view(ref, sc.hashBodies, sc.framingVaries));
  });
});

describe.each(candidates.map((i) => [i.name, i] as const))('Date header: %s', (_n, impl) => {
  test('is an IMF-fixdate close to now, in the position node puts it', async () => {
    const { port } = await startServer(impl, (_req, res) => res.end('x'));
    const r = await exchange({ port, send: GET(), responses: 1, graceMs: 10 });
    const date = headerValues(r.responses[0], 'date');
    expect(date).toHaveLength(1);
    expect(date[0]).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Math.abs(Date.parse(date[0]) - Date.now())).toBeLessThan(3000);
    expect(r.responses[0].headers[0].name).toBe('Date');
  });

  test('advances over time (not frozen at server start)', async () => {
    const { port } = await startServer(impl, (_req, res) => res.end('x'));
    const first = await exchange({ port, send: GET(), responses: 1, graceMs: 10 });
    await new Promise((r) => setTimeout(r, 1100));
    const second = await exchange({ port, send: GET(), responses: 1, graceMs: 10 });
    const d1 = Date.parse(headerValues(first.responses[0], 'date')[0]);
    const d2 = Date.parse(headerValues(second.responses[0], 'date')[0]);
    expect(d2).toBeGreaterThan(d1);
  });
});
