#!/usr/bin/env bash
# Runs jest under the official Node binary of one release line (scripts/node-line.sh fetches
# it), with that binary first on PATH so every child process a test spawns (`node`, npm's
# scripts, process.execPath) runs on the same line. The differential tests then compare
# uvhttp with the node:http of that line: each line is its own oracle. The addon is N-API, so
# the build/ of the machine's Node loads on every line, and is not rebuilt.
#
#   bash scripts/test-node-line.sh LINE [JEST_PATH_OR_OPTION...]
#
# Without paths it runs the suites listed in test/node-lines.json ("suites").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
line="${1:?usage: test-node-line.sh LINE [JEST_PATH_OR_OPTION...]}"
shift
node_bin="$(bash scripts/node-line.sh "$line")"
if [ "$#" -eq 0 ]; then
  mapfile -t suites < <(node -p "require('./test/node-lines.json').suites.join('\n')")
  set -- "${suites[@]}"
fi
echo "== Node $("$node_bin" -p process.version): jest $*" >&2
PATH="$(dirname "$node_bin"):$PATH" exec "$node_bin" node_modules/jest/bin/jest.js --runInBand "$@"
