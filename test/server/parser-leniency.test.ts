// The leniency of a server's parser, raw bytes over real sockets, node:http against uvhttp.
// Node computes it per connection, when it takes the connection (calculateLenientFlags in its
// connectionListener): insecureHTTPParser or httpValidation changed after listen() applies to
// the connections that come after (as maxHeaderSize does), and --insecure-http-parser warns at the first connection.
// httpValidation (Node 24.19) chooses it per server: 'strict', 'relaxed' (field values may hold
// any byte but NUL, CR and LF; nothing else relaxed) or 'insecure' (insecureHTTPParser's), and
// the same option decides which header values a response may send.
import { execFile } from 'node:child_process';
import * as nodeHttp from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import type * as http from 'node:http';
import { candidates, nodeImpl, type Impl } from '../helpers/impls';
import { nodeMajor } from '../helpers/node-line';
import { exchange } from '../helpers/raw';
import { closeAllServers, startServer } from '../helpers/server';

afterEach(closeAllServers);

const ROOT = path.resolve(__dirname, '..', '..');
// The oracle decides: the option exists where the running node:http has it.
const lineHasHttpValidation = 'httpValidation' in nodeHttp.createServer();
const describeHttpValidation = lineHasHttpValidation ? describe : describe.skip;

const folded = 'GET / HTTP/1.1\r\nHost: x\r\nX: 1\r\n 2\r\nConnection: close\r\n\r\n';
const withValueByte = (byte: number) =>
  Buffer.concat([Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX: a'), Buffer.from([byte]), Buffer.from('b\r\n\r\n')]);

// Answers each request with the value of X it saw; a parse error with its code.
function setup(server: http.Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket) =>
    socket.end(`HTTP/1.1 400 Bad Request\r\nX-Error: ${err.code}\r\nConnection: close\r\n\r\n`),
  );
}
// Answers at the end of the request's body (a body that fails to parse is answered 400 alone).
const echoX: (req: http.IncomingMessage, res: http.ServerResponse) => void = (req, res) => {
  req.resume();
  req.on('end', () => res.end(JSON.stringify(req.headers.x ?? null)));
};

async function ask(port: number, bytes: string | Buffer): Promise<string> {
  const r = await exchange({ port, send: bytes, responses: 1, timeoutMs: 3000 });
  return r.masked;
}

describe.each(candidates)('parser leniency per connection: $name against node:http', (impl) => {
  // Each step: change the server (or not), then one request on a new connection.
  async function steps(which: Impl, options: http.ServerOptions, changes: Array<(server: http.Server) => void>, bytes: string | Buffer): Promise<string[]> {
    const { server, port } = await startServer(which, echoX, { serverOptions: options, setup });
    const answers: string[] = [];
    for (const change of changes) {
      change(server);
      answers.push(await ask(port, bytes));
    }
    return answers;
  }
  const set = (name: string, value: unknown) => (server: http.Server) => {
    (server as unknown as Record<string, unknown>)[name] = value;
  };
  const keep = () => undefined;

  test.each<[string, http.ServerOptions, Array<(server: http.Server) => void>]>([
    ['insecureHTTPParser set to true after listen', {}, [keep, set('insecureHTTPParser', true), keep]],
    ['insecureHTTPParser set to false after listen', { insecureHTTPParser: true }, [keep, set('insecureHTTPParser', false), set('insecureHTTPParser', undefined)]],
  ])('%s: the next connections follow it', async (_name, options, changes) => {
    const ref = await steps(nodeImpl, options, changes, folded);
    expect(ref.map((r) => r.split('\r\n')[0])).not.toEqual(ref.map(() => ref[0].split('\r\n')[0]));
    expect(await steps(impl, options, changes, folded)).toEqual(ref);
  });

  // The header limit is read the same way (`server.maxHeaderSize || 0` to each new parser).
  const longField = `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(300)}\r\nConnection: close\r\n\r\n`;
  test.each<[string, http.ServerOptions, Array<(server: http.Server) => void>]>([
    ['maxHeaderSize set after listen', {}, [keep, set('maxHeaderSize', 100), set('maxHeaderSize', undefined)]],
    ['maxHeaderSize raised after listen', { maxHeaderSize: 100 }, [keep, set('maxHeaderSize', 1000), set('maxHeaderSize', 0)]],
  ])('%s: the next connections follow it', async (_name, options, changes) => {
    const ref = await steps(nodeImpl, options, changes, longField);
    expect(ref.filter((r) => r.includes('X-Error: HPE_HEADER_OVERFLOW'))).toHaveLength(1);
    expect(ref.filter((r) => r.startsWith('HTTP/1.1 200 OK'))).toHaveLength(2);
    expect(await steps(impl, options, changes, longField)).toEqual(ref);
  });

  test('a connection keeps the leniency it was taken with', async () => {
    async function run(which: Impl) {
      const { server, port } = await startServer(which, echoX, { setup });
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      // Wait until the server has the connection, then change the option under it.
      await new Promise((r) => setTimeout(r, 50));
      set('insecureHTTPParser', true)(server);
      const got = await new Promise<string>((resolve) => {
        let data = '';
        socket.on('data', (d) => (data += d.toString('latin1')));
        socket.on('close', () => resolve(data.split('\r\n')[0]));
        socket.write(folded);
      });
      return got;
    }
    const ref = await run(nodeImpl);
    expect(ref).toBe('HTTP/1.1 400 Bad Request');
    expect(await run(impl)).toBe(ref);
  });

  test("a stream handed over with emit('connection') takes the leniency of that moment", async () => {
    async function run(which: Impl) {
      const { server } = await startServer(which, echoX, { setup });
      const front = net.createServer((s) => server.emit('connection', s));
      await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
      const port = (front.address() as net.AddressInfo).port;
      try {
        const strict = await ask(port, folded);
        set('insecureHTTPParser', true)(server);
        return [strict, await ask(port, folded)];
      } finally {
        front.close();
      }
    }
    const ref = await run(nodeImpl);
    expect(await run(impl)).toEqual(ref);
  });

  // Node's warning for --insecure-http-parser comes from its isLenient(), which its server calls
  // per connection: at the first one, not at createServer() or listen().
  test('--insecure-http-parser warns once, at the first connection', async () => {
    const APP = path.join(__dirname, '..', 'fixtures', 'apps', 'leniency-warning-app.js');
    const run = (spec: string) =>
      new Promise<string[]>((resolve, reject) => {
        execFile(process.execPath, ['--insecure-http-parser', APP, spec], { timeout: 20000 }, (error, out, err) =>
          error ? reject(new Error(`${error.message}\n${err}`)) : resolve(JSON.parse(out) as string[]),
        );
      });
    const ref = await run('node:http');
    expect(ref.filter((e) => e.startsWith('warning')).length).toBe(1);
    expect(ref.indexOf('listening')).toBeLessThan(ref.findIndex((e) => e.startsWith('warning')));
    expect(await run(impl.name === 'node' ? 'node:http' : ROOT)).toEqual(ref);
  }, 30000);
});

describeHttpValidation.each(candidates)('httpValidation (Node 24.19): $name against node:http', (impl) => {
  test.each<[string, unknown]>([
    ['an unknown value', 'lax'],
    ['a number', 1],
    ['null', null],
    ['with insecureHTTPParser', 'strict'],
    ['with insecureHTTPParser: false', 'insecure'],
  ])('createServer refuses %s as node:http does', (name, value) => {
    const options = { httpValidation: value, ...(name.startsWith('with') ? { insecureHTTPParser: name.endsWith('false') ? false : true } : {}) };
    const thrown = (which: Impl) => {
      try {
        which.http.createServer(options as http.ServerOptions);
        return null;
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        return { name: err.name, code: err.code, message: err.message };
      }
    };
    const ref = thrown(nodeImpl);
    expect(ref).not.toBeNull();
    expect(thrown(impl)).toEqual(ref);
  });

  test('the property is the option, own and undefined by default', () => {
    for (const options of [{}, { httpValidation: 'relaxed' }]) {
      const ref = nodeImpl.http.createServer(options as http.ServerOptions) as unknown as Record<string, unknown>;
      const got = impl.http.createServer(options as http.ServerOptions) as unknown as Record<string, unknown>;
      expect([Object.keys(got).includes('httpValidation'), got.httpValidation]).toEqual([Object.keys(ref).includes('httpValidation'), ref.httpValidation]);
    }
  });

  // Every byte in a field value, for each setting: accepted, or the parse error code.
  test.each(['strict', 'relaxed', 'insecure'])("httpValidation '%s': the bytes a request's field value may hold", async (mode) => {
    async function verdicts(which: Impl) {
      const { port } = await startServer(which, echoX, { serverOptions: { httpValidation: mode } as http.ServerOptions, setup });
      const out: string[] = [];
      for (let byte = 0; byte < 256; byte++) {
        // NUL under 'insecure': uvhttp refuses it in lenient mode too (README, docs/PARSER.md).
        if (mode === 'insecure' && byte === 0) continue;
        // NUL under 'relaxed': node:http 26.12 spins in its parser (below).
        if (mode === 'relaxed' && byte === 0 && nodeMajor >= 26) continue;
        const answer = await ask(port, withValueByte(byte));
        out.push(`${byte.toString(16)} ${answer.split('\r\n')[0]} ${/X-Error: (\S+)/.exec(answer)?.[1] ?? ''}`);
      }
      return out;
    }
    const ref = await verdicts(nodeImpl);
    expect(await verdicts(impl)).toEqual(ref);
  }, 60000);

  // Node 24 answers it 400 HPE_INVALID_HEADER_TOKEN; Node 26.12's parser loops forever on it
  // (the process hangs), so there uvhttp is held to Node 24's answer.
  test("httpValidation 'relaxed': a NUL in a field value is refused", async () => {
    const answer = async (which: Impl) => {
      const { port } = await startServer(which, echoX, { serverOptions: { httpValidation: 'relaxed' } as http.ServerOptions, setup });
      return ask(port, withValueByte(0));
    };
    const got = await answer(impl);
    expect(got).toMatch(/^HTTP\/1\.1 400 Bad Request\r\nX-Error: HPE_INVALID_HEADER_TOKEN\r\n/);
    if (nodeMajor < 26) expect(got).toEqual(await answer(nodeImpl));
  });

  test.each<[string, string]>([
    ['obs-fold', folded],
    ['a bare LF line end', 'GET / HTTP/1.1\r\nHost: x\nConnection: close\r\n\r\n'],
    ['a control character in the target', 'GET /a\x01b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
    ['a control character in a field name', 'GET / HTTP/1.1\r\nHost: x\r\nX\x01: 1\r\nConnection: close\r\n\r\n'],
    ['spaces after a chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n1 \r\na\r\n0\r\n\r\n'],
  ])("httpValidation 'relaxed' relaxes nothing but field values: %s", async (_name, bytes) => {
    const answer = async (which: Impl, mode: string) => {
      const { port } = await startServer(which, echoX, { serverOptions: { httpValidation: mode } as http.ServerOptions, setup });
      return ask(port, bytes);
    };
    const ref = await answer(nodeImpl, 'relaxed');
    expect(ref).toEqual(await answer(nodeImpl, 'strict'));
    expect(await answer(impl, 'relaxed')).toEqual(ref);
    expect(await answer(impl, 'insecure')).toEqual(await answer(nodeImpl, 'insecure'));
  });

  test('httpValidation set after listen applies to the next connections', async () => {
    async function run(which: Impl) {
      const { server, port } = await startServer(which, echoX, { setup });
      const first = await ask(port, withValueByte(1));
      (server as unknown as { httpValidation: string }).httpValidation = 'relaxed';
      return [first, await ask(port, withValueByte(1))];
    }
    const ref = await run(nodeImpl);
    expect(ref[0]).not.toEqual(ref[1]);
    expect(await run(impl)).toEqual(ref);
  });

  // Which header values a response may send: the strict rule (no CTL but HTAB, no DEL), or with
  // 'relaxed'/'insecure' (and, from 24.19, insecureHTTPParser) anything but NUL, CR and LF.
  test.each<[string, http.ServerOptions]>([
    ['none', {}],
    ["httpValidation 'strict'", { httpValidation: 'strict' } as http.ServerOptions],
    ["httpValidation 'relaxed'", { httpValidation: 'relaxed' } as http.ServerOptions],
    ["httpValidation 'insecure'", { httpValidation: 'insecure' } as http.ServerOptions],
    ['insecureHTTPParser: true', { insecureHTTPParser: true }],
  ])('response header values with %s', async (_name, options) => {
    async function sent(which: Impl) {
      const { port } = await startServer(
        which,
        (_req, res) => {
          const outcomes: string[] = [];
          const attempt = (what: string, f: () => void) => {
            try {
              f();
              outcomes.push(`${what}: ok`);
            } catch (e) {
              outcomes.push(`${what}: ${(e as NodeJS.ErrnoException).code} ${(e as Error).message}`);
            }
          };
          attempt('setHeader CTL', () => res.setHeader('X-A', 'a\x01b'));
          attempt('setHeader DEL', () => res.setHeader('X-B', 'a\x7fb'));
          attempt('setHeader NUL', () => res.setHeader('X-C', 'a\x00b'));
          attempt('setHeader LF', () => res.setHeader('X-C', 'a\nb'));
          attempt('setHeader past latin1', () => res.setHeader('X-D', 'a\u0100b'));
          attempt('appendHeader', () => res.appendHeader('X-E', 'a\x02b'));
          attempt('setHeader list', () => res.setHeader('X-F', ['a\x03', 'b\x04']));
          attempt('writeEarlyHints', () => res.writeEarlyHints({ link: '</a>; rel=preload', 'x-h': 'a\x05' }));
          attempt('addTrailers', () => res.addTrailers({ 'X-T': 'a\x06' }));
          attempt('http.validateHeaderValue', () => which.http.validateHeaderValue('x', 'a\x07'));
          attempt('writeHead', () => res.writeHead(200, { 'X-W': 'w\x08' }));
          if (!res.headersSent) res.writeHead(200);
          res.end(outcomes.join('\n'));
        },
        { serverOptions: options },
      );
      return ask(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    }
    const ref = await sent(nodeImpl);
    expect(await sent(impl)).toEqual(ref);
  });
});
