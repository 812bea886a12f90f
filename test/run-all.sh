#!/usr/bin/env bash
# The whole test suite, in layers: typecheck, engine unit tests, grammar tests, LSP tests against the
# real server, CLI tests against the real executable, and end-to-end tests in a real VS Code.
# First it installs what the layers need (test/setup.sh: clang for wasm32 with apt-get; the e2e layer
# installs its own, test/e2e/setup.sh), and then requires it: a test that needs clang fails, never skips.
# Every layer runs even if an earlier one fails; the script fails if any layer fails, and ends with
# one summary line of all test results (node:test's and the extension-host suite's).
set -uo pipefail
cd "$(dirname "$0")/.."
log_dir=.test-output
mkdir -p "$log_dir"
# the totals are summed over the logs: none may be left over from an earlier run
rm -f "$log_dir"/*.log
failed=()
run() {
  local name=$1; shift
  echo "::: $name"
  if ! "$@" 2>&1 | tee "$log_dir/$name.log"; then failed+=("$name"); fi
}
run setup bash test/setup.sh
export WASM_WARDEN_REQUIRE_CLANG=1
run build npm run --silent build
run typecheck npm run --silent typecheck
run unit npm run --silent test:unit
run grammar npm run --silent test:grammar
run lsp npm run --silent test:lsp
run cli npm run --silent test:cli
if [ "${WASM_WARDEN_SKIP_E2E:-}" != 1 ]; then
  run e2e npm run --silent test:e2e
  # the extension-host suite (the one test:electron runs under @vscode/test-electron), here inside code-server
  run extension-host npm run --silent test:extension-host
fi
# node:test's spec reporter ends each run with "ℹ pass N" / "ℹ fail N" / "ℹ skipped N"; the extension-host
# suite (its own runner, test/electron/code-server.ts) with "extension-host suite in code-server: N passed, M failed"
# (only the reporter's own count lines: a test's diagnostic may start with the same word)
sum() { grep -hE "^ℹ $1 [0-9]+$" "$log_dir"/*.log 2>/dev/null | awk '{s+=$3} END {print s+0}'; }
host() { grep -h "^extension-host suite in code-server: " "$log_dir"/*.log 2>/dev/null | sed -E "s/.*: ([0-9]+) passed, ([0-9]+) failed.*/\\$1/" | awk '{s+=$1} END {print s+0}'; }
passed=$(( $(sum pass) + $(host 1) )); failures=$(( $(sum fail) + $(host 2) )); skipped=$(sum skipped)
# on failure, the reasons again at the very end (the spec reporter's "failing tests" section of each log,
# without stack frames), so the tail of the output a CI system keeps says why, not only what
failure_reasons() {
  for f in "$log_dir"/*.log; do
    awk -v layer="$(basename "$f" .log)" '
      /^✖ failing tests:$/ { on = 1; print "::: failing in " layer; next }
      on && /^[[:space:]]+at / { next }
      on && /^test at / { lines = 0 }
      on && NF > 0 && lines < 12 && shown < 60 { print; lines++; shown++ }
    ' "$f"
  done
}
if [ ${#failed[@]} -gt 0 ]; then
  failure_reasons
  echo "FAILED layers: ${failed[*]}"
  echo "tests: $passed passed, $failures failed, $skipped skipped"
  exit 1
fi
echo "all test layers passed"
echo "tests: $passed passed, $failures failed, $skipped skipped"
