// Packaging: `npm pack` (prepack builds the prebuild and dist/), then install
// the tarball into an empty project with a PATH that holds no compiler (only
// node, npm, npx and sh), and serve one request with the installed package.
// The install must take the prebuild (no build/ directory, no node-gyp run)
// and the installed uvhttp must answer the request.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { withoutSanitizers } from '../helpers/sanitizers';

// UVHTTP_TEST_ROOT: run against another checkout of the package.
const ROOT = process.env.UVHTTP_TEST_ROOT || path.resolve(__dirname, '..', '..');
const PLATFORM_DIR = `${process.platform}-${process.arch}`;
// prebuildify --tag-libc: node-gyp-build takes it only on glibc (scripts/prebuild.sh).
const PREBUILD = 'node.napi.glibc.node';
// Cross-compiled by scripts/prebuild.sh on linux-x64 (tested under qemu by scripts/test-arm64.sh).
const OTHER_PREBUILDS = PLATFORM_DIR === 'linux-x64' ? ['linux-arm64'] : [];

jest.setTimeout(480000);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  out: string;
}

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const t = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (e) => (out += `\nspawn error: ${e.message}`));
    child.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, timedOut, out });
    });
  });
}

/** First executable named `name` on the current PATH, symlinks resolved. */
function which(name: string): string {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.realpathSync(p);
    } catch {
      // keep looking
    }
  }
  throw new Error(`${name} not found on PATH`);
}

let tmp: string;
// Made by the first test, installed again by the ones after it.
let tarball = '';
let bin = '';

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-pack-'));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * A copy of the checkout to pack in: prepack rewrites dist/ and prebuilds/, and the other test
 * files, running beside this one, load the checkout's dist/ (a CI run once caught
 * dist/legacy-class.js half-written by tsc). Generated trees stay behind; node_modules is shared.
 */
function copyOfCheckout(): string {
  const src = path.join(tmp, 'src');
  const generated = new Set(['.git', 'node_modules', 'build', 'dist', 'prebuilds'].map((d) => path.join(ROOT, d)));
  fs.cpSync(ROOT, src, { recursive: true, filter: (from) => !generated.has(from) });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(src, 'node_modules'));
  return src;
}

test('npm pack ships the prebuild and dist/; the tarball installs and serves without a compiler', async () => {
  // 1. npm pack: runs prepack (prebuildify + tsc), in a copy of the checkout.
  const packDir = path.join(tmp, 'pack');
  fs.mkdirSync(packDir);
  const pack = await run(which('npm'), ['pack', '--pack-destination', packDir, '--loglevel=warn'], {
    cwd: copyOfCheckout(),
    env: withoutSanitizers(),
    timeoutMs: 300000,
  });
  const tarballs = fs.readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
  expect({ code: pack.code, timedOut: pack.timedOut, tarballs: tarballs.length, out: pack.code === 0 ? '' : pack.out }).toEqual({
    code: 0,
    timedOut: false,
    tarballs: 1,
    out: '',
  });
  tarball = path.join(packDir, tarballs[0]);

  const listing = spawnSync('tar', ['-tzf', tarball], { encoding: 'utf8', timeout: 30000 });
  expect(listing.status).toBe(0);
  const files = listing.stdout.split('\n').filter(Boolean);
  const required = [
    'package/package.json',
    'package/dist/index.js',
    'package/dist/index.d.ts',
    'package/dist/register.js',
    'package/dist/register.mjs',
    `package/prebuilds/${PLATFORM_DIR}/${PREBUILD}`,
    ...OTHER_PREBUILDS.map((dir) => `package/prebuilds/${dir}/${PREBUILD}`),
  ];
  expect(required.filter((f) => !files.includes(f))).toEqual([]); // missing from the tarball
  expect(files.filter((f) => f.startsWith('package/build/'))).toEqual([]);

  // 2. A bin directory with node, npm, npx and sh only.
  bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync(which('npm'), path.join(bin, 'npm'));
  fs.symlinkSync(which('npx'), path.join(bin, 'npx'));
  fs.symlinkSync(which('sh'), path.join(bin, 'sh')); // npm runs lifecycle scripts with sh
  const env: NodeJS.ProcessEnv = {
    PATH: bin,
    HOME: process.env.HOME || os.homedir(),
    TMPDIR: os.tmpdir(),
    LANG: 'C',
  };
  const probe = spawnSync(
    path.join(bin, 'sh'),
    ['-c', 'for t in cc c++ gcc g++ clang clang++ make python python3 node-gyp; do command -v "$t"; done; exit 0'],
    { env, encoding: 'utf8', timeout: 10000 }
  );
  expect(probe.stdout.trim()).toBe(''); // no compiler or build tool reachable

  // 3. Empty project; install the tarball.
  const proj = path.join(tmp, 'proj');
  fs.mkdirSync(proj);
  fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'uvhttp-pack-probe', version: '1.0.0', private: true }));
  const install = await run(
    path.join(bin, 'npm'),
    ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn'],
    { cwd: proj, env, timeoutMs: 150000 }
  );
  expect({ code: install.code, timedOut: install.timedOut, out: install.code === 0 ? '' : install.out }).toEqual({
    code: 0,
    timedOut: false,
    out: '',
  });
  const installed = path.join(proj, 'node_modules', 'uvhttp');
  expect(fs.existsSync(path.join(installed, 'package.json'))).toBe(true);
  expect(fs.existsSync(path.join(installed, 'prebuilds', PLATFORM_DIR, PREBUILD))).toBe(true);
  expect(fs.existsSync(path.join(installed, 'build'))).toBe(false); // nothing was compiled
  expect(install.out).not.toMatch(/gyp info|node-gyp rebuild/);

  // 4. Serve one request with the installed package, check it with node's client.
  fs.writeFileSync(
    path.join(proj, 'check.js'),
    `'use strict';
const fs = require('node:fs');
const client = require('node:http');
const uvhttp = require('uvhttp');
const server = uvhttp.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'X-From': 'packed' });
  res.end('packed ' + req.method + ' ' + req.url);
});
server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  client.get({ host: '127.0.0.1', port, path: '/ping?x=1', agent: false }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d) => (body += d));
    res.on('end', () => {
      const addons = fs.readFileSync('/proc/self/maps', 'utf8').split('\\n')
        .map((l) => l.slice(l.indexOf('/'))).filter((p) => p.endsWith('.node'));
      console.log(JSON.stringify({
        status: res.statusCode, body, xFrom: res.headers['x-from'],
        resolved: require.resolve('uvhttp'), addons: [...new Set(addons)],
        hasApi: ['createServer', 'Server', 'IncomingMessage', 'ServerResponse', 'METHODS', 'STATUS_CODES']
          .every((k) => k in uvhttp),
      }));
      server.close();
    });
  }).on('error', (e) => { console.error(e); process.exit(1); });
});
`
  );
  const check = await run(path.join(bin, 'node'), ['check.js'], { cwd: proj, env, timeoutMs: 20000 });
  expect({ code: check.code, timedOut: check.timedOut, out: check.code === 0 ? '' : check.out }).toEqual({
    code: 0,
    timedOut: false,
    out: '',
  });
  const result = JSON.parse(check.out.trim().split('\n').pop()!);
  expect(result.status).toBe(200);
  expect(result.body).toBe('packed GET /ping?x=1');
  expect(result.xFrom).toBe('packed');
  expect(result.hasApi).toBe(true);
  expect(result.resolved).toBe(path.join(fs.realpathSync(installed), 'dist', 'index.js'));
  // The addon mapped into the process is the installed prebuild.
  expect(result.addons).toEqual([path.join(fs.realpathSync(installed), 'prebuilds', PLATFORM_DIR, PREBUILD)]);

  // 5. Drop-in from the installed package: unmodified apps under -r / --import uvhttp/register.
  for (const app of ['app.js', 'app.mjs']) {
    fs.copyFileSync(path.join(__dirname, '..', 'fixtures', 'apps', app), path.join(proj, app));
  }
  for (const [flag, app] of [
    ['-r', 'app.js'],
    ['--import', 'app.mjs'],
  ]) {
    const info = await startAndRequest(path.join(bin, 'node'), [flag, 'uvhttp/register', app], proj, {
      ...env,
      PROBE_MODULE: 'uvhttp',
    });
    const ctx = `${flag} uvhttp/register ${app}`;
    if (app === 'app.js') {
      expect({ ctx, http: info.httpCreateServerIsProbe, nodeHttp: info.nodeHttpCreateServerIsProbe }).toEqual({ ctx, http: true, nodeHttp: true });
    } else {
      expect({ ctx, http: info.httpNamespaceIsProbe, nodeHttp: info.nodeHttpDefaultIsProbe }).toEqual({ ctx, http: true, nodeHttp: true });
    }
    expect({ ctx, server: info.serverIsProbeServer, status: info.status }).toEqual({ ctx, server: true, status: 200 });
  }
});

// A musl system (forced here with node-gyp-build's LIBC variable, as on Alpine) must never load
// the glibc prebuild: the install builds from source, and what loads is that build.
const SERVE_ONCE = `'use strict';
const fs = require('node:fs');
const uvhttp = require('uvhttp');
const server = uvhttp.createServer((req, res) => res.end('built ' + req.url));
server.listen(0, '127.0.0.1', () => {
  require('node:http').get({ host: '127.0.0.1', port: server.address().port, path: '/musl', agent: false }, (res) => {
    let body = '';
    res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => {
      const addons = fs.readFileSync('/proc/self/maps', 'utf8').split('\\n')
        .map((l) => l.slice(l.indexOf('/'))).filter((p) => p.endsWith('.node'));
      console.log(JSON.stringify({ body, addons: [...new Set(addons)] }));
      server.close();
    });
  });
});
`;

test('LIBC=musl: the install skips the glibc prebuild and builds from source; the source build loads', async () => {
  expect(tarball).not.toBe(''); // packed by the first test
  const proj = path.join(tmp, 'musl');
  fs.mkdirSync(proj);
  fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'uvhttp-musl-probe', version: '1.0.0', private: true }));
  // This time with the machine's compilers on PATH: a source build must be possible.
  const env = withoutSanitizers({ LIBC: 'musl', PATH: `${bin}${path.delimiter}${process.env.PATH}` });
  const install = await run(path.join(bin, 'npm'), ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn'], {
    cwd: proj,
    env,
    timeoutMs: 300000,
  });
  expect({ code: install.code, timedOut: install.timedOut, out: install.code === 0 ? '' : install.out }).toEqual({ code: 0, timedOut: false, out: '' });
  const installed = fs.realpathSync(path.join(proj, 'node_modules', 'uvhttp'));
  expect(fs.existsSync(path.join(installed, 'build', 'Release', 'uvhttp.node'))).toBe(true);
  fs.writeFileSync(path.join(proj, 'serve-once.js'), SERVE_ONCE);
  const served = await run(path.join(bin, 'node'), ['serve-once.js'], { cwd: proj, env, timeoutMs: 20000 });
  expect({ code: served.code, out: served.code === 0 ? '' : served.out }).toEqual({ code: 0, out: '' });
  expect(JSON.parse(served.out.trim().split('\n').pop()!)).toEqual({
    body: 'built /musl',
    addons: [path.join(installed, 'build', 'Release', 'uvhttp.node')],
  });
});

test('LIBC=musl without a compiler: the install fails instead of taking the glibc prebuild', async () => {
  expect(tarball).not.toBe('');
  const proj = path.join(tmp, 'musl-no-compiler');
  fs.mkdirSync(proj);
  fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'uvhttp-musl-probe', version: '1.0.0', private: true }));
  const env: NodeJS.ProcessEnv = { PATH: bin, HOME: process.env.HOME || os.homedir(), TMPDIR: os.tmpdir(), LANG: 'C', LIBC: 'musl' };
  const install = await run(path.join(bin, 'npm'), ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn'], {
    cwd: proj,
    env,
    timeoutMs: 150000,
  });
  expect({ code: install.code === 0 ? 0 : 'failed', timedOut: install.timedOut }).toEqual({ code: 'failed', timedOut: false });
  expect(install.out).toMatch(/gyp ERR!/); // it tried the source build, and said why that failed
  expect(fs.existsSync(path.join(proj, 'node_modules', 'uvhttp', 'build', 'Release', 'uvhttp.node'))).toBe(false);
});

/** Start an app that prints its port as JSON, GET / from it, stop it; resolves with its JSON plus `status`. */
function startAndRequest(node: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const fail = (e: Error) => {
      clearTimeout(t);
      child.kill('SIGKILL');
      reject(new Error(`${e.message}\nnode ${args.join(' ')}\nstdout: ${out}\nstderr: ${err}`));
    };
    const t = setTimeout(() => fail(new Error('no port printed within 15 s')), 15000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => fail(new Error(`exited early with ${code}`)));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!out.includes('\n')) return;
      clearTimeout(t);
      const info = JSON.parse(out.slice(0, out.indexOf('\n')));
      const req = http.get({ host: '127.0.0.1', port: info.port, path: '/', agent: false }, (res) => {
        res.resume();
        res.on('end', () => {
          child.removeAllListeners('exit');
          child.once('exit', () => resolve({ ...info, status: res.statusCode }));
          child.kill('SIGTERM');
        });
      });
      req.on('error', (e) => fail(e));
    });
  });
}
