#!/usr/bin/env bash
# Prints the path of the official Node binary for a release line pinned in test/node-lines.json,
# fetching it first if it is not cached. The binaries are the `node-<platform>-<arch>` packages
# of the npm registry (fetched with `npm pack`, which checks the registry's integrity hash),
# unpacked whole (bin/node and include/node, the headers node-gyp builds against) into
#   ${UVHTTP_NODE_CACHE:-${XDG_CACHE_HOME:-~/.cache}/uvhttp/node}/node-v<version>-<platform>-<arch>/
# Nothing is installed globally.
#
#   bash scripts/node-line.sh LINE [ARCH]     e.g. 24, or 22 arm64 (default: this machine's arch)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
line="${1:?usage: node-line.sh LINE [ARCH]}"
arch="${2:-$(node -p process.arch)}"
platform="$(node -p process.platform)"
version="$(node -p "require(process.argv[1]).versions[process.argv[2]] || ''" "$root/test/node-lines.json" "$line")"
[ -n "$version" ] || { echo "node-line.sh: no Node $line in test/node-lines.json" >&2; exit 2; }

cache="${UVHTTP_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/uvhttp/node}"
dir="$cache/node-v$version-$platform-$arch"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$cache"
  work="$(mktemp -d "$cache/.fetch.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  echo "node-line.sh: fetching node-$platform-$arch@$version" >&2
  # The destination and dry-run are given, not inherited: under an outer `npm pack
  # --pack-destination D` (prepack -> prebuild) npm's environment would send the tarball to D.
  (cd "$work" && npm pack "node-$platform-$arch@$version" --pack-destination "$work" --dry-run=false \
    --silent --loglevel=error >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  # A rename, so a concurrent fetch or an interrupted one never leaves a half-unpacked tree.
  mv -T "$work/package" "$dir" 2>/dev/null || [ -x "$dir/bin/node" ]
fi
echo "$dir/bin/node"
