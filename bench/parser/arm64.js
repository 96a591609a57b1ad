'use strict';
// npm run bench:parser:arm64 — the parser's NEON scans against its portable scalar scanner on
// AArch64, measured on this x64 machine under qemu-user (how scan.h's NEON path was chosen).
// bench/parser/standalone.cc is cross-compiled twice (NEON, and -DUVHTTP_PARSER_SCALAR) with
// Debian's aarch64 toolchain, then for each input:
//   - guest instructions per message: qemu logs every translated block and every block it runs
//     (-d in_asm,exec,nochain); the count for 2N messages minus the count for N, over N. This
//     is exact and does not depend on how fast qemu emulates an instruction;
//   - ns per message under qemu: a rough guide only. qemu runs most scalar instructions as a
//     few host instructions but some NEON ones (across-lane adds, pairwise adds) through
//     helper calls, so it overstates what NEON costs on real AArch64 cores.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'uvhttp-arm64-bench-'));
const inputs = [
  ['small-get', 200],
  ['browser-head', 50],
  ['chunked-64k', 10],
];

function need(tool, pkg) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    execFileSync('bash', [path.join(root, 'scripts', 'apt-install.sh'), pkg], { stdio: 'inherit' });
  }
}

function build(kind) {
  const out = path.join(work, `standalone-${kind}`);
  execFileSync('aarch64-linux-gnu-g++', [
    '-std=c++17', '-O3', '-fno-exceptions', '-static',
    ...(kind === 'scalar' ? ['-DUVHTTP_PARSER_SCALAR'] : []),
    '-o', out, path.join(__dirname, 'standalone.cc'), path.join(root, 'native', 'parser', 'http_parser.cc'),
  ]);
  return out;
}

// Instructions the guest ran: each executed block (a "Trace" line: pc is the second field of
// the bracket) times its length in the IN: listing that translated it.
function instructions(binary, input, iterations) {
  const log = path.join(work, 'qemu.log');
  execFileSync('qemu-aarch64', ['-d', 'in_asm,exec,nochain', '-D', log, binary, String(iterations), input]);
  const size = new Map();
  const runs = new Map();
  let block = -1;
  for (const line of fs.readFileSync(log, 'latin1').split('\n')) {
    if (line.startsWith('IN:')) {
      block = -1;
    } else if (line.startsWith('0x')) {
      if (block < 0) {
        block = parseInt(line, 16);
        size.set(block, 0);
      }
      size.set(block, size.get(block) + 1);
    } else if (line.startsWith('Trace')) {
      block = -1;
      const pc = parseInt(line.split('[')[1].split('/')[1], 16);
      runs.set(pc, (runs.get(pc) || 0) + 1);
    }
  }
  fs.rmSync(log);
  let total = 0;
  for (const [pc, n] of runs) total += (size.get(pc) || 0) * n;
  return total;
}

function nsPerMessage(binary, input, iterations) {
  const out = execFileSync('qemu-aarch64', [binary, String(iterations), input], { encoding: 'utf8' });
  return Number(out.trim().split(' ')[1]);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

need('aarch64-linux-gnu-g++', 'g++-aarch64-linux-gnu');
need('qemu-aarch64', 'qemu-user');
const bins = { neon: build('neon'), scalar: build('scalar') };
console.log('| input | NEON instr/msg | scalar instr/msg | NEON/scalar | NEON ns/msg (qemu) | scalar ns/msg (qemu) | NEON/scalar (qemu) |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [input, n] of inputs) {
  const ins = {};
  const ns = { neon: [], scalar: [] };
  for (const kind of ['neon', 'scalar']) {
    ins[kind] = (instructions(bins[kind], input, 2 * n) - instructions(bins[kind], input, n)) / n;
  }
  for (let rep = 0; rep < 5; rep++) {
    for (const kind of rep % 2 ? ['scalar', 'neon'] : ['neon', 'scalar']) ns[kind].push(nsPerMessage(bins[kind], input, n * 100));
  }
  const t = { neon: median(ns.neon), scalar: median(ns.scalar) };
  console.log(
    `| ${input} | ${Math.round(ins.neon)} | ${Math.round(ins.scalar)} | ${(ins.neon / ins.scalar).toFixed(2)}× | ` +
      `${t.neon.toFixed(0)} | ${t.scalar.toFixed(0)} | ${(t.neon / t.scalar).toFixed(2)}× |`,
  );
}
fs.rmSync(work, { recursive: true, force: true });
