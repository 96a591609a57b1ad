#!/usr/bin/env bash
# uvhttp benchmark: the same hello-world handler (bench/servers/hello.js) on
# node:http and on uvhttp, driven by wrk.
#
#   npm run bench                      # 3 rounds x 10 s per scenario
#   BENCH_DURATION=5 BENCH_ROUNDS=1 npm run bench
#
# Environment:
#   BENCH_DURATION  seconds per measured wrk run            (default 10)
#   BENCH_ROUNDS    measured rounds per server and scenario (default 3)
#   BENCH_WARMUP    seconds of warm-up per server/scenario  (default 3)
#   BENCH_CONNS     wrk connections                         (default 64)
#   BENCH_OUT       markdown report path        (default bench/RESULTS.md)
#   BENCH_NO_WRITE  if 1, print the table but do not write BENCH_OUT
#   BENCH_SCENARIOS which scenarios to run (default "keepalive pipeline")
#   BENCH_NICE      e.g. -10: run servers and wrk at that priority (root only),
#                   to cut noise on a machine that is doing other work
#   BENCH_THIRD     path of an extra server script (prints "LISTENING <port>");
#                   bench/servers/uws.js is used automatically when
#                   uWebSockets.js can be require()d. Reported, not required.
#                   bench/servers/raw-net.js (a fixed-response node:net server)
#                   is a reference for the cost of JS-level TCP in Node.
#
# Scenarios:
#   keepalive  wrk -t1 -c64, keep-alive, one request per write
#   pipeline   wrk -t1 -c64, 16 requests per write (bench/wrk.lua -- 16)
#
# Server pinned to CPU 0, wrk to CPU 1 (taskset). Server CPU per request =
# delta(utime+stime) of the server process from /proc/PID/stat over the run,
# divided by the responses wrk counted.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
DURATION="${BENCH_DURATION:-10}"
ROUNDS="${BENCH_ROUNDS:-3}"
WARMUP="${BENCH_WARMUP:-3}"
CONNS="${BENCH_CONNS:-64}"
OUT="${BENCH_OUT:-$BENCH/RESULTS.md}"
NODE="$(command -v node)"

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -ge 1 ]] || die "BENCH_DURATION must be a positive integer"
[[ "$ROUNDS" =~ ^[0-9]+$ && "$ROUNDS" -ge 1 ]] || die "BENCH_ROUNDS must be a positive integer"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "BENCH_WARMUP must be an integer"

# ---------------------------------------------------------------- tools
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
need wrk wrk
bench_lock

PIN_SERVER=()
PIN_CLIENT=()
NCPU="$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)"
if command -v taskset >/dev/null 2>&1 && [ "$NCPU" -ge 2 ]; then
  PIN_SERVER=(taskset -c 0)
  PIN_CLIENT=(taskset -c 1)
else
  log "warning: taskset missing or fewer than 2 CPUs; running unpinned"
fi
# BENCH_NICE (e.g. -10, needs root): run servers and wrk at a higher priority
# than everything else, to reduce the noise from other work on a shared machine.
NICE="${BENCH_NICE:-}"
AUTOGROUP_NICE=""
if [ -n "$NICE" ]; then
  [[ "$NICE" =~ ^-?[0-9]+$ ]] || die "BENCH_NICE must be an integer"
  if nice -n "$NICE" true 2>/dev/null && [ "$(nice -n "$NICE" nice)" = "$NICE" ]; then
    # With scheduler autogroups, nice only ranks processes within their session:
    # give each server / wrk its own session and set that autogroup's nice too.
    if [ -w /proc/self/autogroup ] && command -v setsid >/dev/null 2>&1; then
      AUTOGROUP_NICE="$NICE"
      # (the autogroup nice is written from inside the new session, never from ours)
      PIN_SERVER=(setsid sh -c 'echo "$0" > /proc/$$/autogroup 2>/dev/null; exec "$@"' "$NICE" nice -n "$NICE" "${PIN_SERVER[@]}")
      PIN_CLIENT=(setsid nice -n "$NICE" "${PIN_CLIENT[@]}")
    else
      PIN_SERVER=(nice -n "$NICE" "${PIN_SERVER[@]}")
      PIN_CLIENT=(nice -n "$NICE" "${PIN_CLIENT[@]}")
    fi
    log "servers and wrk run at nice $NICE${AUTOGROUP_NICE:+ (own autogroups)}"
  else
    log "warning: cannot run at nice $NICE (needs root); running at normal priority"
    NICE=""
  fi
fi
CLK_TCK="$(getconf CLK_TCK)"

# ---------------------------------------------------------------- uvhttp build
if [ ! -d "$ROOT/node_modules" ]; then
  log "node_modules missing; running npm ci"
  (cd "$ROOT" && npm ci >&2) || die "npm ci failed"
fi
# The lead rebuilds the addon as native/ changes; only build what is missing
# (fresh checkout / CI).
if [ ! -f "$ROOT/build/Release/uvhttp.node" ] && ! ls "$ROOT"/prebuilds/*/*.node >/dev/null 2>&1; then
  log "native addon missing; building it (node-gyp rebuild)"
  (cd "$ROOT" && npm run --silent compile >&2) \
    || log "warning: native build failed; uvhttp will be skipped"
fi
need_tsc=0
if [ ! -f "$ROOT/dist/index.js" ]; then
  need_tsc=1
elif [ -n "$(find "$ROOT/lib" -name '*.ts' -newer "$ROOT/dist/index.js" 2>/dev/null | head -1)" ]; then
  need_tsc=1
fi
if [ "$need_tsc" = 1 ]; then
  log "compiling TypeScript (lib/ -> dist/)"
  (cd "$ROOT" && "$ROOT/node_modules/.bin/tsc" -p tsconfig.json >&2) || log "warning: tsc failed; using whatever dist/ exists"
fi

# ---------------------------------------------------------------- servers
WORK="$(mktemp -d "${TMPDIR:-/tmp}/uvhttp-bench.XXXXXX")"
RESULTS="$WORK/results.jsonl"
: > "$RESULTS"
declare -A PID PORT DEAD
NAMES=()

cleanup() {
  local rc=$?
  for n in "${!PID[@]}"; do
    local p="${PID[$n]}"
    if kill -0 "$p" 2>/dev/null; then
      kill -TERM "$p" 2>/dev/null || true
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$p" 2>/dev/null || true
    fi
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server NAME SCRIPT MODULE-ARG
start_server() {
  local name="$1" script="$2" arg="$3"
  local out="$WORK/$name.out"
  "${PIN_SERVER[@]}" "$NODE" "$script" "$arg" > "$out" 2>&1 &
  local pid=$!
  local port=""
  for _ in $(seq 1 100); do   # up to 10 s
    port="$(awk '/^LISTENING /{print $2; exit}' "$out" 2>/dev/null || true)"
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    log "warning: server '$name' did not start; skipping it. Output:"
    sed 's/^/    /' "$out" >&2 || true
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 1
  fi
  # Sanity: one request must come back as 200 "Hello World".
  if ! "$NODE" -e '
      const http = require("node:http");
      const t = setTimeout(() => { console.error("timeout"); process.exit(1); }, 5000);
      http.get({ host: "127.0.0.1", port: +process.argv[1], path: "/" }, (res) => {
        let b = ""; res.setEncoding("utf8");
        res.on("data", (d) => b += d);
        res.on("end", () => {
          clearTimeout(t);
          if (res.statusCode !== 200 || b !== "Hello World") {
            console.error("bad response", res.statusCode, JSON.stringify(b)); process.exit(1);
          }
        });
      }).on("error", (e) => { console.error(e.message); process.exit(1); });
    ' "$port" >&2; then
    log "warning: server '$name' answered incorrectly; skipping it"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 1
  fi
  PID[$name]="$pid"
  PORT[$name]="$port"
  NAMES+=("$name")
  log "server $name: pid $pid port $port"
}

cpu_ticks() { # utime+stime (fields 14, 15) of a pid; comm may contain spaces
  local s
  s="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo -1; return; }
  s="${s##*) }"   # drop "pid (comm) "; the remaining fields start at field 3
  set -- $s
  echo $(( ${12} + ${13} ))
}

core_busy() { # "busy0 busy1": user+nice+system ticks of CPU 0 and CPU 1 (/proc/stat)
  awk '$1 == "cpu0" { a = $2 + $3 + $4 } $1 == "cpu1" { b = $2 + $3 + $4 } END { print a + 0, b + 0 }' /proc/stat
}

# run_wrk NAME SCENARIO ROUND SECONDS   (ROUND 0 = warm-up)
run_wrk() {
  local name="$1" scenario="$2" round="$3" secs="$4"
  local pid="${PID[$name]}" port="${PORT[$name]}"
  local depth  # requests per write (bench/wrk.lua)
  case "$scenario" in
    keepalive) depth=1 ;;
    pipeline) depth=16 ;;
  esac
  if [ -n "${DEAD[$name]:-}" ]; then
    echo "{\"server\":\"$name\",\"scenario\":\"$scenario\",\"round\":$round,\"failed\":\"${DEAD[$name]}\"}" >> "$RESULTS"
    return 0
  fi
  local t0 t1 out rc=0 c0 c1
  c0="$(core_busy)"
  t0="$(cpu_ticks "$pid")"
  # wrk runs under a small sh that reports its reaped children's CPU ticks
  # (/proc/$$/stat cutime+cstime), i.e. wrk's own CPU use.
  out="$(AG_NICE="${AUTOGROUP_NICE:-}" timeout -k 5 $((secs + 20)) "${PIN_CLIENT[@]}" sh -c '
           [ -n "$AG_NICE" ] && echo "$AG_NICE" > /proc/$$/autogroup 2>/dev/null
           wrk "$@"; rc=$?
           s="$(cat /proc/$$/stat)"; s="${s##*) }"; set -- $s
           echo "CLIENT_TICKS $(( ${14} + ${15} ))"; exit $rc' sh \
         -t1 -c"$CONNS" -d"${secs}s" --timeout 5s --latency -s "$BENCH/wrk.lua" "http://127.0.0.1:$port/" -- "$depth" 2>&1)" || rc=$?
  t1="$(cpu_ticks "$pid")"
  c1="$(core_busy)"
  local json wrk_ticks
  json="$(printf '%s\n' "$out" | sed -n 's/^BENCH_JSON //p' | tail -1)"
  wrk_ticks="$(printf '%s\n' "$out" | sed -n 's/^CLIENT_TICKS //p' | tail -1)"
  if ! kill -0 "$pid" 2>/dev/null || [ "$t1" -lt 0 ]; then
    local st=0
    wait "$pid" 2>/dev/null || st=$?
    local why="exit status $st"
    [ "$st" -gt 128 ] && why="killed by signal $((st - 128)) ($(kill -l $((st - 128)) 2>/dev/null || echo '?'))"
    DEAD[$name]="server died during $scenario round $round: $why"
    log "server $name died during $scenario (round $round): $why; it is skipped from now on. wrk said:"
    printf '%s\n' "$out" | grep -v '^BENCH_JSON\|^CLIENT_TICKS' | sed 's/^/    /' >&2
    log "last lines of the $name server's output:"
    tail -n 30 "$WORK/$name.out" | sed 's/^/    /' >&2
    cp "$WORK/$name.out" "${TMPDIR:-/tmp}/uvhttp-bench-crash-$name.log" 2>/dev/null && log "full server output saved to ${TMPDIR:-/tmp}/uvhttp-bench-crash-$name.log"
    echo "{\"server\":\"$name\",\"scenario\":\"$scenario\",\"round\":$round,\"failed\":\"${DEAD[$name]}\"}" >> "$RESULTS"
    return 0
  fi
  if [ "$rc" != 0 ] || [ -z "$json" ] || [ "$t0" -lt 0 ]; then
    log "wrk failed for $name/$scenario (rc=$rc):"
    printf '%s\n' "$out" | sed 's/^/    /' >&2
    echo "{\"server\":\"$name\",\"scenario\":\"$scenario\",\"round\":$round,\"failed\":\"wrk rc=$rc\"}" >> "$RESULTS"
    return 0
  fi
  # CPU used on the two cores by anything other than the server / wrk.
  local other="null"
  if [ "${#PIN_SERVER[@]}" -gt 0 ] && [ -n "$wrk_ticks" ]; then
    local a0 a1 b0 b1
    read -r a0 a1 <<< "$c0"
    read -r b0 b1 <<< "$c1"
    other="[$(( b0 - a0 - (t1 - t0) )),$(( b1 - a1 - wrk_ticks ))]"
  fi
  local line="{\"server\":\"$name\",\"scenario\":\"$scenario\",\"round\":$round,\"cpu_ticks\":$((t1 - t0)),\"wrk_ticks\":${wrk_ticks:-null},\"other_ticks\":$other,\"clk_tck\":$CLK_TCK,\"wrk\":$json}"
  echo "$line" >> "$RESULTS"
  "$NODE" -e '
    const r = JSON.parse(process.argv[1]); const w = r.wrk;
    const rps = w.requests / (w.duration_us / 1e6);
    const cpu = r.cpu_ticks / r.clk_tck / w.requests * 1e6;
    const err = w.err_connect + w.err_read + w.err_write + w.err_status + w.err_timeout;
    console.error(`[bench]   ${r.round === 0 ? "warm-up" : "round " + r.round} ${r.server.padEnd(7)} ${r.scenario.padEnd(9)} ` +
      `${rps.toFixed(0).padStart(8)} req/s  p99 ${(w.p99_us / 1000).toFixed(2)} ms  ` +
      `cpu ${cpu.toFixed(2)} us/req` + (err ? `  errors ${err}` : "") +
      (r.other_ticks && Math.max(...r.other_ticks) > 0.05 * r.clk_tck * w.duration_us / 1e6
        ? `  (other load: ${r.other_ticks.map((t) => (100 * Math.max(0, t) / r.clk_tck / (w.duration_us / 1e6)).toFixed(0) + "%").join("/")} of CPU0/CPU1)` : ""));
  ' "$line"
}

start_server node "$BENCH/servers/hello.js" node:http || die "node:http server failed to start"
start_server uvhttp "$BENCH/servers/hello.js" "$ROOT" || true
THIRD="${BENCH_THIRD:-}"
if [ -z "$THIRD" ] && (cd "$ROOT" && "$NODE" -e 'require.resolve("uWebSockets.js")' >/dev/null 2>&1); then
  THIRD="$BENCH/servers/uws.js"
fi
if [ -n "$THIRD" ]; then
  third_name="$(basename "$THIRD" .js)"
  [ "$third_name" = hello ] && third_name=third
  start_server "$third_name" "$THIRD" "" || true
fi

read -r -a SCENARIOS <<< "${BENCH_SCENARIOS:-keepalive pipeline}"
for sc in "${SCENARIOS[@]}"; do
  [[ "$sc" = keepalive || "$sc" = pipeline ]] || die "unknown scenario in BENCH_SCENARIOS: $sc"
done
log "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $NCPU CPUs, clk_tck $CLK_TCK"
log "plan: warm-up ${WARMUP}s, then $ROUNDS rounds x ${DURATION}s x ${#NAMES[@]} servers x ${#SCENARIOS[@]} scenarios"

if [ "$WARMUP" -gt 0 ]; then
  for sc in "${SCENARIOS[@]}"; do
    for n in "${NAMES[@]}"; do run_wrk "$n" "$sc" 0 "$WARMUP"; done
  done
fi
for r in $(seq 1 "$ROUNDS"); do
  for sc in "${SCENARIOS[@]}"; do
    # alternate the order each round so neither server always goes first
    if (( r % 2 == 1 )); then order=("${NAMES[@]}"); else order=(); for ((i=${#NAMES[@]}-1; i>=0; i--)); do order+=("${NAMES[$i]}"); done; fi
    for n in "${order[@]}"; do run_wrk "$n" "$sc" "$r" "$DURATION"; done
  done
done

REPORT_ARGS=(--results "$RESULTS" --duration "$DURATION" --rounds "$ROUNDS" --conns "$CONNS" --nice "${NICE:-0}")
[ "${BENCH_NO_WRITE:-0}" = 1 ] || REPORT_ARGS+=(--out "$OUT")
"$NODE" "$BENCH/report.js" "${REPORT_ARGS[@]}"
