// IncomingMessage as node:http gives it: the same raw request bytes to node:http and to uvhttp,
// and what the handler sees on `req` must be identical (values, key order, types).
import { Readable, Writable } from 'node:stream';
import * as nodeHttp from 'node:http';
import { impls, nodeImpl, type Impl } from '../helpers/impls';
import { exchange, type SendStep } from '../helpers/raw';
import { closeAllServers, delay, request, startServer } from '../helpers/server';
import type * as http from 'node:http';

afterEach(closeAllServers);

type Snapshot = Record<string, unknown>;

function protoKind(o: object): string {
  const p = Object.getPrototypeOf(o);
  if (p === null) return 'null';
  return Object.getPrototypeOf(p) === null ? 'plain object' : `instance of ${p.constructor?.name}`;
}

function snapshot(req: http.IncomingMessage): Snapshot {
  return {
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    headers: { ...req.headers },
    headerKeys: Object.keys(req.headers),
    // realm-independent (node's objects come from the main realm, jest runs tests in a vm context)
    headersProto: protoKind(req.headers),
    headersDistinctProto: protoKind(req.headersDistinct),
    trailersProto: protoKind(req.trailers),
    headersDistinct: { ...req.headersDistinct },
    headersDistinctKeys: Object.keys(req.headersDistinct),
    rawHeaders: [...req.rawHeaders],
    // req.complete at handler time is checked on its own (see 'req.complete when the handler runs')
    isReadable: req instanceof Readable,
    readable: req.readable,
    statusCode: req.statusCode,
    statusMessage: req.statusMessage,
    trailers: { ...req.trailers },
    rawTrailers: [...req.rawTrailers],
    upgrade: (req as { upgrade?: boolean }).upgrade,
    aborted: req.aborted,
    socketIsSame: req.socket === req.connection,
  };
}

/** Sends raw bytes to impl's server; resolves the snapshots of every request the handler saw. */
async function capture(impl: Impl, send: SendStep | SendStep[], responses = 1, methods?: string[]): Promise<Snapshot[]> {
  const seen: Snapshot[] = [];
  const clientPorts = new Set<number>();
  const { port } = await startServer(
    impl,
    (req, res) => {
      seen.push(snapshot(req));
      req.resume();
      req.on('end', () => res.end());
    },
    { clientPorts },
  );
  const r = await exchange({ port, send, responses, methods, timeoutMs: 3000, graceMs: 20, onConnect: (p) => clientPorts.add(p) });
  expect(r.timedOut).toBe(false);
  return seen;
}

async function captureBoth(impl: Impl, send: SendStep | SendStep[], responses = 1, methods?: string[]) {
  const ref = await capture(nodeImpl, send, responses, methods);
  const got = await capture(impl, send, responses, methods);
  expect(ref).toHaveLength(responses);
  return { ref, got };
}

const req = (head: string, body = '') => `${head.replace(/\n/g, '\r\n')}\r\n\r\n${body}`;

describe.each(impls.map((i) => [i.name, i] as const))('IncomingMessage: %s', (_n, impl) => {
  test('exports match node:http (METHODS, STATUS_CODES, classes)', () => {
    expect(impl.http.METHODS).toEqual(nodeHttp.METHODS);
    expect(impl.http.STATUS_CODES).toEqual(nodeHttp.STATUS_CODES);
    expect(typeof impl.http.IncomingMessage).toBe('function');
    expect(typeof impl.http.ServerResponse).toBe('function');
    expect(typeof impl.http.Server).toBe('function');
  });

  test('handler receives instances of the exported classes', async () => {
    const seen: unknown[] = [];
    const { port } = await startServer(impl, (rq, rs) => {
      seen.push(rq instanceof impl.http.IncomingMessage, rs instanceof impl.http.ServerResponse, rq instanceof Readable);
      rs.end();
    });
    await request(port);
    expect(seen).toEqual([true, true, true]);
  });

  test('duplicate unknown headers are joined with ", "', async () => {
    const { ref, got } = await captureBoth(impl, req('GET / HTTP/1.1\nHost: h\nX-Dup: a\nX-Other: o\nx-dup: b\nX-DUP: c'));
    expect(ref[0].headers).toMatchObject({ 'x-dup': 'a, b, c' });
    expect(got).toEqual(ref);
  });

  test('set-cookie duplicates become an array', async () => {
    const { ref, got } = await captureBoth(impl, req('GET / HTTP/1.1\nHost: h\nSet-Cookie: a=1\nset-cookie: b=2\nSET-COOKIE: c=3'));
    expect(ref[0].headers).toMatchObject({ 'set-cookie': ['a=1', 'b=2', 'c=3'] });
    expect(got).toEqual(ref);
  });

  test('a single set-cookie is still an array', async () => {
    const { ref, got } = await captureBoth(impl, req('GET / HTTP/1.1\nHost: h\nSet-Cookie: a=1'));
    expect(ref[0].headers).toMatchObject({ 'set-cookie': ['a=1'] });
    expect(got).toEqual(ref);
  });

  test('cookie duplicates are joined with "; "', async () => {
    const { ref, got } = await captureBoth(impl, req('GET / HTTP/1.1\nHost: h\nCookie: a=1\ncookie: b=2; c=3'));
    expect(ref[0].headers).toMatchObject({ cookie: 'a=1; b=2; c=3' });
    expect(got).toEqual(ref);
  });

  // _http_incoming matchKnownFields: these keep the first value and drop later duplicates.
  const singles = [
    ['Content-Type', 'text/a', 'text/b'],
    ['User-Agent', 'ua1', 'ua2'],
    ['Referer', 'http://r1/', 'http://r2/'],
    ['Authorization', 'Basic YTpi', 'Basic Yzpk'],
    ['Proxy-Authorization', 'Basic YTpi', 'Basic Yzpk'],
    ['From', 'a@x', 'b@x'],
    ['Age', '1', '2'],
    ['ETag', '"1"', '"2"'],
    ['Server', 's1', 's2'],
    ['Location', '/l1', '/l2'],
    ['Expires', 'e1', 'e2'],
    ['Retry-After', '1', '2'],
    ['Max-Forwards', '1', '2'],
    ['Last-Modified', 'l1', 'l2'],
    ['If-Modified-Since', 'd1', 'd2'],
    ['If-Unmodified-Since', 'd1', 'd2'],
  ] as const;
  test.each(singles)('single-valued %s keeps the first of duplicates', async (name, v1, v2) => {
    const { ref, got } = await captureBoth(impl, req(`GET / HTTP/1.1\nHost: h\n${name}: ${v1}\n${name.toLowerCase()}: ${v2}`));
    expect((ref[0].headers as Record<string, unknown>)[name.toLowerCase()]).toBe(v1);
    expect((ref[0].headersDistinct as Record<string, unknown>)[name.toLowerCase()]).toEqual([v1, v2]);
    expect(got).toEqual(ref);
  });

  // Fields Node joins with ", " (the '\u0000'-prefixed ones in matchKnownFields).
  const joined = ['Accept', 'Accept-Encoding', 'Accept-Language', 'Cache-Control', 'Connection', 'Vary', 'Origin', 'If-None-Match', 'X-Forwarded-For', 'X-Forwarded-Host', 'X-Forwarded-Proto', 'Content-Encoding', 'Upgrade', 'Date', 'If-Match'];
  test.each(joined)('%s duplicates are joined with ", "', async (name) => {
    const { ref, got } = await captureBoth(impl, req(`GET / HTTP/1.1\nHost: h\n${name}: one\n${name.toUpperCase()}: two`));
    expect((ref[0].headers as Record<string, unknown>)[name.toLowerCase()]).toBe('one, two');
    expect(got).toEqual(ref);
  });

  test('joinDuplicateHeaders: true joins every duplicate (set-cookie stays an array)', async () => {
    async function o(i: Impl) {
      let seen: unknown;
      const { port } = await startServer(
        i,
        (rq, rs) => {
          seen = { headers: { ...rq.headers }, keys: Object.keys(rq.headers) };
          rs.end();
        },
        { serverOptions: { joinDuplicateHeaders: true } as http.ServerOptions },
      );
      await exchange({
        port,
        send: req('GET / HTTP/1.1\nHost: h\nContent-Type: a\nContent-Type: b\nUser-Agent: u1\nUser-Agent: u2\nSet-Cookie: c1\nSet-Cookie: c2\nCookie: k1\nCookie: k2\nX-D: 1\nX-D: 2'),
        responses: 1,
        graceMs: 10,
      });
      return seen;
    }
    const ref = await o(nodeImpl);
    expect(ref).toMatchObject({ headers: { 'content-type': 'a, b', 'user-agent': 'u1, u2', 'set-cookie': ['c1', 'c2'], 'x-d': '1, 2' } });
    expect(await o(impl)).toEqual(ref);
  });

  test('mixed-case names become lowercase keys; rawHeaders keep wire order and case', async () => {
    const { ref, got } = await captureBoth(
      impl,
      req('GET / HTTP/1.1\nhOsT: h\nX-CamelCase: 1\nCONTENT-TYPE: text/plain\nx-lower: 2\nX-Camelcase: 3\nAccept: */*'),
    );
    expect(ref[0].rawHeaders).toEqual(['hOsT', 'h', 'X-CamelCase', '1', 'CONTENT-TYPE', 'text/plain', 'x-lower', '2', 'X-Camelcase', '3', 'Accept', '*/*']);
    expect(ref[0].headerKeys).toEqual(['host', 'x-camelcase', 'content-type', 'x-lower', 'accept']);
    expect(got).toEqual(ref);
  });

  // Common names travel from native as indices into a shared list: every spelling must still
  // arrive exactly as sent, near misses included.
  test('common field names and near misses keep their wire spelling', async () => {
    const names = [
      'Host', 'User-Agent', 'user-agent', 'USER-AGENT', 'Accept', 'accepT', 'Accept-Encoding',
      'Accept-encoding', 'Cookie', 'cookies', 'Sec-CH-UA', 'sec-ch-ua', 'Sec-Ch-Ua', 'DNT', 'dnt',
      'TE', 'Te', 'X-Forwarded-For', 'x-forwarded-for', 'X-Forwarded-Fo', 'Upgrade-Insecure-Requests',
    ];
    const head = ['GET / HTTP/1.1', ...names.map((name, i) => (name === 'Host' ? 'Host: h' : `${name}: v${i}`))];
    const { ref, got } = await captureBoth(impl, req(head.join('\n')));
    expect((ref[0].rawHeaders as string[]).filter((_, i) => i % 2 === 0)).toEqual(names);
    expect(got).toEqual(ref);
  });

  test('field names with every tchar', async () => {
    const { ref, got } = await captureBoth(impl, req("GET / HTTP/1.1\nHost: h\nX!#$%&'*+-.^_`|~09Az: v\n1: digit-name"));
    expect(ref[0].rawHeaders).toEqual(['Host', 'h', "X!#$%&'*+-.^_`|~09Az", 'v', '1', 'digit-name']);
    expect(got).toEqual(ref);
  });

  test('trailers follow the same joining rules as headers', async () => {
    async function o(i: Impl) {
      let out: unknown;
      const { port } = await startServer(i, (rq, rs) => {
        rq.resume();
        rq.on('end', () => {
          out = { trailers: { ...rq.trailers }, keys: Object.keys(rq.trailers), rawTrailers: rq.rawTrailers, distinct: { ...rq.trailersDistinct } };
          rs.end();
        });
      });
      await exchange({
        port,
        send: 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-T: 1\r\nx-t: 2\r\nSet-Cookie: a\r\nContent-Type: one\r\ncontent-type: two\r\nCookie: c1\r\nCookie: c2\r\n\r\n',
        responses: 1,
        graceMs: 10,
      });
      return out;
    }
    const ref = await o(nodeImpl);
    expect(ref).toMatchObject({ trailers: { 'x-t': '1, 2', 'set-cookie': ['a'], 'content-type': 'one', cookie: 'c1; c2' } });
    expect(await o(impl)).toEqual(ref);
  });

  test('header values: optional whitespace trimmed, inner whitespace kept, empty values', async () => {
    const { ref, got } = await captureBoth(impl, req('GET / HTTP/1.1\nHost: h\nX-A:    spaced   value  \nX-B:\t\ttabbed\t\nX-Empty:\nX-Empty2:   \nX-Obs: a\tb'));
    expect(ref[0].headers).toMatchObject({ 'x-a': 'spaced   value', 'x-b': 'tabbed', 'x-empty': '', 'x-empty2': '' });
    expect(got).toEqual(ref);
  });

  test('header values with obs-text (bytes 0x80-0xff) are latin1 strings', async () => {
    const raw = Buffer.concat([Buffer.from('GET / HTTP/1.1\r\nHost: h\r\nX-Bin: caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\r\n\r\n')]);
    const { ref, got } = await captureBoth(impl, raw);
    expect(got).toEqual(ref);
  });

  test('many headers (200) all arrive, order kept', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `X-H${i}: v${i}`).join('\n');
    const { ref, got } = await captureBoth(impl, req(`GET / HTTP/1.1\nHost: h\n${lines}`));
    expect((ref[0].rawHeaders as string[]).length).toBe(402);
    expect(got).toEqual(ref);
  });

  test('head split byte by byte across writes', async () => {
    const text = req('POST /split?x=1 HTTP/1.1\nHost: h\nX-Long: ' + 'y'.repeat(50) + '\nContent-Length: 3', 'abc');
    const steps: SendStep[] = [];
    for (const ch of text) steps.push(ch, { delay: 1 });
    const { ref, got } = await captureBoth(impl, steps);
    expect(ref[0]).toMatchObject({ method: 'POST', url: '/split?x=1' });
    expect(got).toEqual(ref);
  });

  test.each(nodeHttp.METHODS.filter((m) => m !== 'CONNECT'))('method %s', async (m) => {
    const { ref, got } = await captureBoth(impl, req(`${m} /m HTTP/1.1\nHost: h`), 1, [m]);
    expect(ref[0].method).toBe(m);
    expect(got).toEqual(ref);
  });

  test.each([
    ['origin-form with query', 'GET /a/b%20c?x=1&y=%2F HTTP/1.1'],
    ['origin-form root', 'GET / HTTP/1.1'],
    ['origin-form with odd but legal characters', "GET /a;b,c:d@e!$&'()*+=~-._/?q=[]{} HTTP/1.1"],
    ['absolute-form', 'GET http://example.com:8080/path?q=1 HTTP/1.1'],
    ['absolute-form https', 'GET https://example.com/ HTTP/1.1'],
    ['asterisk-form with OPTIONS', 'OPTIONS * HTTP/1.1'],
    ['double slash path', 'GET //double//slash HTTP/1.1'],
    ['fragment in target', 'GET /frag#part HTTP/1.1'],
  ])('url: %s', async (_label, line) => {
    const { ref, got } = await captureBoth(impl, req(`${line}\nHost: example.com`));
    expect(ref[0].url).toBe(line.split(' ')[1]);
    expect(got).toEqual(ref);
  });

  test.each([
    ['HTTP/1.1', 1, 1],
    ['HTTP/1.0', 1, 0],
  ])('httpVersion %s', async (v, major, minor) => {
    const { ref, got } = await captureBoth(impl, req(`GET / ${v}\nHost: h`));
    expect(ref[0]).toMatchObject({ httpVersion: `${major}.${minor}`, httpVersionMajor: major, httpVersionMinor: minor });
    expect(got).toEqual(ref);
  });

  test('pipelined requests: each IncomingMessage is its own', async () => {
    const { ref, got } = await captureBoth(
      impl,
      req('GET /1 HTTP/1.1\nHost: h\nX-N: 1') + req('POST /2 HTTP/1.1\nHost: h\nContent-Length: 2\nX-N: 2', 'ab') + req('GET /3 HTTP/1.0\nConnection: keep-alive'),
      3,
    );
    expect(ref.map((s) => s.url)).toEqual(['/1', '/2', '/3']);
    expect(got).toEqual(ref);
  });

  // ---- body as a Readable ----

  async function bodyObservation(i: Impl, send: SendStep | SendStep[], consume: (req: http.IncomingMessage) => Promise<unknown>) {
    let observed: unknown;
    let failure: unknown;
    const clientPorts = new Set<number>();
    const { port } = await startServer(i, (rq, rs) => {
      consume(rq).then(
        (v) => {
          observed = v;
          rs.end('ok');
        },
        (e) => {
          failure = e;
          rs.statusCode = 500;
          rs.end();
        },
      );
    }, { clientPorts });
    const r = await exchange({ port, send, responses: 1, timeoutMs: 3000, graceMs: 10, onConnect: (p) => clientPorts.add(p) });
    expect(failure).toBeUndefined();
    expect(r.responses[0]?.statusCode).toBe(200);
    return observed;
  }

  const chunkedUpload: SendStep[] = [
    'POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n',
    '3\r\nabc\r\n',
    { delay: 20 },
    '4\r\ndefg\r\n',
    { delay: 20 },
    '0\r\nX-T: 1\r\n\r\n',
  ];

  test('body via async iteration (Content-Length)', async () => {
    const consume = async (rq: http.IncomingMessage) => {
      const parts: string[] = [];
      for await (const c of rq) parts.push(Buffer.isBuffer(c) ? c.toString() : `NOT A BUFFER: ${typeof c}`);
      return { body: parts.join(''), complete: rq.complete };
    };
    const send = ['POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n01234', { delay: 20 }, '56789'];
    const ref = await bodyObservation(nodeImpl, send, consume);
    expect(ref).toEqual({ body: '0123456789', complete: true });
    expect(await bodyObservation(impl, send, consume)).toEqual(ref);
  });

  test('body via async iteration (chunked) and trailers after end', async () => {
    const consume = async (rq: http.IncomingMessage) => {
      let body = '';
      for await (const c of rq) body += c;
      return { body, trailers: rq.trailers, rawTrailers: rq.rawTrailers, complete: rq.complete };
    };
    const ref = await bodyObservation(nodeImpl, chunkedUpload, consume);
    expect(ref).toEqual({ body: 'abcdefg', trailers: { 'x-t': '1' }, rawTrailers: ['X-T', '1'], complete: true });
    expect(await bodyObservation(impl, chunkedUpload, consume)).toEqual(ref);
  });

  test('chunked upload split byte by byte, uppercase hex and leading zeros, extensions, trailers', async () => {
    const text =
      'POST /bytes HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '000A;name=value;flag\r\n0123456789\r\n' +
      '1b\r\nabcdefghijklmnopqrstuvwxyz!\r\n' +
      '0\r\nX-Sum: 37\r\n\r\n';
    const steps: SendStep[] = [];
    for (const ch of text) steps.push(ch, { delay: 1 });
    const consume = (rq: http.IncomingMessage) =>
      new Promise((resolve) => {
        let body = '';
        rq.setEncoding('latin1');
        rq.on('data', (d: string) => (body += d));
        rq.on('end', () => resolve({ body, trailers: rq.trailers, complete: rq.complete }));
      });
    const ref = await bodyObservation(nodeImpl, steps, consume);
    expect(ref).toEqual({ body: '0123456789abcdefghijklmnopqrstuvwxyz!', trailers: { 'x-sum': '37' }, complete: true });
    expect(await bodyObservation(impl, steps, consume)).toEqual(ref);
  });

  test('body via pipe() into a Writable', async () => {
    const consume = (rq: http.IncomingMessage) =>
      new Promise((resolve, reject) => {
        const parts: Buffer[] = [];
        const sink = new Writable({
          highWaterMark: 4,
          write(chunk: Buffer, _enc, cb) {
            parts.push(chunk);
            setTimeout(cb, 2);
          },
        });
        sink.on('finish', () => resolve({ body: Buffer.concat(parts).toString(), complete: rq.complete }));
        sink.on('error', reject);
        rq.pipe(sink);
      });
    const ref = await bodyObservation(nodeImpl, chunkedUpload, consume);
    expect(ref).toEqual({ body: 'abcdefg', complete: true });
    expect(await bodyObservation(impl, chunkedUpload, consume)).toEqual(ref);
  });

  test('setEncoding(utf8) decodes multi-byte characters split across chunks', async () => {
    const euro = Buffer.from('€'); // 3 bytes
    const send: SendStep[] = [
      'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 7\r\n\r\nab',
      euro.subarray(0, 1),
      { delay: 20 },
      euro.subarray(1),
      { delay: 20 },
      'cd',
    ];
    const consume = (rq: http.IncomingMessage) =>
      new Promise((resolve) => {
        rq.setEncoding('utf8');
        const parts: unknown[] = [];
        rq.on('data', (d) => parts.push(typeof d));
        let s = '';
        rq.on('data', (d: string) => (s += d));
        rq.on('end', () => resolve({ s, types: [...new Set(parts)] }));
      });
    const ref = await bodyObservation(nodeImpl, send, consume);
    expect(ref).toEqual({ s: 'ab€cd', types: ['string'] });
    expect(await bodyObservation(impl, send, consume)).toEqual(ref);
  });

  test('pause() holds data until resume()', async () => {
    const consume = (rq: http.IncomingMessage) =>
      new Promise((resolve) => {
        const events: string[] = [];
        let body = '';
        rq.pause();
        rq.on('data', (d) => {
          events.push('data');
          body += d;
        });
        rq.on('end', () => {
          events.push('end');
          resolve({ body, events: events.filter((e, i) => e !== events[i - 1]), isPausedBefore: paused });
        });
        const paused = rq.isPaused();
        setTimeout(() => {
          events.push('resume');
          rq.resume();
        }, 80);
      });
    const send = ['PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabc', { delay: 10 }, 'def'];
    const ref = await bodyObservation(nodeImpl, send, consume);
    expect(ref).toEqual({ body: 'abcdef', events: ['resume', 'data', 'end'], isPausedBefore: true });
    expect(await bodyObservation(impl, send, consume)).toEqual(ref);
  });

  test("read() in 'readable' handlers", async () => {
    const consume = (rq: http.IncomingMessage) =>
      new Promise((resolve) => {
        let body = '';
        rq.on('readable', () => {
          let c: Buffer | null;
          while ((c = rq.read()) !== null) body += c;
        });
        rq.on('end', () => resolve(body));
      });
    const send = ['POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabc', { delay: 10 }, 'def'];
    const ref = await bodyObservation(nodeImpl, send, consume);
    expect(ref).toBe('abcdef');
    expect(await bodyObservation(impl, send, consume)).toEqual(ref);
  });

  test("'end' is emitted for a bodiless GET (once consumed) and complete is true", async () => {
    const consume = (rq: http.IncomingMessage) =>
      new Promise((resolve) => {
        const before = rq.complete;
        let datas = 0;
        rq.on('data', () => datas++);
        rq.on('end', () => resolve({ before, after: rq.complete, datas, readableEnded: rq.readableEnded }));
      });
    const ref = await bodyObservation(nodeImpl, 'GET / HTTP/1.1\r\nHost: h\r\n\r\n', consume);
    expect(ref).toMatchObject({ after: true, datas: 0, readableEnded: true });
    expect(await bodyObservation(impl, 'GET / HTTP/1.1\r\nHost: h\r\n\r\n', consume)).toEqual(ref);
  });

  test("'end' for Content-Length: 0 POST", async () => {
    const consume = (rq: http.IncomingMessage) =>
      new Promise((resolve) => {
        let n = 0;
        rq.on('data', (d: Buffer) => (n += d.length));
        rq.on('end', () => resolve({ n, complete: rq.complete }));
      });
    const send = 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n';
    const ref = await bodyObservation(nodeImpl, send, consume);
    expect(ref).toEqual({ n: 0, complete: true });
    expect(await bodyObservation(impl, send, consume)).toEqual(ref);
  });

  test.each([
    ['bodiless GET', 'GET / HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['POST with its whole body in the same packet', 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc'],
  ])('req.complete when the handler runs: %s (node: false, set on message complete)', async (_l, send) => {
    async function o(i: Impl) {
      const seen: unknown[] = [];
      const { port } = await startServer(i, (rq, rs) => {
        seen.push(['handler', rq.complete]);
        queueMicrotask(() => seen.push(['microtask', rq.complete]));
        rq.resume();
        rq.on('end', () => {
          seen.push(['end', rq.complete]);
          rs.end();
        });
      });
      await exchange({ port, send, responses: 1, graceMs: 10 });
      return seen;
    }
    const ref = await o(nodeImpl);
    expect(ref[0]).toEqual(['handler', false]);
    expect(await o(impl)).toEqual(ref);
  });

  test('req.complete is false while the body is still arriving', async () => {
    const consume = (rq: http.IncomingMessage) =>
      new Promise((resolve) => {
        const seen: boolean[] = [rq.complete];
        rq.on('data', () => seen.push(rq.complete));
        rq.on('end', () => {
          seen.push(rq.complete);
          resolve(seen);
        });
      });
    const send = ['POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabc', { delay: 50 }, 'def'];
    const ref = await bodyObservation(nodeImpl, send, consume);
    // node: complete turns true only after the last 'data' (set on message complete)
    expect(ref).toEqual([false, false, false, true]);
    expect(await bodyObservation(impl, send, consume)).toEqual(ref);
  });

  test('client aborts mid-body: req emits aborted/error/close like node', async () => {
    async function observe(i: Impl) {
      const events: unknown[] = [];
      let done!: () => void;
      const finished = new Promise<void>((r) => (done = r));
      const { port } = await startServer(i, (rq) => {
        rq.on('data', () => events.push('data'));
        rq.on('aborted', () => events.push('aborted'));
        rq.on('error', (e: NodeJS.ErrnoException) => events.push(['error', e.code, e.message]));
        rq.on('end', () => events.push('end'));
        rq.on('close', () => {
          events.push(['close', rq.complete, rq.aborted, rq.destroyed]);
          done();
        });
      });
      await exchange({ port, send: ['POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc', { delay: 40 }], timeoutMs: 80 });
      await Promise.race([finished, delay(1000)]);
      return events;
    }
    const ref = await observe(nodeImpl);
    expect(ref[ref.length - 1]).toEqual(['close', false, true, true]);
    expect(await observe(impl)).toEqual(ref);
  });

  test('handler-side snapshot for a request sent by the node http client', async () => {
    async function observe(i: Impl) {
      let s: Snapshot | undefined;
      const { port } = await startServer(i, (rq, rs) => {
        s = snapshot(rq);
        rq.resume();
        rq.on('end', () => rs.end());
      });
      await request(port, { method: 'POST', path: '/c?x', headers: { 'X-Thing': ['a', 'b'], 'Content-Type': 'text/plain' }, body: 'payload' });
      return s;
    }
    const ref = await observe(nodeImpl);
    const got = await observe(impl);
    // the client's port differs per run; Host carries it
    const strip = (x: Snapshot | undefined) => JSON.parse(JSON.stringify(x).replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT'));
    expect(strip(got)).toEqual(strip(ref));
  });
});
