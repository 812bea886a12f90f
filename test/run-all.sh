#!/usr/bin/env bash
# The whole test suite: typecheck, engine unit tests, grammar tests, LSP tests, end-to-end tests in a
# real VS Code. Each layer prints its own summary; the script fails if any layer fails.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
run() {
  local name=$1; shift
  echo "::: $name"
  if ! "$@"; then failed+=("$name"); fi
}
run typecheck npm run --silent typecheck
run unit npm run --silent test:unit
run grammar npm run --silent test:grammar
run lsp npm run --silent test:lsp
if [ "${WASM_WARDEN_SKIP_E2E:-}" != 1 ]; then
  run e2e npm run --silent test:e2e
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED layers: ${failed[*]}"
  exit 1
fi
echo "all test layers passed"
