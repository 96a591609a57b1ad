#!/usr/bin/env bash
# Runs jest on the given paths (all of test/ without any) in two passes: the suites that time
# things to tens of milliseconds or load both cores by themselves (test/schedule.json "alone")
# one at a time with the machine to themselves, then the rest two files at a time. Most suites
# spend their time waiting on sockets and timers, so on a 2-core machine the second pass takes
# about half as long as one file at a time would. The exit status is the first pass's failure, or
# the second's.
#
#   bash scripts/jest.sh [JEST_PATH...] [-- JEST_OPTION...]
#
# JEST is the jest command (default: this checkout's jest under the node on PATH).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
paths=()
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  paths+=("$1")
  shift
done
[ "${1:-}" = "--" ] && shift
jest=(${JEST:-node node_modules/jest/bin/jest.js})

# UVHTTP_SKIP_TESTS: files to leave out (space-separated paths), e.g. test-node-line.sh's.
mapfile -t files < <("${jest[@]}" --listTests "${paths[@]}" | sed "s#^$root/##" | sort | grep -vxF -f <(tr ' ' '\n' <<< "${UVHTTP_SKIP_TESTS:-}" | grep .) || true)
[ "${#files[@]}" -gt 0 ] || { echo "jest.sh: no tests match ${paths[*]}" >&2; exit 1; }
mapfile -t alone_patterns < <(node -p "require('./test/schedule.json').alone.join('\n')")
alone=()
together=()
for f in "${files[@]}"; do
  matched=0
  for p in "${alone_patterns[@]}"; do
    [ "$f" = "$p" ] && matched=1
  done
  if [ "$matched" = 1 ]; then alone+=("$f"); else together+=("$f"); fi
done

status=0
if [ "${#alone[@]}" -gt 0 ]; then
  echo "== jest, one file at a time: ${alone[*]}" >&2
  "${jest[@]}" --runInBand "$@" "${alone[@]}" || status=$?
fi
if [ "${#together[@]}" -gt 0 ]; then
  echo "== jest, two files at a time: ${#together[@]} files" >&2
  "${jest[@]}" --maxWorkers=2 "$@" "${together[@]}" || { s=$?; [ "$status" = 0 ] && status=$s; }
fi
exit "$status"
