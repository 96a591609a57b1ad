'use strict';
// Builds the parser probe (test/native/binding.gyp), the tests' way into the native parser,
// when it is missing or older than its sources. The production addon does not carry it.
//
//   node test/native/build-probe.js [arm64]
//
// Without an argument: for this machine, into test/native/build/Release/parser_probe.node
// (npm install/ci do it through `prepare`, and jest's global setup once more in case a source
// changed since). With arm64 on linux-x64: cross-compiled with Debian's aarch64 toolchain
// against the headers of the arm64 Node of the lowest tested line, into
// test/native/build-arm64/parser_probe.node, for scripts/test-arm64.sh. CXXFLAGS/LDFLAGS from
// the environment are honoured (scripts/test-asan.sh builds a sanitized probe).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const here = __dirname;
const root = path.join(here, '..', '..');

function probePath(arch = process.arch) {
  return arch === process.arch
    ? path.join(here, 'build', 'Release', 'parser_probe.node')
    : path.join(here, `build-${arch}`, 'parser_probe.node');
}

function sources() {
  const parserDir = path.join(root, 'native', 'parser');
  return [
    path.join(here, 'binding.gyp'),
    path.join(here, 'probe_addon.cc'),
    path.join(here, 'parser_probe.cc'),
    path.join(here, 'parser_probe.h'),
    path.join(root, 'native', 'llhttp_dialect.cc'),
    path.join(root, 'native', 'llhttp_dialect.h'),
    ...fs.readdirSync(parserDir).map((f) => path.join(parserDir, f)),
  ];
}

function stale(target) {
  if (!fs.existsSync(target)) return true;
  const built = fs.statSync(target).mtimeMs;
  return sources().some((f) => fs.statSync(f).mtimeMs > built);
}

// npm's own node-gyp (the one npm install uses), next to the node running this.
function nodeGyp() {
  return require.resolve('node-gyp/bin/node-gyp.js', {
    paths: [
      path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules'),
      path.join(path.dirname(fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm']).toString().trim())), '..', 'node_modules'),
    ],
  });
}

function run(args, options) {
  try {
    execFileSync(process.execPath, [nodeGyp(), ...args], { stdio: 'pipe', ...options });
  } catch (error) {
    process.stderr.write(String(error.stdout || '') + String(error.stderr || ''));
    throw error;
  }
}

function buildProbe(arch = process.arch) {
  const target = probePath(arch);
  if (!stale(target)) return target;
  process.stderr.write(`building the parser probe (${arch})...\n`);
  if (arch === process.arch) {
    const args = ['rebuild', `--directory=${here}`];
    // Node's own headers where the machine has them (no download), as npm install uses.
    if (fs.existsSync('/usr/include/node/node_api.h')) args.push('--nodedir=/usr');
    run(args);
    return target;
  }
  if (`${process.platform}-${process.arch}-${arch}` !== 'linux-x64-arm64') throw new Error(`cannot cross-compile the probe for ${arch} here`);
  const line = Object.keys(require(path.join(root, 'test', 'node-lines.json')).versions).sort((a, b) => a - b)[0];
  const nodeBin = execFileSync('bash', [path.join(root, 'scripts', 'node-line.sh'), line, arch]).toString().trim();
  // A copy of the sources, so that the cross build leaves this machine's build/ alone.
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-probe-'));
  try {
    fs.mkdirSync(path.join(work, 'test', 'native'), { recursive: true });
    for (const f of ['binding.gyp', 'probe_addon.cc', 'parser_probe.cc', 'parser_probe.h']) {
      fs.copyFileSync(path.join(here, f), path.join(work, 'test', 'native', f));
    }
    fs.cpSync(path.join(root, 'native'), path.join(work, 'native'), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));
    const env = {
      ...process.env,
      CC: 'aarch64-linux-gnu-gcc',
      CXX: 'aarch64-linux-gnu-g++',
      LINK: 'aarch64-linux-gnu-g++',
      AR: 'aarch64-linux-gnu-ar',
    };
    run(['rebuild', '--arch=arm64', `--nodedir=${path.dirname(path.dirname(nodeBin))}`, `--directory=${path.join(work, 'test', 'native')}`], { env });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(work, 'test', 'native', 'build', 'Release', 'parser_probe.node'), target);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return target;
}

// The probe the tests load: UVHTTP_PARSER_PROBE names another build (scripts/test-arm64.sh).
function loadProbe() {
  return require(process.env.UVHTTP_PARSER_PROBE || probePath());
}

module.exports = { buildProbe, loadProbe, probePath };

if (require.main === module) buildProbe(process.argv[2] || process.arch);
