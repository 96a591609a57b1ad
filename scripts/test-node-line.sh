#!/usr/bin/env bash
# Runs jest under the official Node binary of one release line (scripts/node-line.sh fetches
# it), with that binary first on PATH so every child process a test spawns (`node`, npm's
# scripts, process.execPath) runs on the same line. The differential tests then compare
# uvhttp with the node:http of that line: each line is its own oracle. The addon is N-API, so
# the build/ of the machine's Node loads on every line, and is not rebuilt.
#
#   bash scripts/test-node-line.sh LINE [JEST_PATH...] [JEST_OPTION...]
#
# Without paths (nothing, or options first) it runs the suites listed in test/node-lines.json
# ("suites").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
line="${1:?usage: test-node-line.sh LINE [JEST_PATH...] [JEST_OPTION...]}"
shift
node_bin="$(bash scripts/node-line.sh "$line")"
if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  mapfile -t suites < <(node -p "require('./test/node-lines.json').suites.join('\n')")
  set -- "${suites[@]}" "$@"
  # The files of those suites that run on the whole-suite line only ("lineOnly20").
  export UVHTTP_SKIP_TESTS="$(node -p "require('./test/node-lines.json').lineOnly20.join(' ')")"
fi
echo "== Node $("$node_bin" -p process.version): jest $*" >&2
# The prebuild of this machine, where one was made (npm pack, npm run prebuild), loads on this
# line too: it is one N-API build for every line.
tuple="$(node -p 'process.platform + "-" + process.arch')"
if ls prebuilds/"$tuple"/*.node >/dev/null 2>&1; then
  PREBUILDS_ONLY=1 "$node_bin" -e "require('node-gyp-build')('.'); console.error('== prebuild loads: ' + require('node-gyp-build').path('.'))"
fi
# Paths first, then jest options (scripts/jest.sh schedules the files as npm test does).
paths=()
while [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ]; do
  paths+=("$1")
  shift
done
PATH="$(dirname "$node_bin"):$PATH" JEST="$node_bin node_modules/jest/bin/jest.js" exec bash scripts/jest.sh "${paths[@]}" -- "$@"
