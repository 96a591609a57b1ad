#!/usr/bin/env bash
# Makes sure clang++ with libFuzzer and the sanitizer runtimes is present; installs them from
# Debian when missing (scripts/apt-install.sh: as root in CI, elsewhere through sudo).
set -euo pipefail
probe() {
  local tmp
  tmp="$(mktemp -d)"
  printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' >"$tmp/p.cc"
  if clang++ -fsanitize=fuzzer,address,undefined -o "$tmp/p" "$tmp/p.cc" >/dev/null 2>&1; then
    rm -rf "$tmp"; return 0
  fi
  rm -rf "$tmp"; return 1
}
if command -v clang++ >/dev/null 2>&1 && probe; then exit 0; fi
echo "clang++ with libFuzzer not usable: installing clang libclang-rt-14-dev" >&2
bash "$(dirname "${BASH_SOURCE[0]}")/../scripts/apt-install.sh" clang libclang-rt-14-dev >&2 \
  || { echo "apt-get install failed" >&2; exit 3; }
probe || { echo "clang installed but libFuzzer link still fails" >&2; exit 3; }
