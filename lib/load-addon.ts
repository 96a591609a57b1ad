// Finds and loads the native addon the way the install step chose it (node-gyp-build): the
// package's own build/Release when there is one (a source build, or a development checkout),
// else the prebuild in prebuilds/<platform>-<arch>/ whose tags (N-API, libc) match this
// process. When that fails the error says on what (platform, arch, C library, Node, N-API),
// which file was tried or which folders were searched, and how to build from source. There is
// no fallback to node:http: a silent fallback would hide the thing the user installed us for.
import * as fs from 'fs';
import * as path from 'path';

interface NodeGypBuild {
  (dir: string): unknown;
  path(dir: string): string;
}

// The C library node-gyp-build matches prebuilds against: the LIBC variable, else musl where
// /etc/alpine-release exists (its rule; other musl systems set LIBC=musl), else glibc.
function libc(): string {
  return process.env.LIBC || (fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc');
}

function howToBuild(root: string): string {
  return (
    `To build it from source, run \`npm rebuild uvhttp --build-from-source\` in your project ` +
    `(or \`npx node-gyp rebuild\` in ${root}); it needs python3, make and a C++17 compiler ` +
    `(g++ 7+ or clang++ 5+; on macOS the Xcode command line tools, on Windows Visual Studio's ` +
    `"Desktop development with C++").`
  );
}

export function loadAddon(root: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const nodeGypBuild = require('node-gyp-build') as NodeGypBuild;
  const where =
    `${process.platform}-${process.arch}` +
    (process.platform === 'linux' ? ` (libc=${libc()})` : '') +
    `, Node ${process.version}, N-API ${process.versions.napi}`;
  let file: string;
  try {
    file = nodeGypBuild.path(root);
  } catch (cause) {
    const error = new Error(
      `uvhttp: no native addon for ${where}: there is no ${path.join(root, 'build', 'Release', 'uvhttp.node')} ` +
        `and no prebuild in ${path.join(root, 'prebuilds', `${process.platform}-${process.arch}`)} ` +
        `that matches this platform and C library (node-gyp-build: ${String((cause as Error).message).replace(/\s+/g, ' ').trim()}). ` +
        howToBuild(root),
    );
    (error as Error & { cause?: unknown }).cause = cause;
    throw error;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return require(file);
  } catch (cause) {
    const error = new Error(
      `uvhttp: the native addon ${file} did not load on ${where}: ${(cause as Error).message}. ` + howToBuild(root),
    );
    (error as Error & { cause?: unknown }).cause = cause;
    throw error;
  }
}
