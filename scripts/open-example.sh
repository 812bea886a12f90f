#!/usr/bin/env bash
# Opens examples/workspace in VS Code with the freshly packaged extension.
#   npm run example            build, package, open (Ctrl+C stops the code-server it started)
#   npm run example -- --check start code-server, check that the workbench page answers, stop, exit 0
#   npm run example -- --no-build   use the dist/wasm-warden.vsix already there
#
# With `code` on the PATH (and no --check), the .vsix is installed into that VS Code and the folder opened in it.
# Otherwise code-server 4.100.3 (installed by test/e2e/setup.sh into a cache folder) serves VS Code on
# http://127.0.0.1:PORT/ with the extension installed into a dedicated profile:
#   ${XDG_DATA_HOME:-$HOME/.local/share}/wasm-warden/example-profile
# Env: PORT (default: a free port), WASM_WARDEN_EXAMPLE_CHECK=1 (same as --check),
#      WASM_WARDEN_EXAMPLE_CODE_SERVER=1 (use code-server even when `code` is on the PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CHECK=${WASM_WARDEN_EXAMPLE_CHECK:-0}
BUILD=1
for arg in "$@"; do
  case "$arg" in
    --check) CHECK=1 ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { echo "[example] $*"; }
die() { echo "[example] ERROR: $*" >&2; exit 1; }

# ---- dependencies, build, package ------------------------------------------------------------------
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm install"
  npm install --no-audit --no-fund </dev/null || die "npm install failed"
fi
if [ "$BUILD" = 1 ]; then
  say "npm run package (builds the bundles and dist/wasm-warden.vsix)"
  npm run --silent package </dev/null || die "packaging failed"
fi
VSIX=$ROOT/dist/wasm-warden.vsix
[ -f "$VSIX" ] || die "no $VSIX after packaging"
FOLDER=$ROOT/examples/workspace

# ---- desktop VS Code --------------------------------------------------------------------------------
if [ "$CHECK" != 1 ] && [ "${WASM_WARDEN_EXAMPLE_CODE_SERVER:-0}" != 1 ] && command -v code >/dev/null; then
  say "installing the extension into VS Code"
  code --install-extension "$VSIX" --force
  say "opening $FOLDER"
  exec code "$FOLDER"
fi

# ---- code-server ----------------------------------------------------------------------------------
bash test/e2e/setup.sh
CACHE=${WASM_WARDEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wasm-warden}
ENTRY=$CACHE/code-server-4.100.3/node_modules/code-server/out/node/entry.js
[ -f "$ENTRY" ] || die "code-server is missing at $ENTRY"

PROFILE=${XDG_DATA_HOME:-$HOME/.local/share}/wasm-warden/example-profile
USER_DATA=$PROFILE/user-data
EXTENSIONS=$PROFILE/extensions
mkdir -p "$USER_DATA/User" "$EXTENSIONS"
if [ ! -f "$USER_DATA/User/settings.json" ]; then
  printf '{\n  "workbench.startupEditor": "none",\n  "telemetry.telemetryLevel": "off",\n  "extensions.autoCheckUpdates": false\n}\n' \
    >"$USER_DATA/User/settings.json"
fi
say "installing the extension into $PROFILE"
node "$ENTRY" --config "$PROFILE/config.yaml" --user-data-dir "$USER_DATA" --extensions-dir "$EXTENSIONS" \
  --install-extension "$VSIX" --force </dev/null | grep -v '^$' || die "installing $VSIX failed"

PORT=${PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})')}
LOG=$PROFILE/code-server.log
: >"$LOG"
# Its own process group (setsid), so stopping it also stops its extension host and helpers.
# The example folder is the project's own: workspace trust is not asked for it.
setsid node "$ENTRY" --config "$PROFILE/config.yaml" --auth none --bind-addr "127.0.0.1:$PORT" \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --user-data-dir "$USER_DATA" --extensions-dir "$EXTENSIONS" "$FOLDER" </dev/null >>"$LOG" 2>&1 &
CS_PID=$!
stop() {
  # TERM to the whole group, up to 5 s to exit, then KILL whatever is left of it.
  kill -TERM -- "-$CS_PID" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 -- "-$CS_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$CS_PID" 2>/dev/null || true
  wait "$CS_PID" 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

URL="http://127.0.0.1:$PORT/?folder=$(node -p 'encodeURIComponent(process.argv[1])' "$FOLDER")"
# Wait for code-server's "listening" line (watching its log), then for the workbench page itself.
node - "$LOG" "$URL" "$CS_PID" <<'EOF' || { cat "$LOG" >&2; die "code-server did not serve the workbench (log: $LOG)"; }
const fs = require('fs');
const [log, url, pid] = process.argv.slice(2);
const deadline = Date.now() + 60_000;
const alive = () => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
async function main() {
  await new Promise((resolve, reject) => {
    const check = () => {
      if (/HTTP server listening on/.test(fs.readFileSync(log, 'utf8'))) { watcher.close(); clearInterval(guard); resolve(); }
    };
    const watcher = fs.watch(log, check);
    // fs.watch can miss an event; the guard also notices a dead process and the deadline
    const guard = setInterval(() => {
      if (!alive()) { watcher.close(); clearInterval(guard); reject(new Error('code-server exited')); }
      else if (Date.now() > deadline) { watcher.close(); clearInterval(guard); reject(new Error('timed out')); }
      else check();
    }, 250);
    check();
  });
  const res = await fetch(url);
  const html = await res.text();
  if (!res.ok || !/vscode-workbench-web-configuration/.test(html)) throw new Error(`unexpected answer ${res.status}`);
}
main().catch((e) => { console.error(String(e)); process.exit(1); });
EOF

say "VS Code (code-server) with Wasm Warden: $URL"
if [ "$CHECK" = 1 ]; then
  say "check passed: the workbench page answers; stopping"
  exit 0
fi
say "press Ctrl+C to stop"
wait "$CS_PID"
