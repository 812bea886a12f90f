#!/usr/bin/env bash
# Installs what the end-to-end tests need, idempotently, on a bare Debian 12 (run as root, or with sudo):
#   - Debian packages: chromium (the browser Playwright drives) + fonts-liberation (legible screenshots),
#     libkrb5-dev + pkg-config (to build code-server's native `kerberos` module), ripgrep (replaces the
#     ripgrep download that fails offline)
#   - code-server 4.100.3 (VS Code 1.100.3, Node 20) in a cache folder outside the repo.
#   - the real modules the scenarios open (test/real-modules.ts: z3-solver's 33 MB module, one npm package,
#     into the bench's peers folder under the cache; nothing is downloaded when it is there already).
# A marker file is written only when the code-server install fully succeeded; without it the install is
# redone from scratch. When everything is present, this takes well under a second.
#
# Env: WASM_WARDEN_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/wasm-warden). The install folder is
#   $WASM_WARDEN_CACHE/code-server-4.100.3 (entry: node_modules/code-server/out/node/entry.js)
set -euo pipefail

CS_VERSION=4.100.3
CACHE=${WASM_WARDEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wasm-warden}
DEST=$CACHE/code-server-$CS_VERSION
MARKER=$DEST/.install-complete
APT_PACKAGES=(chromium fonts-liberation libkrb5-dev pkg-config ripgrep)

say() { echo "[e2e setup] $*"; }
die() { echo "[e2e setup] ERROR: $*" >&2; exit 1; }

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# ---- Debian packages ---------------------------------------------------------------------------
bash "$(dirname "$0")/../apt-install.sh" "e2e setup" "${APT_PACKAGES[@]}"
command -v chromium >/dev/null || die "chromium is not on the PATH after install"
RG=$(command -v rg) || die "rg (ripgrep) is not on the PATH after install"

# ---- real modules (npm packages into the cache) -------------------------------------------------
(cd "$(dirname "$0")/../.." && node --import tsx test/real-modules.ts z3) || die "installing the real modules failed"

# ---- code-server ---------------------------------------------------------------------------------
if [ -f "$MARKER" ] && [ -f "$DEST/node_modules/code-server/out/node/entry.js" ]; then
  say "code-server $CS_VERSION present in $DEST"
  exit 0
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || die "code-server $CS_VERSION needs Node 20 (this is $(node -v))"

start=$(date +%s)
say "installing code-server $CS_VERSION into $DEST (a few minutes, once)"
mkdir -p "$CACHE"
WORK=$CACHE/.code-server-$CS_VERSION.partial
rm -rf "$WORK" "$DEST"
mkdir -p "$WORK"
cd "$WORK"
echo '{"name":"wasm-warden-code-server","private":true}' >package.json

step() { say "  $*"; }

step "npm install --ignore-scripts code-server@$CS_VERSION"
npm install --ignore-scripts --loglevel=error "code-server@$CS_VERSION" </dev/null \
  || die "npm install code-server@$CS_VERSION failed"

CS=$WORK/node_modules/code-server
VS=$CS/lib/vscode
[ -d "$VS" ] || die "unexpected code-server layout: $VS is missing"

# Native modules of code-server itself (argon2 ...). code-server's own postinstall is done by hand below,
# so it is left out of the rebuild.
step "npm rebuild (native modules of code-server)"
natives=$(cd "$WORK/node_modules" && for d in */ @*/*/; do
  d=${d%/}
  [ "$d" = code-server ] && continue
  [ -f "$d/binding.gyp" ] && echo "$d"
done || true)
if [ -n "$natives" ]; then
  # shellcheck disable=SC2086
  npm_config_unsafe_perm=true npm rebuild --loglevel=error $natives </dev/null || die "npm rebuild $natives failed"
fi
node -e "require('$WORK/node_modules/argon2')" || die "argon2 did not build (code-server needs it)"

step "lib/vscode: npm install --omit=dev --ignore-scripts"
(cd "$VS" && npm install --omit=dev --ignore-scripts --loglevel=error </dev/null) || die "lib/vscode npm install failed"
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
ln -sf "$RG" "$VS/node_modules/@vscode/ripgrep/bin/rg"
step "lib/vscode: npm rebuild (kerberos, node-pty, ...)"
(cd "$VS" && npm_config_yes=true npm_config_unsafe_perm=true npm rebuild --loglevel=error </dev/null) \
  || die "lib/vscode npm rebuild failed"
ln -sfn node_modules "$VS/node_modules.asar"
ln -sf code-linux.sh "$VS/bin/remote-cli/code-server"
ln -sf browser-linux.sh "$VS/bin/helpers/browser.sh"

step "lib/vscode/extensions: npm install --omit=dev --ignore-scripts && npm rebuild"
(cd "$VS/extensions" && npm install --omit=dev --ignore-scripts --loglevel=error </dev/null \
  && npm_config_unsafe_perm=true npm rebuild --loglevel=error </dev/null) || die "lib/vscode/extensions install failed"

step "checking: code-server --version"
ver=$(node "$CS/out/node/entry.js" --config "$WORK/config.yaml" --version 2>&1) || die "code-server does not start: $ver"
rm -f "$WORK/config.yaml"
grep -q "^$CS_VERSION " <<<"$ver" || die "unexpected code-server --version output: $ver"

mv "$WORK" "$DEST"
# The tree was built under another path: native modules and links are relative, so the move is safe.
date -u +%FT%TZ >"$MARKER"
say "code-server $CS_VERSION installed in $DEST in $(( $(date +%s) - start ))s"
