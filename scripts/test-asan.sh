#!/usr/bin/env bash
# Runs the whole jest suite against an AddressSanitizer + UndefinedBehaviorSanitizer build of the
# addon: a copy of the tree is built in a temporary directory (the normal build is left alone)
# and node runs with the sanitizer runtimes preloaded (child processes the tests spawn inherit
# them). Leak checking is off because node itself does not free everything at exit. Arguments
# go to jest (a path to run part of the suite).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$root" ls-files -z | (cd "$root" && xargs -0 tar -c) | tar -x -C "$work"
ln -s "$root/node_modules" "$work/node_modules"
cd "$work"
CXXFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -g" LDFLAGS="-fsanitize=address,undefined" \
  node-gyp rebuild >build.log 2>&1  # npm puts its node-gyp on PATH for scripts
node_modules/.bin/tsc -p tsconfig.json
# The parser tests' probe addon, sanitized too.
CXXFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -g" LDFLAGS="-fsanitize=address,undefined" \
  node test/native/build-probe.js >>build.log 2>&1
export LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Sanitized code runs slower: the tests that wait a fixed time for something scale it.
export UVHTTP_TEST_TIME_SCALE=3
# The short soak (test/soak.test.ts) under the sanitizers: ASan keeps up to 256 MB of freed
# memory in quarantine, so the server's RSS climbs after the warm-up until that is full (the
# memory bound itself is proven by the soak without sanitizers, docs/RELIABILITY.md), and its
# actors take longer to stop.
export SOAK_RSS_BAND_MB=$((256 + 48)) SOAK_ACTOR_STOP_MS=30000
status=0
node_modules/.bin/jest --runInBand "$@" 2>&1 | tee jest.log || status=$?
if grep -qE "ERROR: AddressSanitizer|runtime error:" jest.log; then
  echo "test:asan: sanitizer reports above" >&2
  exit 1
fi
exit "$status"
