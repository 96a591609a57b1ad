#!/usr/bin/env bash
# npm run bench:client — HTTP clients side by side: node:http's http.request, uvhttp's
# http.request, undici.request, an undici Pool and fetch, each keeping 64 GET requests in flight
# over keep-alive connections against a server that is not the bottleneck: nginx from Debian
# (installed when missing, one worker pinned to CPU 0), or, where nginx cannot run, a uvhttp
# server. The client runs pinned to CPU 1; the clients alternate round by round.
#
#   npm run bench:client
#   BENCH_DURATION=5 BENCH_ROUNDS=1 npm run bench:client
#
# Environment:
#   BENCH_DURATION   seconds per measured run            (default 10)
#   BENCH_ROUNDS     rounds (each client once per round) (default 3)
#   BENCH_WARMUP     seconds of warm-up per run           (default 2)
#   BENCH_INFLIGHT   requests in flight                   (default 64)
#   BENCH_CLIENTS    which clients (default "node-http uvhttp undici-request undici-pool fetch")
#   BENCH_OUT        markdown report (default bench/RESULTS.md, its "client" section);
#                    BENCH_NO_WRITE=1: print only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/bench/client"
DURATION="${BENCH_DURATION:-10}"
ROUNDS="${BENCH_ROUNDS:-3}"
WARMUP="${BENCH_WARMUP:-2}"
INFLIGHT="${BENCH_INFLIGHT:-64}"
CLIENTS="${BENCH_CLIENTS:-node-http uvhttp undici-request undici-pool fetch}"
OUT="${BENCH_OUT:-$ROOT/bench/RESULTS.md}"

log() { printf '[bench:client] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
bench_lock
[ -f "$ROOT/dist/index.js" ] || die "dist/ is missing: run npm install (or npm run compile) first"

PIN_SERVER=()
PIN_CLIENT=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  PIN_SERVER=(taskset -c 0)
  PIN_CLIENT=(taskset -c 1)
fi

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

start_nginx() {
  command -v nginx >/dev/null 2>&1 || command -v /usr/sbin/nginx >/dev/null 2>&1 || \
    bash "$ROOT/scripts/apt-install.sh" nginx-light >&2 || bash "$ROOT/scripts/apt-install.sh" nginx >&2 || return 1
  local nginx
  nginx="$(command -v nginx || echo /usr/sbin/nginx)"
  [ -x "$nginx" ] || return 1
  PORT="$(free_port)"
  mkdir -p "$WORK/nginx"
  cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
error_log $WORK/nginx/error.log warn;
pid $WORK/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  server {
    listen 127.0.0.1:$PORT;
    location / { default_type text/plain; return 200 "Hello World"; }
  }
}
EOF
  "${PIN_SERVER[@]}" "$nginx" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
  SERVER_PID=$!
  SERVER_NAME="nginx $("$nginx" -v 2>&1 | sed 's#.*/##'), 1 worker"
}

start_uvhttp() {
  "${PIN_SERVER[@]}" node "$ROOT/bench/servers/hello.js" "$ROOT" >"$WORK/server.out" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 50); do
    PORT="$(sed -n 's/^LISTENING //p' "$WORK/server.out")"
    [ -n "$PORT" ] && break
    sleep 0.1
  done
  [ -n "$PORT" ] || die "the uvhttp server did not start"
  SERVER_NAME="uvhttp (nginx unavailable)"
}

start_nginx || start_uvhttp
for _ in $(seq 50); do
  node -e "require('net').connect($PORT,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" && break
  sleep 0.1
done
log "server: $SERVER_NAME on 127.0.0.1:$PORT"

RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
for round in $(seq "$ROUNDS"); do
  for client in $CLIENTS; do
    log "round $round/$ROUNDS: $client"
    line="$("${PIN_CLIENT[@]}" node "$HERE/load.js" "$client" "$PORT" "$DURATION" "$INFLIGHT" "$WARMUP")"
    echo "{\"round\":$round,${line#\{}" >>"$RESULTS"
  done
done

report_args=("$RESULTS" "$SERVER_NAME" "$INFLIGHT" "$DURATION" "$ROUNDS")
if [ "${BENCH_NO_WRITE:-0}" = "1" ]; then
  node "$HERE/report.js" "${report_args[@]}"
else
  node "$HERE/report.js" "${report_args[@]}" --out "$OUT"
fi
