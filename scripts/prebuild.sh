#!/usr/bin/env bash
# `npm run prebuild` (and prepack): N-API prebuilds into prebuilds/<platform>-<arch>/, tagged
# with the C library they link against (node.napi.glibc.node), so that node-gyp-build never
# picks a glibc binary on a musl system (it builds from source there instead).
#
#   bash scripts/prebuild.sh [ARCH...]
#
# Default: this machine's arch, plus arm64 when this is linux-x64 (cross-compiled with Debian's
# g++-aarch64-linux-gnu, which scripts/apt-install.sh installs when it is missing). Each build
# runs offline against the headers of the official Node binary of the lowest tested line for
# that arch (scripts/node-line.sh), in a copy of the tree so build/ is left alone. A native
# prebuild is then loaded through node-gyp-build as a check; an arm64 one is tested by
# scripts/test-arm64.sh (under qemu).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# npm puts its node-gyp on PATH for package scripts; the same one when run by hand.
command -v node-gyp >/dev/null || PATH="$(dirname "$(readlink -f "$(command -v npm)")")/node-gyp-bin:$PATH"
host_arch="$(node -p process.arch)"
platform="$(node -p process.platform)"
if [ "$#" -eq 0 ]; then
  set -- "$host_arch"
  [ "$platform-$host_arch" = linux-x64 ] && set -- "$@" arm64
fi
# The line whose headers the prebuilds compile against: NAPI_VERSION 8 (binding.gyp) is what
# they use, whatever the Node that loads them.
oldest_line="$(node -p "Object.keys(require('./test/node-lines.json').versions).sort((a, b) => a - b)[0]")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -R binding.gyp package.json native "$work"/
ln -s "$root/node_modules" "$work/node_modules"

for arch in "$@"; do
  env=()
  if [ "$arch" != "$host_arch" ]; then
    [ "$platform-$host_arch-$arch" = linux-x64-arm64 ] || { echo "prebuild.sh: cannot cross-compile $arch here" >&2; exit 2; }
    command -v aarch64-linux-gnu-g++ >/dev/null || bash scripts/apt-install.sh g++-aarch64-linux-gnu
    env=(CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar
         PREBUILD_STRIP_BIN=aarch64-linux-gnu-strip)
  fi
  node_bin="$(bash scripts/node-line.sh "$oldest_line" "$arch")"
  nodedir="$(dirname "$(dirname "$node_bin")")"
  version="$(node -p "require(process.argv[1]).version" "$nodedir/package.json")"
  # The file is named node.napi.<libc>.node: node-gyp-build reads a name starting with "uv" as
  # a libuv version tag, so uvhttp.napi.node would never match.
  env "${env[@]}" npm_config_nodedir="$nodedir" \
    node_modules/.bin/prebuildify --napi --strip --tag-libc --name node.napi --arch "$arch" -t "$version" \
    --cwd "$work" --out "$work"
  rm -rf "$work/build"
done

mkdir -p prebuilds
for target in "$work"/prebuilds/*; do rm -rf "prebuilds/${target##*/}"; done
cp -R "$work/prebuilds/." prebuilds/
ls -l prebuilds/*/
if [ -d "prebuilds/$platform-$host_arch" ]; then
  PREBUILDS_ONLY=1 node -e "console.log('prebuild loads: ' + require('node-gyp-build').path(process.cwd())); require('node-gyp-build')(process.cwd())"
fi
