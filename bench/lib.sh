# Shared by bench/run.sh and bench/profile.sh (sourced after they define ROOT, log and die).

need() { # need COMMAND DEBIAN-PACKAGE: installs the package when the command is missing
  command -v "$1" >/dev/null 2>&1 && return 0
  log "$1 not found; installing $2 from Debian"
  bash "$ROOT/scripts/apt-install.sh" "$2" >&2 || die "could not install $2"
  command -v "$1" >/dev/null 2>&1 || die "$1 still not available after installing $2"
}

bench_lock() { # one benchmark at a time on this machine: concurrent runs would share the cores
  command -v flock >/dev/null 2>&1 || return 0
  local lock="${TMPDIR:-/tmp}/uvhttp-bench.lock"
  exec 9>"$lock"
  if ! flock -n 9; then
    log "another benchmark holds $lock; waiting for it (up to 15 min)"
    flock -w 900 9 || die "timed out waiting for $lock"
  fi
}
