'use strict';
// Preloaded (NODE_OPTIONS=--require) into every Node process of a scripts/test-arm64.sh run.
// That run executes the arm64 Node under qemu-user on an x64 machine, where the kernel has no
// binfmt_misc entry for aarch64 (registering one would change the whole host), so a test that
// spawns process.execPath would fail with ENOEXEC. This routes such spawns through the same
// qemu: any child whose file is an ELF of another machine runs as `qemu -L sysroot file ...`.
// Everything else (bash, tar, x64 tools) is spawned unchanged.
const childProcess = require('child_process');
const fs = require('fs');

const qemu = process.env.UVHTTP_QEMU;
const sysroot = process.env.UVHTTP_QEMU_SYSROOT;
const EM_AARCH64 = 0xb7;

function isAarch64Elf(file) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(20);
    fs.readSync(fd, head, 0, 20, 0);
    return head.readUInt32BE(0) === 0x7f454c46 && head.readUInt16LE(18) === EM_AARCH64;
  } catch {
    return false; // not a path (looked up on PATH by the kernel), or unreadable: leave it alone
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

if (qemu && sysroot) {
  const spawn = childProcess.ChildProcess.prototype.spawn;
  childProcess.ChildProcess.prototype.spawn = function spawnThroughQemu(options) {
    if (isAarch64Elf(options.file)) {
      options = { ...options, file: qemu, args: [qemu, '-L', sysroot, options.file, ...options.args.slice(1)] };
    }
    return spawn.call(this, options);
  };
  const spawnSync = childProcess.spawnSync;
  childProcess.spawnSync = function spawnSyncThroughQemu(file, args, options) {
    if (isAarch64Elf(file)) {
      if (!Array.isArray(args)) return spawnSync.call(this, qemu, ['-L', sysroot, file], args);
      return spawnSync.call(this, qemu, ['-L', sysroot, file, ...args], options);
    }
    return spawnSync.call(this, file, args, options);
  };
}
