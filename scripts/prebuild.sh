#!/usr/bin/env bash
# `npm run prebuild`: prebuildify --napi --strip into prebuilds/<platform>-<arch>/, built offline
# against the running Node's headers, in a copy of the tree so build/ is left alone; then proves
# that node-gyp-build loads the new prebuild.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -R binding.gyp package.json native "$work"/
ln -s "$root/node_modules" "$work/node_modules"

# Local headers (a Node installed under a prefix with include/node) instead of a download.
if [ -z "${npm_config_nodedir:-}" ]; then
  prefix="$(node -p "require('path').resolve(process.execPath, '../..')")"
  [ -f "$prefix/include/node/node_api.h" ] && export npm_config_nodedir="$prefix"
fi

# The file is named node.napi.node: node-gyp-build reads a name starting with "uv" as a libuv
# version tag, so uvhttp.napi.node would never match.
prebuildify --napi --strip --name node.napi -t "$(node -p process.versions.node)" --cwd "$work" --out "$work"

mkdir -p prebuilds
for target in "$work"/prebuilds/*; do rm -rf "prebuilds/${target##*/}"; done
cp -R "$work/prebuilds/." prebuilds/
PREBUILDS_ONLY=1 node -e "console.log('prebuild loads: ' + require('node-gyp-build').path(process.cwd())); require('node-gyp-build')(process.cwd())"
