// Client interop runs: an HTTP client library in a child process, once on plain Node (its
// require('http') is node:http, the oracle) and once under `node -r <root>/dist/register.js`
// (uvhttp in place of 'http'), each against the same server in this process, which is either a
// node:http server or a uvhttp server (the same handler on both). The scenario is a script in
// test/fixtures/apps/interop/clients/; it reports what it observed over IPC, and the test
// compares the two clients' observations against each server.
import { fork } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import WebSocket = require('ws');

import * as uvhttp from '../../lib';
import { REGISTER, ROOT, Side } from './interop';

export const CLIENT_APPS = path.join(__dirname, '..', 'fixtures', 'apps', 'interop', 'clients');

export type ServerSide = 'node' | 'uvhttp';

export interface TestServer {
  side: ServerSide;
  server: http.Server;
  port: number;
  /** Connections accepted since the last reset. */
  connections: number;
  /** What the handler saw since the last reset (per path counters). */
  hits: Map<string, number>;
  reset(): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function handler(state: { hits: Map<string, number> }, serial: WeakMap<object, number>) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const count = (state.hits.get(url.pathname + url.search) ?? 0) + 1;
    state.hits.set(url.pathname + url.search, count);
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const json = (status: number, value: Json, extra: http.OutgoingHttpHeaders = {}) => {
        const text = JSON.stringify(value);
        res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra });
        res.end(text);
      };
      const p = url.pathname;
      if (p === '/json') return json(200, { hello: 'world', method: req.method, url: req.url });
      if (p === '/text') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return res.end('plain text body');
      }
      // No Content-Length, no chunking: the body ends when the connection closes.
      if (p === '/until-close') {
        res.useChunkedEncodingByDefault = false;
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('framed ');
        return setImmediate(() => res.end('by the close'));
      }
      // A chunked body cut short: the server's connection goes away in the middle of it.
      if (p === '/cut') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('a'.repeat(1000));
        return setTimeout(() => req.socket.destroy(), 20);
      }
      // A gzip-encoded JSON body, for the clients that decompress.
      if (p === '/gzip') {
        const zipped = zlib.gzipSync(JSON.stringify({ compressed: true, url: req.url }));
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': zipped.length });
        return res.end(zipped);
      }
      if (p === '/echo') {
        const h = req.headers;
        return json(200, {
          method: req.method,
          url: req.url,
          headers: { 'content-type': h['content-type'], 'content-length': h['content-length'], 'transfer-encoding': h['transfer-encoding'], 'x-test': h['x-test'] },
          body: body.toString('utf8'),
        });
      }
      const redirect = /^\/redirect\/(\d+)$/.exec(p);
      if (redirect) {
        const n = Number(redirect[1]);
        res.writeHead(302, { Location: n > 1 ? `/redirect/${n - 1}` : url.searchParams.get('to') || '/json', 'Content-Length': 0 });
        return res.end();
      }
      if (p === '/stream') {
        // 64 chunks of 4 KiB, each filled with its index, written over a few turns.
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        let i = 0;
        const more = () => {
          for (let k = 0; k < 8; k++, i++) res.write(Buffer.alloc(4096, i));
          if (i < 64) setImmediate(more);
          else res.end();
        };
        return more();
      }
      // Never answers: the client gives up (its timeout or abort), or the server closes.
      if (p === '/slow') return;
      // Sends the head and a first part of the body, then nothing more.
      if (p === '/drip') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return res.write('first part');
      }
      // 503 for the first `fail` requests with the same query, then 200.
      if (p === '/flaky') {
        const fail = Number(url.searchParams.get('fail') ?? 2);
        if (count <= fail) return json(503, { attempt: count }, { 'Retry-After': '0' });
        return json(200, { attempt: count });
      }
      // Which of the server's connections (1, 2, ... since the reset) carried the request.
      if (p === '/conn') return json(200, { connection: serial.get(req.socket) ?? null });
      return json(404, { error: 'not found', url: req.url });
    });
  };
}

/** A node:http or uvhttp server with the shared handler and a ws echo server on it. */
export async function startServer(side: ServerSide): Promise<TestServer> {
  const module = (side === 'node' ? http : uvhttp) as unknown as typeof http;
  const state = { hits: new Map<string, number>() };
  const serial = new WeakMap<object, number>();
  const server = module.createServer(handler(state, serial));
  const result: TestServer = {
    side,
    server,
    port: 0,
    connections: 0,
    hits: state.hits,
    reset() {
      result.connections = 0;
      state.hits.clear();
    },
  };
  server.on('connection', (socket) => serial.set(socket, ++result.connections));
  const wss = new WebSocket.WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws, req) => {
    ws.send(`welcome ${req.url}`);
    ws.on('message', (data, isBinary) => {
      if (data.toString() === 'bye') ws.close(4001, 'server bye');
      else ws.send(data, { binary: isBinary });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  result.port = (server.address() as net.AddressInfo).port;
  (server as unknown as { wss: WebSocket.WebSocketServer }).wss = wss;
  return result;
}

export async function stopServer(s: TestServer | undefined): Promise<void> {
  if (!s) return;
  (s.server as unknown as { wss: WebSocket.WebSocketServer }).wss.close();
  s.server.closeAllConnections();
  await new Promise<void>((resolve) => s.server.close(() => resolve()));
}

/** A port nothing listens on: bound, noted and closed. */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface ClientConfig {
  /** http://127.0.0.1:<port> of the server under test. */
  base: string;
  port: number;
  [key: string]: Json;
}

const children = new Set<ReturnType<typeof fork>>();

/** Kills every client child still running (call from afterEach). */
export async function stopAllClients(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          children.delete(child);
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/**
 * Runs clients/<script> on one side with `config` (passed as JSON in argv) and resolves with
 * the result it reports. The ports in the result are replaced by names (PORT for the server,
 * and the keys of `ports`), so that runs against servers on different ports compare.
 */
export function runClient(side: Side, script: string, config: ClientConfig, ports: Record<string, number> = {}, ms = 15000): Promise<Json> {
  const child = fork(path.join(CLIENT_APPS, script), [JSON.stringify(config)], {
    cwd: CLIENT_APPS,
    execArgv: side === 'uvhttp' ? ['-r', REGISTER] : [],
    env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'production', UVHTTP_ROOT: ROOT },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  let output = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const describe = () => `${side} client ${script} against ${config.base}\noutput: ${output}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no result within ${ms} ms\n${describe()}`)), ms);
    const finish = (error: Error | null, value?: Json) => {
      clearTimeout(timer);
      children.delete(child);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (error) reject(error);
      else resolve(value);
    };
    child.on('message', (m: Json) => {
      if (m.type === 'fatal') return finish(new Error(`${m.error}\n${describe()}`));
      if (m.type !== 'result') return;
      // The evidence that the run is what it claims: the client's own 'http' is (or is not) uvhttp.
      if (m.uvhttp !== (side === 'uvhttp')) return finish(new Error(`client reports uvhttp=${m.uvhttp}\n${describe()}`));
      let text = JSON.stringify(m.result);
      const names: Array<[string, number]> = [['PORT', config.port], ...Object.entries(ports)];
      for (const [name, port] of names) text = text.split(`:${port}`).join(`:${name}`);
      finish(null, JSON.parse(text));
    });
    child.once('exit', (code, signal) => finish(new Error(`client exited (code ${code}, signal ${signal}) without a result\n${describe()}`)));
  });
}

/** Results of one scenario by server, then by client: result[server][client]. */
export type Matrix = Record<ServerSide, Record<Side, Json>>;

/**
 * The scenario against each server (node:http, then uvhttp), with a node:http client and a
 * uvhttp client in turn; each run starts from a reset server.
 */
export async function clientMatrix(
  servers: Record<ServerSide, TestServer>,
  script: string,
  extra: (server: TestServer) => Record<string, Json> = () => ({}),
  ports: Record<string, number> = {},
  // What this process saw of the run (a proxy's log, say), kept as the result's `observed`.
  observe?: () => Json,
): Promise<Matrix> {
  const result = { node: {}, uvhttp: {} } as Matrix;
  for (const serverSide of ['node', 'uvhttp'] as ServerSide[]) {
    const server = servers[serverSide];
    for (const clientSide of ['node', 'uvhttp'] as Side[]) {
      server.reset();
      const config = { base: `http://127.0.0.1:${server.port}`, port: server.port, server: serverSide, ...extra(server) };
      try {
        const run = await runClient(clientSide, script, config, ports);
        if (observe) {
          let seen = JSON.stringify(observe());
          for (const [name, port] of [['PORT', server.port] as [string, number], ...Object.entries(ports)]) seen = seen.split(`:${port}`).join(`:${name}`);
          run.observed = JSON.parse(seen);
        }
        result[serverSide][clientSide] = run;
      } catch (error) {
        (error as Error).message = `${serverSide} server: ${(error as Error).message}`;
        throw error;
      }
    }
  }
  return result;
}
