#!/usr/bin/env bash
# uvhttp benchmark: the same handlers (bench/servers/) on node:http and on uvhttp, driven by wrk,
# with uWebSockets.js as a third column where it is installed.
#
#   npm run bench                      # everything below, about 8 minutes
#   BENCH_DURATION=2 BENCH_EXTRA_DURATION=2 BENCH_ROUNDS=1 npm run bench   # a quick check
#   BENCH_SCENARIOS=multicore npm run bench                                # one part only
#
# Environment:
#   BENCH_DURATION  seconds per measured wrk run of (a) and (b)           (default 10)
#   BENCH_EXTRA_DURATION  seconds per measured run of (c), (d), (e), express and
#                   multicore: shorter, to keep the whole run near 8 min   (default 4)
#   BENCH_ROUNDS    measured rounds per server and scenario                (default 3)
#   BENCH_WARMUP    seconds of warm-up per server/scenario                 (default 3)
#   BENCH_CONNS     wrk connections                                        (default 64)
#   BENCH_IDLE_CONNS idle keep-alive connections for the memory measurement (default 5000)
#   BENCH_MC_WORKERS worker counts for multicore                          (default "1 2")
#   BENCH_MC_THREADS wrk threads for multicore                             (default 1)
#   BENCH_OUT       markdown report path        (default bench/RESULTS.md, its "server" section)
#   BENCH_NO_WRITE  if 1, print the table but do not write BENCH_OUT
#   BENCH_SCENARIOS which scenarios to run
#                   (default "keepalive pipeline close post headers express idle multicore")
#   BENCH_NICE      e.g. -10: run servers and wrk at that priority (root only),
#                   to cut noise on a machine that is doing other work
#   BENCH_UWS       module that is uWebSockets.js (default: "uWebSockets.js" when it
#                   can be require()d); it runs bench/servers/uws.js as a third column
#   BENCH_THIRD     path of another third server script for the hello scenarios (prints
#                   "LISTENING <port>"), instead of uWebSockets.js;
#                   bench/servers/raw-net.js (a fixed-response node:net server)
#                   is a reference for the cost of JS-level TCP in Node.
#
# Scenarios (wrk -t1 -c64, keep-alive unless said; each alternates the servers round by round):
#   keepalive  (a) hello, one request per write           bench/servers/hello.js
#   pipeline   (b) hello, 16 requests per write (bench/wrk.lua -- 16)
#   close      (c) hello with "Connection: close" (wrk -H): a new connection per request
#   post       (d) POST of a 4 KiB body, echoed back      bench/servers/echo.js
#   headers    (e) hello, GET with 25 Chrome request headers (bench/wrk.lua -- 1 browser)
#   express    Express 5 hello (bench/servers/express.js); uvhttp under its register shim
#   idle       RSS per idle keep-alive connection: a fresh hello server per server and round,
#              BENCH_IDLE_CONNS connections each after one request (bench/idle-conns.js),
#              RSS after a forced GC with them open minus RSS after a forced GC before them
#              (bench/servers/gc-on-signal.js); ulimit -n is raised for it where allowed
#   multicore  hello in N cluster workers and in N worker threads sharing one port
#              (bench/servers/multicore.js), node:http and uvhttp, req/s; NOT pinned: servers
#              and wrk share all cores, so on a 2-core machine wrk competes with the workers.
#              On a bigger machine: BENCH_MC_WORKERS="1 2 4 8" BENCH_MC_THREADS=4.
#
# (a)-(e) and express: server pinned to CPU 0, wrk to CPU 1 (taskset). Server CPU per request =
# delta(utime+stime) of the server process from /proc/PID/stat over the run, divided by the
# responses wrk counted (multicore: the whole process tree's).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
DURATION="${BENCH_DURATION:-10}"
EXTRA_DURATION="${BENCH_EXTRA_DURATION:-4}"
IDLE_CONNS="${BENCH_IDLE_CONNS:-5000}"
MC_WORKERS="${BENCH_MC_WORKERS:-1 2}"
MC_THREADS="${BENCH_MC_THREADS:-1}"
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
[[ "$EXTRA_DURATION" =~ ^[0-9]+$ && "$EXTRA_DURATION" -ge 1 ]] || die "BENCH_EXTRA_DURATION must be a positive integer"
[[ "$IDLE_CONNS" =~ ^[0-9]+$ && "$IDLE_CONNS" -ge 100 ]] || die "BENCH_IDLE_CONNS must be an integer >= 100"
[[ "$MC_THREADS" =~ ^[0-9]+$ && "$MC_THREADS" -ge 1 ]] || die "BENCH_MC_THREADS must be a positive integer"

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
# Servers are keyed NAME@HANDLER (node@hello, uvhttp@echo, uws@hello, node@mc-cluster-2, ...).
declare -A PID PORT DEAD
NAMES=(node uvhttp)

stop_server() { # stop_server KEY
  local p="${PID[$1]:-}"
  unset "PID[$1]"
  [ -n "$p" ] || return 0
  # one process may serve two keys (uws@hello and uws@echo)
  for k in "${!PID[@]}"; do [ "${PID[$k]}" = "$p" ] && unset "PID[$k]"; done
  if kill -0 "$p" 2>/dev/null; then
    kill -TERM "$p" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  fi
  wait "$p" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  for k in "${!PID[@]}"; do stop_server "$k"; done
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_server KEY CHECK [pinned|unpinned] COMMAND...: runs COMMAND (a server that prints
# "LISTENING <port>"), then checks one response: CHECK is hello (GET / gives 200 "Hello World")
# or echo (a POSTed body comes back).
start_server() {
  local key="$1" check="$2" pin="$3"
  shift 3
  local out="$WORK/$key.out"
  local prefix=()
  [ "$pin" = pinned ] && prefix=("${PIN_SERVER[@]}")
  "${prefix[@]}" "$@" > "$out" 2>&1 &
  local pid=$!
  local port=""
  for _ in $(seq 1 200); do   # up to 20 s
    port="$(awk '/^LISTENING /{print $2; exit}' "$out" 2>/dev/null || true)"
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    log "warning: server '$key' did not start; skipping it. Output:"
    sed 's/^/    /' "$out" >&2 || true
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 1
  fi
  if ! "$NODE" "$BENCH/check-server.js" "$port" "$check" >&2; then
    log "warning: server '$key' answered incorrectly; skipping it"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 1
  fi
  PID[$key]="$pid"
  PORT[$key]="$port"
  log "server $key: pid $pid port $port"
}

cpu_ticks() { # utime+stime (fields 14, 15) of a pid; comm may contain spaces
  local s
  s="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo -1; return; }
  s="${s##*) }"   # drop "pid (comm) "; the remaining fields start at field 3
  set -- $s
  echo $(( ${12} + ${13} ))
}

cpu_ticks_tree() { # a pid's ticks plus its children's (cluster workers)
  local total t c
  total="$(cpu_ticks "$1")"
  [ "$total" -lt 0 ] && { echo -1; return; }
  for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    t="$(cpu_ticks "$c")"
    [ "$t" -ge 0 ] && total=$((total + t))
  done
  echo "$total"
}

core_busy() { # "busy0 busy1": user+nice+system ticks of CPU 0 and CPU 1 (/proc/stat)
  awk '$1 == "cpu0" { a = $2 + $3 + $4 } $1 == "cpu1" { b = $2 + $3 + $4 } END { print a + 0, b + 0 }' /proc/stat
}

handler_of() { # the server file a scenario runs on
  case "$1" in
    keepalive|pipeline|close|headers) echo hello ;;
    post) echo echo ;;
    express) echo express ;;
    mc-*) echo "$1" ;;
  esac
}

fail_line() { # fail_line NAME SCENARIO ROUND WHY
  "$NODE" -e 'const [server, scenario, round, failed] = process.argv.slice(1);
    console.log(JSON.stringify({ server, scenario, round: +round, failed }))' "$@" >> "$RESULTS"
}

# run_wrk NAME SCENARIO ROUND SECONDS   (ROUND 0 = warm-up)
run_wrk() {
  local name="$1" scenario="$2" round="$3" secs="$4"
  local key="$name@$(handler_of "$scenario")"
  if [ -n "${DEAD[$key]:-}" ]; then
    fail_line "$name" "$scenario" "$round" "${DEAD[$key]}"
    return 0
  fi
  [ -n "${PID[$key]:-}" ] || return 0   # not started (a third server without this handler)
  local pid="${PID[$key]}" port="${PORT[$key]}"
  local wrk_args=(-t1 -c"$CONNS") script_args=(1 get) client=("${PIN_CLIENT[@]}") ticks=cpu_ticks pinned=1
  case "$scenario" in
    pipeline) script_args=(16 get) ;;
    close) wrk_args+=(-H 'Connection: close') ;;
    post) script_args=(1 post4k) ;;
    headers) script_args=(1 browser) ;;
    mc-*) wrk_args=(-t"$MC_THREADS" -c$((CONNS * 2))); client=(); ticks=cpu_ticks_tree; pinned=0 ;;
  esac
  local t0 t1 out rc=0 c0 c1
  c0="$(core_busy)"
  t0="$($ticks "$pid")"
  # wrk runs under a small sh that reports its reaped children's CPU ticks
  # (/proc/$$/stat cutime+cstime), i.e. wrk's own CPU use.
  out="$(AG_NICE="${AUTOGROUP_NICE:-}" timeout -k 5 $((secs + 20)) "${client[@]}" sh -c '
           [ -n "$AG_NICE" ] && echo "$AG_NICE" > /proc/$$/autogroup 2>/dev/null
           wrk "$@"; rc=$?
           s="$(cat /proc/$$/stat)"; s="${s##*) }"; set -- $s
           echo "CLIENT_TICKS $(( ${14} + ${15} ))"; exit $rc' sh \
         "${wrk_args[@]}" -d"${secs}s" --timeout 5s --latency -s "$BENCH/wrk.lua" "http://127.0.0.1:$port/" -- "${script_args[@]}" 2>&1)" || rc=$?
  t1="$($ticks "$pid")"
  c1="$(core_busy)"
  local json wrk_ticks
  json="$(printf '%s\n' "$out" | sed -n 's/^BENCH_JSON //p' | tail -1)"
  wrk_ticks="$(printf '%s\n' "$out" | sed -n 's/^CLIENT_TICKS //p' | tail -1)"
  if ! kill -0 "$pid" 2>/dev/null || [ "$t1" -lt 0 ]; then
    local st=0
    wait "$pid" 2>/dev/null || st=$?
    local why="exit status $st"
    [ "$st" -gt 128 ] && why="killed by signal $((st - 128)) ($(kill -l $((st - 128)) 2>/dev/null || echo '?'))"
    DEAD[$key]="server died during $scenario round $round: $why"
    log "server $key died during $scenario (round $round): $why; it is skipped from now on. wrk said:"
    printf '%s\n' "$out" | grep -v '^BENCH_JSON\|^CLIENT_TICKS' | sed 's/^/    /' >&2
    log "last lines of the $key server's output:"
    tail -n 30 "$WORK/$key.out" | sed 's/^/    /' >&2
    cp "$WORK/$key.out" "${TMPDIR:-/tmp}/uvhttp-bench-crash-$name.log" 2>/dev/null && log "full server output saved to ${TMPDIR:-/tmp}/uvhttp-bench-crash-$name.log"
    fail_line "$name" "$scenario" "$round" "${DEAD[$key]}"
    return 0
  fi
  if [ "$rc" != 0 ] || [ -z "$json" ] || [ "$t0" -lt 0 ]; then
    log "wrk failed for $key/$scenario (rc=$rc):"
    printf '%s\n' "$out" | sed 's/^/    /' >&2
    fail_line "$name" "$scenario" "$round" "wrk rc=$rc"
    return 0
  fi
  # CPU used on the two cores by anything other than the server / wrk.
  local other="null"
  if [ "$pinned" = 1 ] && [ "${#PIN_SERVER[@]}" -gt 0 ] && [ -n "$wrk_ticks" ]; then
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
    console.error(`[bench]   ${r.round === 0 ? "warm-up" : "round " + r.round} ${r.server.padEnd(7)} ${r.scenario.padEnd(14)} ` +
      `${rps.toFixed(0).padStart(8)} req/s  p99 ${(w.p99_us / 1000).toFixed(2)} ms  ` +
      `cpu ${cpu.toFixed(2)} us/req` + (err ? `  errors ${err}` : "") +
      (r.other_ticks && Math.max(...r.other_ticks) > 0.05 * r.clk_tck * w.duration_us / 1e6
        ? `  (other load: ${r.other_ticks.map((t) => (100 * Math.max(0, t) / r.clk_tck / (w.duration_us / 1e6)).toFixed(0) + "%").join("/")} of CPU0/CPU1)` : ""));
  ' "$line"
}

# idle_rss NAME ROUND: a fresh server, IDLE_CONNS idle keep-alive connections, RSS delta.
idle_rss() {
  local name="$1" round="$2" key="$1@idle"
  local cmd=("$NODE" --expose-gc -r "$BENCH/servers/gc-on-signal.js")
  case "$name" in
    node) cmd+=("$BENCH/servers/hello.js" node:http) ;;
    uvhttp) cmd+=("$BENCH/servers/hello.js" "$ROOT") ;;
    uws) cmd+=("$BENCH/servers/uws.js" "$UWS") ;;
    *) return 0 ;;
  esac
  if ! KEEPALIVE_TIMEOUT_MS=120000 start_server "$key" hello pinned "${cmd[@]}"; then
    fail_line "$name" idle "$round" "server did not start"
    return 0
  fi
  local out rc=0
  out="$(SERVER_OUT="$WORK/$key.out" timeout -k 5 150 "${PIN_CLIENT[@]}" "$NODE" "$BENCH/idle-conns.js" "${PORT[$key]}" "${PID[$key]}" "$IDLE_CONNS" 2>&1)" || rc=$?
  stop_server "$key"
  local json
  json="$(printf '%s\n' "$out" | sed -n 's/^IDLE_JSON //p' | tail -1)"
  if [ "$rc" != 0 ] || [ -z "$json" ]; then
    log "idle measurement failed for $name (rc=$rc): $out"
    fail_line "$name" idle "$round" "idle-conns rc=$rc: $(printf '%s' "$out" | tail -1)"
    return 0
  fi
  echo "{\"server\":\"$name\",\"scenario\":\"idle\",\"round\":$round,\"idle\":$json}" >> "$RESULTS"
  "$NODE" -e 'const r = JSON.parse(process.argv[1]);
    console.error(`[bench]   round ${process.argv[2]} ${process.argv[3].padEnd(7)} idle           ` +
      `${((r.rss_after - r.rss_before) / r.connections / 1024).toFixed(2)} KB/connection (${r.connections} connections, RSS ${(r.rss_before / 1048576).toFixed(1)} -> ${(r.rss_after / 1048576).toFixed(1)} MB)`)' "$json" "$round" "$name"
}

read -r -a SCENARIOS <<< "${BENCH_SCENARIOS:-keepalive pipeline close post headers express idle multicore}"
WRK_SCENARIOS=()
MC=0
IDLE=0
for sc in "${SCENARIOS[@]}"; do
  case "$sc" in
    keepalive|pipeline|close|post|headers|express) WRK_SCENARIOS+=("$sc") ;;
    idle) IDLE=1 ;;
    multicore) MC=1 ;;
    *) die "unknown scenario in BENCH_SCENARIOS: $sc" ;;
  esac
done

# The third column: uWebSockets.js where it installs. Upstream publishes it on GitHub, not on the
# npm registry; BENCH_UWS names another module that is uWebSockets.js.
UWS="${BENCH_UWS:-}"
UWS_NOTE=""
THIRD="${BENCH_THIRD:-}"
if [ -z "$THIRD" ]; then
  if [ -z "$UWS" ] && (cd "$ROOT" && "$NODE" -e 'require.resolve("uWebSockets.js")' >/dev/null 2>&1); then UWS=uWebSockets.js; fi
  if [ -n "$UWS" ]; then
    if (cd "$BENCH/servers" && "$NODE" -e 'require(process.argv[1]).App' "$UWS" >/dev/null 2>&1); then
      NAMES+=(uws)
      UWS_NOTE="uWebSockets.js loaded as \`$UWS\` ($(cd "$BENCH/servers" && "$NODE" -p 'try { require(require.resolve(process.argv[1] + "/package.json")).version } catch { "version unknown" }' "$UWS" 2>/dev/null))"
    else
      UWS_NOTE="\`$UWS\` does not load on Node $("$NODE" -v)"
      log "warning: BENCH_UWS=$UWS does not load; no uWebSockets.js column"
    fi
  else
    UWS_NOTE="not installed (require(\"uWebSockets.js\") fails and BENCH_UWS is not set)"
  fi
fi

# the handlers the chosen scenarios need, each started once for every server
declare -A NEED
for sc in "${WRK_SCENARIOS[@]}"; do NEED[$(handler_of "$sc")]=1; done
for h in hello echo express; do
  [ -n "${NEED[$h]:-}" ] || continue
  script="$BENCH/servers/$h.js"
  check=hello
  [ "$h" = echo ] && check=echo
  start_server "node@$h" "$check" pinned "$NODE" "$script" node:http || die "node:http server ($h) failed to start"
  if [ "$h" = express ]; then
    start_server "uvhttp@$h" hello pinned "$NODE" -r "$ROOT/dist/register.js" "$script" || true
  else
    start_server "uvhttp@$h" "$check" pinned "$NODE" "$script" "$ROOT" || true
  fi
done
if [ -n "$THIRD" ]; then
  third_name="$(basename "$THIRD" .js)"
  [ "$third_name" = hello ] && third_name=third
  NAMES+=("$third_name")
  [ -n "${NEED[hello]:-}" ] && { start_server "$third_name@hello" hello pinned "$NODE" "$THIRD" "" || true; }
elif [[ " ${NAMES[*]} " = *" uws "* ]]; then
  # one uws.js process answers both the hello (GET) and the echo (POST) scenarios
  if [ -n "${NEED[hello]:-}${NEED[echo]:-}" ] && start_server uws@hello echo pinned "$NODE" "$BENCH/servers/uws.js" "$UWS"; then
    PID[uws@echo]="${PID[uws@hello]}"
    PORT[uws@echo]="${PORT[uws@hello]}"
  fi
fi

if [ "$IDLE" = 1 ]; then
  # each server and the client hold IDLE_CONNS descriptors
  want=$((IDLE_CONNS + 1000))
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ]; then
    if ulimit -n "$want" 2>/dev/null; then log "raised ulimit -n to $want for the idle connections"
    else die "ulimit -n is $(ulimit -n) and cannot be raised to $want (hard limit $(ulimit -Hn)); lower BENCH_IDLE_CONNS"; fi
  fi
fi

MC_CONFIGS=()
if [ "$MC" = 1 ]; then
  for mode in cluster threads; do
    for n in $MC_WORKERS; do
      [[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 ]] || die "BENCH_MC_WORKERS must list positive integers"
      MC_CONFIGS+=("mc-$mode-$n")
    done
  done
fi

log "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $NCPU CPUs, clk_tck $CLK_TCK"
plan="${WRK_SCENARIOS[*]}"
[ "$IDLE" = 1 ] && plan+=" idle($IDLE_CONNS connections)"
[ "$MC" = 1 ] && plan+=" ${MC_CONFIGS[*]}"
log "plan: warm-up ${WARMUP}s, then $ROUNDS rounds of: $plan; servers ${NAMES[*]}; ${DURATION}s runs for (a)/(b), ${EXTRA_DURATION}s for the rest"
log "uWebSockets.js: ${UWS_NOTE:-replaced by $THIRD}"

secs_of() { case "$1" in keepalive|pipeline) echo "$DURATION" ;; *) echo "$EXTRA_DURATION" ;; esac; }

# the servers in the order of this round: reversed every other round so neither always goes first
round_order() {
  local r="$1"
  shift
  if (( r % 2 == 1 )); then printf '%s\n' "$@"; else for ((i=$#; i>=1; i--)); do printf '%s\n' "${!i}"; done; fi
}

if [ "$WARMUP" -gt 0 ]; then
  for sc in "${WRK_SCENARIOS[@]}"; do
    for n in "${NAMES[@]}"; do run_wrk "$n" "$sc" 0 "$WARMUP"; done
  done
fi
for r in $(seq 1 "$ROUNDS"); do
  for sc in "${WRK_SCENARIOS[@]}"; do
    for n in $(round_order "$r" "${NAMES[@]}"); do run_wrk "$n" "$sc" "$r" "$(secs_of "$sc")"; done
  done
done
# the hello/echo/express servers are done: stop them before the idle and multicore parts
for k in "${!PID[@]}"; do stop_server "$k"; done

if [ "$IDLE" = 1 ]; then
  for r in $(seq 1 "$ROUNDS"); do
    for n in $(round_order "$r" "${NAMES[@]}"); do idle_rss "$n" "$r"; done
  done
fi

if [ "$MC" = 1 ]; then
  # Multi-core: servers and wrk unpinned, all started first, each warmed up, then rounds.
  for cfg in "${MC_CONFIGS[@]}"; do
    IFS=- read -r _ mode n <<< "$cfg"
    start_server "node@$cfg" hello unpinned "$NODE" "$BENCH/servers/multicore.js" node:http "$mode" "$n" || DEAD[node@$cfg]="did not start"
    start_server "uvhttp@$cfg" hello unpinned "$NODE" "$BENCH/servers/multicore.js" "$ROOT" "$mode" "$n" || DEAD[uvhttp@$cfg]="did not start"
    how="$(awk '/^LISTENING /{print $3; exit}' "$WORK/uvhttp@$cfg.out" 2>/dev/null || true)"
    [ -n "$how" ] && echo "{\"scenario\":\"$cfg\",\"how\":\"$how\"}" > "$WORK/how-$cfg.json"
  done
  cat "$WORK"/how-*.json 2>/dev/null | "$NODE" -e 'let s = ""; process.stdin.on("data", (d) => s += d).on("end", () => {
      const how = {}; for (const l of s.split("\n").filter(Boolean)) { const j = JSON.parse(l); how[j.scenario] = j.how; }
      console.log(JSON.stringify({ multicore_how: how })); })' >> "$RESULTS"
  if [ "$WARMUP" -gt 0 ]; then
    for cfg in "${MC_CONFIGS[@]}"; do for n in node uvhttp; do run_wrk "$n" "$cfg" 0 "$WARMUP"; done; done
  fi
  for r in $(seq 1 "$ROUNDS"); do
    for cfg in "${MC_CONFIGS[@]}"; do
      for n in $(round_order "$r" node uvhttp); do run_wrk "$n" "$cfg" "$r" "$EXTRA_DURATION"; done
    done
  done
fi

REPORT_ARGS=(--results "$RESULTS" --duration "$DURATION" --extra-duration "$EXTRA_DURATION" --rounds "$ROUNDS"
  --conns "$CONNS" --nice "${NICE:-0}" --idle-conns "$IDLE_CONNS" --mc-threads "$MC_THREADS" --uws "${UWS_NOTE:-third server: $THIRD}")
[ "${BENCH_NO_WRITE:-0}" = 1 ] || REPORT_ARGS+=(--out "$OUT")
"$NODE" "$BENCH/report.js" "${REPORT_ARGS[@]}"
