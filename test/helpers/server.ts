// Start a given implementation's server on 127.0.0.1:0 and make sure it is gone after each test.
import type * as http from 'node:http';
import * as nodeHttp from 'node:http';
import type { Impl } from './impls';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface Started {
  server: http.Server;
  port: number;
}

const live = new Set<http.Server>();

export interface StartOptions {
  serverOptions?: http.ServerOptions;
  /** Called before listen (attach 'clientError', 'connection', ... listeners here). */
  setup?: (server: http.Server) => void;
  host?: string;
  /**
   * Only requests from these client ports reach the handler; others (stray connections from
   * other processes on this machine that hit a reused ephemeral port) are destroyed unanswered.
   */
  clientPorts?: Set<number>;
}

/** createServer(handler) on 127.0.0.1:0 for the implementation; resolves once listening. */
export function startServer(impl: Impl, handler?: Handler, opts: StartOptions = {}): Promise<Started> {
  const allowed = opts.clientPorts;
  const h: Handler | undefined =
    handler && allowed
      ? (req, res) => {
          if (!allowed.has(req.socket.remotePort!)) {
            // eslint-disable-next-line no-console
            console.warn(`${impl.name}: stray request ${req.method} ${req.url} from port ${req.socket.remotePort} dropped`);
            req.socket.destroy();
            return;
          }
          handler(req, res);
        }
      : handler;
  const server = opts.serverOptions ? impl.http.createServer(opts.serverOptions, h) : impl.http.createServer(h);
  live.add(server);
  opts.setup?.(server);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${impl.name}: listen did not complete`)), 5000);
    server.once('error', (err) => {
      clearTimeout(t);
      reject(err);
    });
    server.listen(0, opts.host ?? '127.0.0.1', () => {
      clearTimeout(t);
      const addr = server.address();
      if (!addr || typeof addr === 'string') {
        reject(new Error(`${impl.name}: address() returned ${JSON.stringify(addr)}`));
        return;
      }
      resolve({ server, port: addr.port });
    });
  });
}

/** Closes a server, dropping its connections; bounded in time. */
export function closeServer(server: http.Server, ms = 2000): Promise<void> {
  live.delete(server);
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    try {
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    } catch {
      /* ignore */
    }
    try {
      if (!server.listening) {
        clearTimeout(t);
        resolve();
        return;
      }
      server.close(() => {
        clearTimeout(t);
        resolve();
      });
    } catch {
      clearTimeout(t);
      resolve();
    }
  });
}

/** Closes every server started by startServer and not yet closed (call from afterEach). */
export async function closeAllServers(): Promise<void> {
  await Promise.all([...live].map((s) => closeServer(s)));
}

export interface ClientResult {
  statusCode: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** A request with node's own http client (no agent: one connection, closed after). */
export function request(
  port: number,
  opts: { method?: string; path?: string; headers?: http.OutgoingHttpHeaders | string[]; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const req = nodeHttp.request({
      host: '127.0.0.1',
      port,
      method: opts.method ?? 'GET',
      path: opts.path ?? '/',
      headers: opts.headers as http.OutgoingHttpHeaders,
      agent: false,
    });
    const t = setTimeout(() => {
      req.destroy(new Error('client request timed out'));
    }, opts.timeoutMs ?? 3000);
    req.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
      res.on('end', () => {
        clearTimeout(t);
        resolve({
          statusCode: res.statusCode ?? 0,
          statusMessage: res.statusMessage ?? '',
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(parts),
        });
      });
    });
    req.end(opts.body);
  });
}

/** A promise with a deadline: rejects with `what` if it does not settle in ms. */
/**
 * How much longer fixed waits may take here: UVHTTP_TEST_TIME_SCALE, set by the runs where code is
 * slower than on a plain build (scripts/test-asan.sh, scripts/test-arm64.sh under qemu).
 */
export const TIME_SCALE = Number(process.env.UVHTTP_TEST_TIME_SCALE || 1);

export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
