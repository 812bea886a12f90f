#!/usr/bin/env bash
# Installs what the unit and CLI layers need, idempotently, on a bare Debian 12 (run as root, or with sudo):
#   clang, lld, wasi-libc, libclang-rt-14-dev-wasm32: clang --target=wasm32-wasi builds the C guests and
#   fixtures of the binary-reader, sandbox and optimizer tests (test/clang.ts: those tests fail in CI and
#   under `npm test` when it is missing, rather than skip).
# Then checks that clang really builds a WASI program. When everything is present, this takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(clang lld wasi-libc libclang-rt-14-dev-wasm32)
say() { echo "[test setup] $*"; }
die() { echo "[test setup] ERROR: $*" >&2; exit 1; }

bash test/apt-install.sh "test setup" "${APT_PACKAGES[@]}"

command -v clang >/dev/null || die "clang is not on the PATH after install"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n' >"$tmp/probe.c"
clang --target=wasm32-wasi -O1 -o "$tmp/probe.wasm" "$tmp/probe.c" 2>"$tmp/err" \
  || die "clang --target=wasm32-wasi cannot build a WASI program: $(head -3 "$tmp/err")"
say "clang --target=wasm32-wasi builds WASI programs"
