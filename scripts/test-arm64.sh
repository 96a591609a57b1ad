#!/usr/bin/env bash
# Tests the linux-arm64 prebuild on this x64 machine: cross-compiles it (scripts/prebuild.sh
# arm64), then runs jest with the official arm64 Node of a tested line under qemu-user, loading
# the addon from prebuilds/linux-arm64/ (never the x64 build/). qemu-user and the aarch64
# toolchain (for its sysroot, /usr/aarch64-linux-gnu) come from Debian through
# scripts/apt-install.sh.
#
#   bash scripts/test-arm64.sh [LINE] [JEST_PATH...] [JEST_OPTION...]
#
# LINE defaults to 20; without paths it runs the suites of test/node-lines.json ("arm64").
# The prebuild is cross-compiled again only when it is missing or older than native/ or
# binding.gyp (npm pack, as in npm test, makes it too); UVHTTP_ARM64_NO_BUILD=1 never builds.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
line="${1:-20}"
[ "$#" -gt 0 ] && shift
command -v qemu-aarch64 >/dev/null || bash scripts/apt-install.sh qemu-user
command -v aarch64-linux-gnu-g++ >/dev/null || bash scripts/apt-install.sh g++-aarch64-linux-gnu
sysroot=/usr/aarch64-linux-gnu
existing="$(ls prebuilds/linux-arm64/*.node 2>/dev/null | head -1 || true)"
if [ "${UVHTTP_ARM64_NO_BUILD:-}" != 1 ] &&
   { [ -z "$existing" ] || [ -n "$(find native binding.gyp -newer "$existing" -print -quit)" ]; }; then
  bash scripts/prebuild.sh arm64
fi
prebuild="$(ls prebuilds/linux-arm64/*.node)"

node_bin="$(bash scripts/node-line.sh "$line" arm64)"
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  mapfile -t suites < <(node -p "require('./test/node-lines.json').arm64.join('\n')")
  set -- "${suites[@]}" "$@"
  # Off the whole-suite line, the files that time native timers and limits (which do not depend
  # on the line) are left out, as scripts/test-node-line.sh leaves them ("lineOnly20").
  [ "$line" = 20 ] || export UVHTTP_SKIP_TESTS="$(node -p "require('./test/node-lines.json').lineOnly20.join(' ')")"
fi
# dist/ (for the tests that load the package by name) is the same on every arch: compile it
# here, on the host. The parser tests drive the parser through the test-only probe addon,
# cross-compiled from the same sources as the prebuild's parser.
node_modules/.bin/tsc -p tsconfig.json
export UVHTTP_PARSER_PROBE="$(node -e "process.stdout.write(require('./test/native/build-probe').buildProbe('arm64'))")"

# node-gyp-build looks in $UVHTTP_PREBUILD instead of the package directory: one that holds
# only the prebuilds, so build/Release (x64) is never tried.
only="$(mktemp -d)"
trap 'rm -rf "$only"' EXIT
ln -s "$root/prebuilds" "$only/prebuilds"
export UVHTTP_PREBUILD="$only"
export UVHTTP_QEMU="$(command -v qemu-aarch64)" UVHTTP_QEMU_SYSROOT="$sysroot"
export NODE_OPTIONS="--require $root/test/qemu/exec-foreign.js"
export UVHTTP_TEST_TIME_SCALE=4
loaded="$(qemu-aarch64 -L "$sysroot" "$node_bin" -p "require('node-gyp-build').path('.') + ' on ' + process.arch + ' Node ' + process.version")"
echo "== $loaded" >&2
[ "${loaded%% on *}" = "$only/$prebuild" ] || { echo "test-arm64.sh: expected $prebuild to load" >&2; exit 1; }
qemu-aarch64 -L "$sysroot" "$node_bin" node_modules/jest/bin/jest.js --config test/qemu/jest.config.js --runInBand "$@"
