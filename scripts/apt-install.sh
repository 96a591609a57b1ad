#!/usr/bin/env bash
# Installs Debian packages for the project's scripts (wrk, linux-perf, clang): as root directly,
# else through `sudo -n`. Tries the install before `apt-get update`, which is slow and only
# needed when the package lists are missing or stale.
#
#   bash scripts/apt-install.sh PACKAGE...
set -euo pipefail
command -v apt-get >/dev/null 2>&1 || { echo "apt-get not available: install $* by hand" >&2; exit 3; }
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "not root and no sudo: cannot install $*" >&2; exit 3; }
  SUDO=(sudo -n)
fi
install() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "$@"
}
install "$@" || { "${SUDO[@]}" timeout 600 apt-get update -qq && install "$@"; }
