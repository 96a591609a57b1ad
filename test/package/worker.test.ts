// uvhttp in worker_threads: the module is loaded in the main thread and in a
// Worker at the same time, each serves requests; then the worker goes away
// (process.exit(0) inside it, or worker.terminate()) while connections to its
// server are open. The worker must exit with the expected code, its sockets
// must be closed, the main thread's server must keep working, and the process
// must end on its own. The whole scenario runs in a child process
// (test/fixtures/apps/worker-host.js) so a hang or a crash is observable;
// node:http runs the same scenario as the oracle.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = process.env.UVHTTP_TEST_ROOT || path.resolve(__dirname, '..', '..');
const HOST = path.join(__dirname, '..', 'fixtures', 'apps', 'worker-host.js');
const LIMIT_MS = 20000;

jest.setTimeout(LIMIT_MS + 10000);

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

type Mode = 'exit' | 'terminate' | 'exit-in-handler' | 'terminate-in-handler';

function runHost(moduleSpec: string, mode: Mode): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HOST, moduleSpec, mode], {
      cwd: path.dirname(HOST),
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const t = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, LIMIT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}

function check(o: Outcome, mode: Mode, label: string) {
  const ctx = `${label} (${mode})\nstdout: ${o.stdout}\nstderr: ${o.stderr}`;
  const lines = o.stdout.split('\n').filter(Boolean);
  let r: Record<string, any> = {};
  try {
    r = JSON.parse(lines[0] ?? '{}');
  } catch {
    throw new Error(`unparsable output: ${ctx}`);
  }
  expect({ fatal: r.fatal, ctx: r.fatal ? ctx : '' }).toEqual({ fatal: undefined, ctx: '' });
  // Both threads served, each from its own server.
  expect(r.mainResponse).toEqual({ status: 200, body: 'main 0' });
  expect(r.workerResponse).toEqual({ status: 200, body: `worker ${r.workerThreadId}` });
  expect(r.workerThreadId).toBeGreaterThan(0);
  // The worker exited as asked: 0 from process.exit(0), 1 from terminate().
  expect(r.workerExitCode).toBe(mode.startsWith('exit') ? 0 : 1);
  expect(r.workerError).toBeNull();
  // Its open connections (idle keep-alive, half a request, nothing sent, a
  // request the handler never answered, and the one whose handler ended the worker) were closed.
  expect(r.openConnectionsClosed).toEqual(mode.endsWith('in-handler') ? [true, true, true, true, true] : [true, true, true, true]);
  // The main thread's server still works afterwards.
  expect(r.mainAfterWorkerExit).toEqual({ status: 200, body: 'main 0' });
  // And the process ended by itself, cleanly, within the time limit.
  expect({ timedOut: o.timedOut, code: o.code, signal: o.signal }).toEqual({ timedOut: false, code: 0, signal: null });
  expect(lines[1]).toBe('EXIT 0');
}

describe.each([
  ['node:http (oracle)', 'node:http'],
  ['uvhttp', ROOT],
])('%s in the main thread and a worker', (label, spec) => {
  beforeAll(() => {
    if (spec === ROOT && !fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) {
      throw new Error(`${ROOT}/dist/index.js is missing: run \`npm run build:ts\` first`);
    }
  });

  test('worker calls process.exit(0) with connections open; process exits on its own', async () => {
    check(await runHost(spec, 'exit'), 'exit', label);
  });

  test('main thread terminates the worker with connections open; process exits on its own', async () => {
    check(await runHost(spec, 'terminate'), 'terminate', label);
  });

  test('a request handler in the worker calls process.exit(0); the process lives on', async () => {
    check(await runHost(spec, 'exit-in-handler'), 'exit-in-handler', label);
  });

  test('the main thread terminates the worker while a handler runs; the process lives on', async () => {
    check(await runHost(spec, 'terminate-in-handler'), 'terminate-in-handler', label);
  });
});
