#!/usr/bin/env bash
# npm run fuzz — builds the libFuzzer target (installing clang if missing) and fuzzes the parser.
#   FUZZ_SECONDS  how long to fuzz (default 60)
#   FUZZ_JOBS     parallel workers via libFuzzer -fork (default 1)
#   FUZZ_ARGS     extra libFuzzer flags
# Usage: fuzz/run.sh            fuzz for FUZZ_SECONDS, corpus kept in fuzz/build/corpus
#        fuzz/run.sh --replay   only replay fuzz/regressions and the seed corpus, then exit
#        fuzz/run.sh --build    only build
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash fuzz/ensure-clang.sh

make -s -C fuzz fuzzer
BIN=fuzz/build/http_parser_fuzzer
[ "${1:-}" = "--build" ] && exit 0

# Replay every regression and seed once: a crash here is a regression.
mapfile -t replay < <(find fuzz/regressions fuzz/corpus -type f ! -name '*.md' | sort)
if [ "${#replay[@]}" -gt 0 ]; then
  "$BIN" -runs=0 "${replay[@]}" 2>&1 | tail -n 3
  echo "replayed ${#replay[@]} regression and seed inputs: ok"
fi
[ "${1:-}" = "--replay" ] && exit 0

SECONDS_TO_RUN="${FUZZ_SECONDS:-60}"
JOBS="${FUZZ_JOBS:-1}"
mkdir -p fuzz/build/corpus fuzz/build/artifacts
fork=()
[ "$JOBS" -gt 1 ] && fork=(-fork="$JOBS" -ignore_crashes=0)
echo "fuzzing for ${SECONDS_TO_RUN}s (jobs: $JOBS)"
# shellcheck disable=SC2086
exec "$BIN" fuzz/build/corpus fuzz/corpus \
  -dict=fuzz/http.dict \
  -max_total_time="$SECONDS_TO_RUN" \
  -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 \
  -artifact_prefix=fuzz/build/artifacts/ \
  "${fork[@]}" ${FUZZ_ARGS:-}
