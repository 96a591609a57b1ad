// node:cluster with uvhttp servers in the workers (issue 9 item 2), compared with node:http in
// the same scenarios: real cluster.fork() children serving one port concurrently under both
// scheduling policies (round-robin, where the primary accepts and sends each connection to a
// worker, and SCHED_NONE, where every worker accepts on the shared socket), port 0 shared, TCP
// and local sockets, worker.disconnect() draining an in-flight request, server.close() in one
// worker, a worker at maxConnections, listen({ exclusive }), the primary's listen error; and
// PM2 6 itself (pm2-runtime, no daemon) running an unmodified app in cluster mode under
// `-r uvhttp/register`.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodeHttp from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { candidates, nodeImpl, type Impl } from '../helpers/impls';
import { delay, TIME_SCALE, within } from '../helpers/server';
import { underSanitizers } from '../helpers/sanitizers';

jest.setTimeout(60000);

const ROOT = path.resolve(__dirname, '..', '..');
const APP = path.join(__dirname, '..', 'fixtures', 'apps', 'cluster-app.js');
const PM2_APP = path.join(__dirname, '..', 'fixtures', 'apps', 'pm2-app.js');
const PM2_RUNTIME = path.join(ROOT, 'node_modules', 'pm2', 'bin', 'pm2-runtime');
const REGISTER = path.join(ROOT, 'dist', 'register.js');

type Policy = 'rr' | 'none';
type Result = Record<string, unknown> & { workers: Record<string, { address?: unknown }> };

function spec(impl: Impl): string {
  return impl.name === 'node' ? 'node:http' : ROOT;
}

/** Runs one scenario of cluster-app.js: a primary and its workers, as their own processes. */
function runScenario(impl: Impl, policy: Policy, scenario: string, listenArgs?: unknown[]): Promise<Result> {
  const args = [APP, spec(impl), scenario, ...(listenArgs ? [JSON.stringify(listenArgs)] : [])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 30000, env: { ...process.env, NODE_CLUSTER_SCHED_POLICY: policy } }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${impl.name} ${policy} ${scenario}: ${error.message}\n${stderr}`));
        return;
      }
      const result = JSON.parse(stdout.trim().split('\n').pop() as string) as Result;
      if (result.timedOut || result.failed) reject(new Error(`${impl.name} ${policy} ${scenario}: ${stdout}\n${stderr}`));
      else resolve(result);
    });
  });
}

/** What may differ between two runs of a scenario: port numbers, and whatever the OS decides. */
function comparable(result: Result, policy: Policy): unknown {
  const masked = JSON.stringify(result)
    .replace(/"port":\d+/g, '"port":"PORT"')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
    .replace(/\/[^"]*uvhttp-cluster-[^"]*\.sock/g, 'PATH');
  const copy = JSON.parse(masked) as Result;
  delete copy.sequentialServedBy;
  // A worker's 'disconnect' and 'exit' (IPC and the process) reach the primary in no fixed order
  // (Node 26 varies from run to run): the events are compared as a set.
  const workers = (copy as { workers?: Record<string, { events?: unknown[] }> }).workers;
  if (workers) for (const w of Object.values(workers)) if (Array.isArray(w.events)) w.events = w.events.map((e) => JSON.stringify(e)).sort();
  if (policy === 'none') {
    // Under SCHED_NONE the kernel picks the worker that accepts each connection.
    delete copy.servedBy;
    delete copy.whileBusy;
  }
  return copy;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

const paths: string[] = [];
afterAll(() => {
  for (const file of paths) fs.rmSync(file, { force: true });
});

function socketPath(label: string): string {
  const file = path.join(os.tmpdir(), `uvhttp-cluster-${process.pid}-${label}-${Math.random().toString(36).slice(2)}.sock`);
  paths.push(file);
  return file;
}

const WORKERS = ['worker 1', 'worker 2'];

describe.each(candidates.map((i) => [i.name, i] as const))('cluster: %s against node:http', (_name, impl) => {
  async function both(policy: Policy, scenario: string, listenArgs?: () => Promise<unknown[]> | unknown[]): Promise<Result[]> {
    const ref = await runScenario(nodeImpl, policy, scenario, listenArgs && (await listenArgs()));
    const got = await runScenario(impl, policy, scenario, listenArgs && (await listenArgs()));
    expect(comparable(got, policy)).toEqual(comparable(ref, policy));
    return [ref, got];
  }

  const serveCases: Array<[Policy, string, () => Promise<unknown[]> | unknown[]]> = [
    ['rr', 'port 0 on 127.0.0.1: every worker gets the same port', () => [0, '127.0.0.1']],
    ['rr', 'a chosen port', async () => [await freePort(), '127.0.0.1']],
    ['rr', 'no host (every address)', () => [0]],
    ['rr', 'listen({ port: 0, host })', () => [{ port: 0, host: '127.0.0.1' }]],
    ['rr', 'a local socket path', () => [socketPath('rr')]],
    ['none', 'port 0 on 127.0.0.1: every worker gets the same port', () => [0, '127.0.0.1']],
    ['none', 'a chosen port', async () => [await freePort(), '127.0.0.1']],
    ['none', 'a local socket path', () => [socketPath('none')]],
  ];
  test.each(serveCases)('%s: %s; concurrent requests are served by the workers', async (policy, _label, listenArgs) => {
    const results = await both(policy, 'serve', listenArgs);
    for (const result of results) {
      expect(result.samePort).toBe(true);
      expect(result.statuses).toEqual([200]);
      for (const worker of Object.values(result.workers)) expect(worker).toMatchObject({ listeningAfterListen: false, listeningFlag: true });
      if (policy === 'rr') {
        // The primary hands connections to the workers in turn.
        expect(result.servedBy).toEqual(WORKERS);
        const sequence = result.sequentialServedBy as string[];
        for (let i = 1; i < sequence.length; i++) expect(sequence[i]).not.toBe(sequence[i - 1]);
      } else {
        for (const who of result.servedBy as string[]) expect(WORKERS).toContain(who);
      }
    }
  });

  test.each(['rr', 'none'] as Policy[])('%s: worker.disconnect() lets the in-flight request finish, then the worker exits', async (policy) => {
    const [ref] = await both(policy, 'disconnect-drain');
    expect(ref.order).toEqual({ beforeExit: ['response 200 worker 1 slow close'], last: 'worker exit' });
    expect(ref.afterwards).toBe('ECONNREFUSED');
  });

  test.each(['rr', 'none'] as Policy[])('%s: server.close() in one worker; the other serves on', async (policy) => {
    const [ref] = await both(policy, 'close-in-worker');
    expect(ref).toMatchObject({ listeningAfterClose: false, servedBy: ['worker 2'], closedWorkerConnected: true });
  });

  test.each(['rr', 'none'] as Policy[])('%s: a worker at maxConnections', async (policy) => {
    const results = await both(policy, 'busy-worker');
    for (const result of results) {
      expect(result.held).toBe('worker 1 held');
      // Round-robin sends its connections to the other worker; with a shared socket the busy
      // worker closes the ones it accepts.
      if (policy === 'rr') expect(result.whileBusy).toEqual(['worker 2']);
      else for (const answer of result.whileBusy as string[]) expect(['ECONNRESET', 'worker 2']).toContain(answer);
    }
  });

  test('listen({ exclusive: true }) in workers: a socket of its own each', async () => {
    const [ref] = await both('rr', 'exclusive', () => [{ port: 0, host: '127.0.0.1', exclusive: true }]);
    expect(ref).toMatchObject({ samePort: false, answers: WORKERS });
  });

  test.each(['rr', 'none'] as Policy[])("%s: the primary cannot listen: the worker's 'bind' error as Node's", async (policy) => {
    const [ref] = await both(policy, 'listen-error', () => [0, '127.0.0.1']);
    expect(ref.error).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind', message: 'bind EADDRINUSE 127.0.0.1:PORT' });
  });
});

describe('PM2 cluster mode (pm2-runtime, no daemon)', () => {
  const children: ChildProcess[] = [];
  const homes: string[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    for (const home of homes.splice(0)) fs.rmSync(home, { recursive: true, force: true });
  });

  function get(port: number): Promise<{ body: string; probe: unknown } | string> {
    return new Promise((resolve) => {
      const req = nodeHttp.get({ host: '127.0.0.1', port, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ body, probe: res.headers['x-probe'] }));
      });
      req.setTimeout(3000, () => req.destroy(new Error('timeout')));
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
  }

  /** pm2-runtime with two cluster instances of the app, optionally under -r register. */
  async function runPm2(register: boolean): Promise<{ answers: Array<{ body: string; probe: unknown }>; exitCode: number | null; afterwards: unknown }> {
    const port = await freePort();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-pm2-'));
    homes.push(home);
    const ecosystem = path.join(home, 'ecosystem.config.js');
    const app = {
      name: 'uvhttp-pm2-test',
      script: PM2_APP,
      instances: 2,
      exec_mode: 'cluster',
      node_args: register ? ['-r', REGISTER] : [],
      env: { PORT: String(port), PROBE_MODULE: ROOT },
    };
    fs.writeFileSync(ecosystem, `module.exports = ${JSON.stringify({ apps: [app] })};\n`);
    const child = spawn(process.execPath, [PM2_RUNTIME, 'start', ecosystem], { env: { ...process.env, PM2_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let log = '';
    child.stdout!.on('data', (chunk) => (log += chunk));
    child.stderr!.on('data', (chunk) => (log += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // Both instances are up when both have answered.
    const answers: Array<{ body: string; probe: unknown }> = [];
    const deadline = Date.now() + 20000;
    while (new Set(answers.map((a) => a.body)).size < 2 && Date.now() < deadline) {
      const answer = await get(port);
      if (typeof answer === 'string') await delay(100);
      else answers.push(answer);
    }
    answers.length = 0;
    for (let i = 0; i < 6; i++) {
      const answer = await get(port);
      if (typeof answer !== 'string') answers.push(answer);
    }
    child.kill('SIGINT');
    const exitCode = await within(exited, 15000 * TIME_SCALE, `pm2-runtime to stop\n${log}`);
    return { answers, exitCode, afterwards: await get(port) };
  }

  // Not under `npm run test:asan`: pm2-runtime does not exit at SIGINT with the sanitizer runtimes
  // preloaded, with node:http alone too, and without them its instances cannot load the sanitized
  // addon (helpers/sanitizers.ts). The cluster tests above run uvhttp's workers sanitized.
  (underSanitizers ? test.skip : test)('an unmodified app under -r uvhttp/register: both instances serve one port, PM2 stops them', async () => {
    const withNode = await runPm2(false);
    const withUvhttp = await runPm2(true);
    for (const run of [withNode, withUvhttp]) {
      expect(run.answers.map((a) => a.body).sort()).toEqual(['instance 0', 'instance 0', 'instance 0', 'instance 1', 'instance 1', 'instance 1']);
      expect(run.afterwards).toBe('ECONNREFUSED');
    }
    expect(withNode.answers.map((a) => a.probe)).toEqual(Array(6).fill('false'));
    expect(withUvhttp.answers.map((a) => a.probe)).toEqual(Array(6).fill('true'));
    expect(withUvhttp.exitCode).toBe(withNode.exitCode);
  });
});
