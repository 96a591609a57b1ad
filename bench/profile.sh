#!/usr/bin/env bash
# Profile one server under one bench scenario with perf (where does the CPU go?).
#
#   bash bench/profile.sh [uvhttp|node] [keepalive|pipeline] [seconds]
#
# Same server (bench/servers/hello.js) and wrk settings as bench/run.sh, server
# on CPU 0 and wrk on CPU 1; node runs with --perf-basic-prof so JS frames have
# names. Writes the perf data and a flat + caller report under
# ${TMPDIR:-/tmp}/uvhttp-profile-<server>-<scenario>.{data,txt} and prints the
# top of the flat profile. Installs wrk / linux-perf from Debian if missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHO="${1:-uvhttp}"
SCENARIO="${2:-keepalive}"
SECS="${3:-10}"
NODE="$(command -v node)"
OUT="${TMPDIR:-/tmp}/uvhttp-profile-$WHO-$SCENARIO"

log() { printf '[profile] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

case "$WHO" in
  uvhttp) MODULE="$ROOT" ;;
  node) MODULE="node:http" ;;
  *) die "server must be uvhttp or node" ;;
esac
case "$SCENARIO" in
  keepalive) DEPTH=1 ;;
  pipeline) DEPTH=16 ;;
  *) die "scenario must be keepalive or pipeline" ;;
esac
[[ "$SECS" =~ ^[0-9]+$ && "$SECS" -ge 3 ]] || die "seconds must be an integer >= 3"

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
need wrk wrk
need perf linux-perf
bench_lock

[ -f "$ROOT/dist/index.js" ] || (cd "$ROOT" && "$ROOT/node_modules/.bin/tsc" -p tsconfig.json >&2)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/uvhttp-profile.XXXXXX")"
SPID=""
WPID=""
cleanup() {
  local rc=$?
  for p in $WPID $SPID; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in $WPID $SPID; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

taskset -c 0 "$NODE" --perf-basic-prof --interpreted-frames-native-stack \
  "$ROOT/bench/servers/hello.js" "$MODULE" > "$WORK/server.out" 2>&1 &
SPID=$!
PORT=""
for _ in $(seq 1 100); do
  PORT="$(awk '/^LISTENING /{print $2; exit}' "$WORK/server.out")"
  [ -n "$PORT" ] && break
  kill -0 "$SPID" 2>/dev/null || { cat "$WORK/server.out" >&2; die "server exited"; }
  sleep 0.1
done
[ -n "$PORT" ] || die "server did not start"
log "$WHO server pid $SPID port $PORT; $SCENARIO load for ${SECS}s (profile the middle $((SECS - 2))s)"

timeout -k 5 $((SECS + 20)) taskset -c 1 wrk -t1 -c64 -d"${SECS}s" --timeout 5s --latency -s "$ROOT/bench/wrk.lua" \
  "http://127.0.0.1:$PORT/" -- "$DEPTH" > "$WORK/wrk.out" 2>&1 &
WPID=$!
sleep 1
perf record -F 1999 -g -p "$SPID" -o "$OUT.data" -- sleep $((SECS - 2)) > "$WORK/perf.out" 2>&1 \
  || { cat "$WORK/perf.out" >&2; die "perf record failed"; }
wait "$WPID" || true
WPID=""
grep -E 'requests in|Requests/sec' "$WORK/wrk.out" >&2 || true

{
  echo "# $WHO, $SCENARIO, $(date -u +%FT%TZ), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
  echo "## self time by object (kernel, node/V8, JIT-compiled JS, uvhttp.node, libc...)"
  perf report -i "$OUT.data" --stdio --no-children --sort dso -g none 2>/dev/null | grep -v '^#' | sed 's/[[:space:]-]*$//; /^$/d'
  echo
  echo "## flat (self time by symbol)"
  perf report -i "$OUT.data" --stdio --no-children --sort dso,symbol -g none --percent-limit 0.3 2>/dev/null | grep -v '^#' | sed 's/[[:space:]-]*$//; /^$/d'
  echo
  echo "## with callers (self time, caller graph)"
  perf report -i "$OUT.data" --stdio --no-children --sort symbol -g caller,0.5,callee --percent-limit 2 2>/dev/null | grep -v '^#'
} > "$OUT.txt"
log "report: $OUT.txt   data: $OUT.data"
sed -n '1,45p' "$OUT.txt"
