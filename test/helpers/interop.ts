// Differential interop runs: the same framework app (test/fixtures/apps/interop/) in a child
// process twice, once on plain Node (node:http, the oracle) and once under
// `node -r <root>/dist/register.js` (uvhttp in place of 'http'), each driven by the same client
// scenario from the test process; the test compares what the scenario observed.
//
// An app talks to the test over the IPC channel (see fixtures/apps/interop/harness.js): it sends
// {type: 'listening', port, uvhttp, ...} once it serves, and may send further messages (events
// it saw); the test may send it commands. Every wait has a deadline.
import { ChildProcess, fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';

import { exchange, ExchangeOptions, ExchangeResult, maskDateInHead } from './raw';

// UVHTTP_TEST_ROOT: run against another build of the package (as test/package does).
export const ROOT = process.env.UVHTTP_TEST_ROOT || path.resolve(__dirname, '..', '..');
export const REGISTER = path.join(ROOT, 'dist', 'register.js');
export const INTEROP_APPS = path.join(__dirname, '..', 'fixtures', 'apps', 'interop');

export type Side = 'node' | 'uvhttp';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AppMessage = { type: string; [key: string]: any };

export interface App {
  side: Side;
  port: number;
  /** The listening message. */
  info: AppMessage;
  child: ChildProcess;
  /** Every message the app sent, in order (the listening message first). */
  messages: AppMessage[];
  /** Resolves with the first message (already received or to come) that matches. */
  waitFor(match: (m: AppMessage) => boolean, ms?: number, what?: string): Promise<AppMessage>;
  /** Sends a command to the app. */
  send(message: unknown): void;
  stderr(): string;
}

const running = new Set<ChildProcess>();

/** Starts `app` (a file in fixtures/apps/interop) on one side; resolves once it listens. */
export function startApp(side: Side, app: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<App> {
  const child = fork(path.join(INTEROP_APPS, app), args, {
    cwd: INTEROP_APPS,
    execArgv: side === 'uvhttp' ? ['-r', REGISTER] : [],
    env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'production', UVHTTP_ROOT: ROOT, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.add(child);
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const messages: AppMessage[] = [];
  const waiters = new Set<(m: AppMessage) => void>();
  child.on('message', (m: AppMessage) => {
    messages.push(m);
    for (const w of [...waiters]) w(m);
  });
  const describe = () => `${side}: node ${side === 'uvhttp' ? `-r ${REGISTER} ` : ''}${app} ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`;

  const waitFor = (match: (m: AppMessage) => boolean, ms = 5000, what = 'a message'): Promise<AppMessage> =>
    new Promise((resolve, reject) => {
      const found = messages.find(match);
      if (found) return resolve(found);
      const done = (error: Error | null, m?: AppMessage) => {
        clearTimeout(timer);
        waiters.delete(check);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve(m as AppMessage);
      };
      const check = (m: AppMessage) => {
        if (match(m)) done(null, m);
      };
      const onExit = (code: number | null, signal: string | null) =>
        done(new Error(`app exited (code ${code}, signal ${signal}) while waiting for ${what}\n${describe()}`));
      const timer = setTimeout(() => done(new Error(`no ${what} from the app within ${ms} ms\n${describe()}`)), ms);
      waiters.add(check);
      child.once('exit', onExit);
    });

  return waitFor((m) => m.type === 'listening' || m.type === 'fatal', 15000, 'listening message').then((info) => {
    if (info.type === 'fatal') throw new Error(`app failed to start: ${info.error}\n${describe()}`);
    // The evidence that the run is what it claims: the app's own 'http' is (or is not) uvhttp.
    if (info.uvhttp !== (side === 'uvhttp')) throw new Error(`app reports uvhttp=${info.uvhttp}\n${describe()}`);
    return {
      side,
      port: info.port,
      info,
      child,
      messages,
      waitFor,
      send: (message: unknown) => child.send(message as never),
      stderr: () => stderr,
    };
  });
}

/** Ends an app: SIGTERM, then SIGKILL after 3 s. */
export function stopApp(child: ChildProcess): Promise<void> {
  running.delete(child);
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Ends every app still running (call from afterEach). */
export async function stopAllApps(): Promise<void> {
  await Promise.all([...running].map(stopApp));
}

export interface Differential<T> {
  node: T;
  uvhttp: T;
}

/**
 * Runs `scenario` against the app on plain Node, then under the register shim, each in a fresh
 * child that is stopped afterwards. A scenario failure names the side and carries the app's
 * stderr (an exception inside the app lands there).
 */
export async function differential<T>(
  app: string,
  scenario: (app: App) => Promise<T>,
  options: { args?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<Differential<T>> {
  const result: Partial<Differential<T>> = {};
  for (const side of ['node', 'uvhttp'] as Side[]) {
    const started = await startApp(side, app, options.args, options.env);
    try {
      result[side] = await scenario(started);
    } catch (error) {
      const e = error as Error;
      e.message = `${side}: ${e.message}\napp stderr: ${started.stderr()}`;
      throw e;
    } finally {
      await stopApp(started.child);
    }
  }
  return result as Differential<T>;
}

/** A promise that rejects after `ms` with `what` in its message. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    promise.then(
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

/** What a raw HTTP exchange showed a client, in a form to compare between the two sides. */
export interface ExchangeSummary {
  responses: Array<{
    /** The head as sent, Date masked. */
    head: string;
    framing: string;
    /** Chunk sizes (chunked bodies), or their count and hash when there are many. */
    chunks: number[] | string;
    /** The body as latin1 when short, else its length and sha1. */
    body: string;
  }>;
  /** sha1 of every byte received (Date values masked): byte-for-byte equality. */
  bytes: string;
  closed: boolean;
  reset: boolean;
  timedOut: boolean;
  syntaxError?: string;
}

const sha1 = (data: string | Buffer) => createHash('sha1').update(data).digest('hex');

export function summarize(result: ExchangeResult): ExchangeSummary {
  return {
    responses: result.responses.map((r) => ({
      head: maskDateInHead(r.raw.subarray(0, r.headEnd - r.start).toString('latin1')),
      framing: r.framing,
      chunks: r.chunks.length > 16 ? `${r.chunks.length} chunks, sha1 ${sha1(r.chunks.join(','))}` : r.chunks,
      body: r.body.length > 2048 ? `${r.body.length} bytes, sha1 ${sha1(r.body)}` : r.body.toString('latin1'),
    })),
    bytes: sha1(result.masked),
    closed: result.closed,
    reset: result.reset,
    timedOut: result.timedOut,
    ...(result.syntaxError !== undefined ? { syntaxError: result.syntaxError } : {}),
  };
}

/** Sends raw request bytes on a new connection and summarizes the answer. */
export async function rawExchange(port: number, send: ExchangeOptions['send'], options: Omit<ExchangeOptions, 'port' | 'send'> = {}): Promise<ExchangeSummary> {
  return summarize(await exchange({ port, send, timeoutMs: 5000, ...options }));
}

/** One request's bytes: HTTP/1.1, Host first, then the given fields in order, then the body. */
export function requestBytes(method: string, target: string, fields: Array<[string, string]> = [], body?: string | Buffer): Buffer {
  let head = `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n`;
  for (const [name, value] of fields) head += `${name}: ${value}\r\n`;
  if (body !== undefined && !fields.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name))) {
    head += `Content-Length: ${Buffer.byteLength(body)}\r\n`;
  }
  const bytes = Buffer.from(`${head}\r\n`, 'latin1');
  return body === undefined ? bytes : Buffer.concat([bytes, Buffer.from(body)]);
}

/** The value of a field in a summarized response head (first occurrence, case-insensitive). */
export function headField(head: string, name: string): string | undefined {
  const match = new RegExp(`\\r\\n${name}:[ \\t]*([^\\r\\n]*)`, 'i').exec(head);
  return match ? match[1] : undefined;
}

/** The status codes of a summary's responses, or 'none' when none was complete. */
export function statuses(summary: ExchangeSummary): string {
  return summary.responses.length === 0 ? 'none' : summary.responses.map((r) => r.head.slice(9, 12)).join(',');
}
