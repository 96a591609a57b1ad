// uvhttp/register: an unmodified app started with `node -r dist/register.js`
// (CommonJS) or `node --import dist/register.mjs` (ESM) gets uvhttp from
// require('http'), require('node:http'), import 'node:http' and import 'http'.
// Evidence comes from the app itself: with PROBE_MODULE=<repo> it reports
// whether its createServer is uvhttp's. A control run without the register
// hook must report the opposite, so the evidence really discriminates.
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

// UVHTTP_TEST_ROOT: run these tests against another build of the package.
const ROOT = process.env.UVHTTP_TEST_ROOT || path.resolve(__dirname, '..', '..');
const APPS = path.join(__dirname, '..', 'fixtures', 'apps');
const REGISTER_CJS = path.join(ROOT, 'dist', 'register.js');
const REGISTER_ESM = path.join(ROOT, 'dist', 'register.mjs');

jest.setTimeout(60000);

interface AppInfo {
  port: number;
  port2: number;
  [k: string]: unknown;
}

interface Running {
  child: ChildProcess;
  info: AppInfo;
  stderr: () => string;
}

const children = new Set<ChildProcess>();

afterEach(async () => {
  await Promise.all(
    [...children].map(
      (c) =>
        new Promise<void>((resolve) => {
          children.delete(c);
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const t = setTimeout(() => c.kill('SIGKILL'), 3000);
          c.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          c.kill('SIGTERM');
        })
    )
  );
});

/** Spawn `node <nodeArgs> <app>`, resolve with the JSON line it prints once listening. */
function startApp(nodeArgs: string[], app: string): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, path.join(APPS, app)], {
      cwd: APPS,
      env: { ...process.env, PROBE_MODULE: ROOT, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    let err = '';
    const t = setTimeout(() => fail(new Error('app did not print its port within 15 s')), 15000);
    function fail(e: Error) {
      clearTimeout(t);
      reject(new Error(`${e.message}\nnode ${nodeArgs.join(' ')} ${app}\nstdout: ${out}\nstderr: ${err}`));
    }
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(t);
      try {
        resolve({ child, info: JSON.parse(out.slice(0, nl)), stderr: () => err });
      } catch (e) {
        fail(e as Error);
      }
    });
    child.once('error', fail);
    child.once('exit', (code, sig) => fail(new Error(`app exited early (code ${code}, signal ${sig})`)));
  });
}

function get(port: number, urlPath: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

async function checkServes(info: AppInfo, first: string, second: string) {
  const [r1, r2] = await Promise.all([get(info.port, '/x?y=1'), get(info.port2, '/')]);
  expect(r1.status).toBe(200);
  expect(r1.headers['content-type']).toBe('text/plain');
  expect(r1.body).toBe(`${first} GET /x?y=1`);
  expect(r2.status).toBe(201);
  expect(r2.body).toBe(`${second} Created`);
}

beforeAll(() => {
  for (const f of [path.join(ROOT, 'dist', 'index.js'), REGISTER_CJS, REGISTER_ESM]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`npm run build:ts\` first`);
  }
});

describe('CommonJS: node -r uvhttp/register', () => {
  test('control: without the hook the app gets node:http, and the probe says so', async () => {
    const { info } = await startApp([], 'app.js');
    expect(info.httpIsNodeHttp).toBe(true);
    expect(info.httpCreateServerIsProbe).toBe(false);
    expect(info.nodeHttpCreateServerIsProbe).toBe(false);
    expect(info.serverIsProbeServer).toBe(false);
    await checkServes(info, 'hello from http', 'hello from node:http');
  });

  test("require('http') and require('node:http') are uvhttp and serve requests", async () => {
    const { info } = await startApp(['-r', REGISTER_CJS], 'app.js');
    expect(info.httpIsNodeHttp).toBe(true);
    expect(info.httpCreateServerIsProbe).toBe(true);
    expect(info.nodeHttpCreateServerIsProbe).toBe(true);
    expect(info.serverIsProbeServer).toBe(true);
    await checkServes(info, 'hello from http', 'hello from node:http');
  });

  test("the exports map: require('uvhttp/register') resolves to dist/register.js", () => {
    const r = spawnSync(process.execPath, ['-p', "require.resolve('uvhttp/register')"], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 10000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(REGISTER_CJS);
  });
});

describe('ESM: node --import uvhttp/register', () => {
  test('control: without the hook the app gets node:http, and the probe says so', async () => {
    const { info } = await startApp([], 'app.mjs');
    expect(info.defaultIsNamespaceDefault).toBe(true);
    expect(info.nodeHttpDefaultIsProbe).toBe(false);
    expect(info.httpNamespaceIsProbe).toBe(false);
    expect(info.serverIsProbeServer).toBe(false);
    await checkServes(info, 'hello from node:http', 'hello from http');
  });

  test("import http from 'node:http' and import * as http2 from 'http' are uvhttp and serve requests", async () => {
    const { info } = await startApp(['--import', REGISTER_ESM], 'app.mjs');
    expect(info.defaultIsNamespaceDefault).toBe(true);
    expect(info.nodeHttpDefaultIsProbe).toBe(true);
    expect(info.httpNamespaceIsProbe).toBe(true);
    expect(info.serverIsProbeServer).toBe(true);
    await checkServes(info, 'hello from node:http', 'hello from http');
  });

  test('--import with a file URL works as well', async () => {
    const { info } = await startApp(['--import', pathToFileURL(REGISTER_ESM).href], 'app.mjs');
    expect(info.nodeHttpDefaultIsProbe).toBe(true);
    expect(info.httpNamespaceIsProbe).toBe(true);
    await checkServes(info, 'hello from node:http', 'hello from http');
  });

  test("the exports map: import 'uvhttp/register' resolves to dist/register.mjs", () => {
    const r = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "console.log(import.meta.resolve('uvhttp/register'))"],
      { cwd: ROOT, encoding: 'utf8', timeout: 10000 }
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(pathToFileURL(REGISTER_ESM).href);
  });
});

describe('every export, through every way in', () => {
  // node:http's connection listener, an internal with nothing to act on in uvhttp (as in
  // test/server/node-lines.test.ts): not uvhttp's, so the ESM namespace keeps Node's own.
  const INTERNAL = ['_connectionListener'];
  const names = Object.keys(http).filter((name) => !INTERNAL.includes(name));
  // The build under test, as the apps load it.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const uvhttp = require(ROOT) as Record<string, unknown>;

  function probe(nodeArgs: string[]) {
    const r = spawnSync(process.execPath, [...nodeArgs, path.join(APPS, 'exports-probe.mjs'), JSON.stringify(names)], {
      cwd: APPS,
      env: { ...process.env, PROBE_MODULE: ROOT, NODE_OPTIONS: '' },
      encoding: 'utf8',
      timeout: 15000,
    });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout);
  }


  test.each([
    ['-r', () => ['-r', REGISTER_CJS]],
    ['--import', () => ['--import', REGISTER_ESM]],
  ])("under %s, require('http'), require('node:http') and import('node:http' | 'http') (default and named) give uvhttp's exports, and an ESM assignment to http.globalAgent is the agent requests use", (_flag, args) => {
    const plain = probe([]);
    const hooked = probe(args());
    for (const name of names) {
      // Without the hook: the same everywhere, and node's. With it: the same everywhere, and uvhttp's.
      const identity = plain.exports[name].isProbe === null ? null : true;
      // The exports later lines added (WebSocket on 22, ...) are node:http's own on uvhttp too.
      const shared = uvhttp[name] === (http as unknown as Record<string, unknown>)[name];
      expect({ name, ...plain.exports[name] }).toEqual({ name, present: true, differing: [], isProbe: identity === null ? null : shared });
      expect({ name, ...hooked.exports[name] }).toEqual({ name, present: true, differing: [], isProbe: identity });
    }
    // `import http from 'node:http'; http.globalAgent = agent`: the default import is the module
    // (the named export is a snapshot taken at load, on node:http as well).
    expect(plain.globalAgentAssigned).toEqual({
      "require('http')": true,
      "require('node:http')": true,
      "import('node:http').default": true,
      "import('node:http')": false,
      "import('http').default": true,
      "import('http')": false,
    });
    expect(plain.usedBy).toEqual({ "require('http').get": true });
    expect({ assigned: hooked.globalAgentAssigned, usedBy: hooked.usedBy }).toEqual({ assigned: plain.globalAgentAssigned, usedBy: plain.usedBy });
  });
});
