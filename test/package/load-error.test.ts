// When the addon cannot load, the error names the platform, the file it tried (or the folders
// it searched) and how to build from source. The package is laid out as npm installs it (dist/,
// package.json, prebuilds/, no build/) in a temporary folder, and loaded in a child process.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const TUPLE = `${process.platform}-${process.arch}`;
let pkg: string;

beforeAll(() => {
  pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-load-'));
  fs.cpSync(path.join(ROOT, 'dist'), path.join(pkg, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
  fs.mkdirSync(path.join(pkg, 'node_modules'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', 'node-gyp-build'), path.join(pkg, 'node_modules', 'node-gyp-build'));
  fs.mkdirSync(path.join(pkg, 'prebuilds', TUPLE), { recursive: true });
});

afterAll(() => fs.rmSync(pkg, { recursive: true, force: true }));

function load(env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(pkg)})`], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20000,
  });
  return { status: r.status, stderr: r.stderr };
}

const howToBuild = /npm rebuild uvhttp --build-from-source.*python3, make and a C\+\+17 compiler/;

test('a musl process finds only a glibc prebuild: the error names the platform, the folders and the build', () => {
  const file = path.join(pkg, 'prebuilds', TUPLE, 'node.napi.glibc.node');
  fs.writeFileSync(file, 'not an ELF: must never be opened on musl');
  const r = load({ LIBC: 'musl' });
  expect(r.status).not.toBe(0);
  const message = r.stderr.split('\n').find((l) => l.includes('uvhttp:')) ?? r.stderr;
  expect(message).toContain(`no native addon for ${TUPLE} (libc=musl), Node ${process.version}`);
  expect(message).toContain(path.join(pkg, 'build', 'Release', 'uvhttp.node'));
  expect(message).toContain(path.join(pkg, 'prebuilds', TUPLE));
  expect(message).toMatch(howToBuild);
  expect(message).not.toContain('not an ELF'); // the glibc file was not tried
  fs.rmSync(file);
});

test('a prebuild that matches but cannot be opened: the error names the file and the loader\'s reason', () => {
  const file = path.join(pkg, 'prebuilds', TUPLE, 'node.napi.glibc.node');
  fs.writeFileSync(file, 'truncated');
  const r = load({ LIBC: 'glibc' });
  expect(r.status).not.toBe(0);
  const message = r.stderr.split('\n').find((l) => l.includes('uvhttp:')) ?? r.stderr;
  expect(message).toContain(`the native addon ${file} did not load on ${TUPLE} (libc=glibc)`);
  expect(message).toMatch(/invalid ELF header|file too short/);
  expect(message).toMatch(howToBuild);
  fs.rmSync(file);
});
