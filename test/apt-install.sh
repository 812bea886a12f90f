#!/usr/bin/env bash
# Installs the Debian packages named on the command line that are not installed yet, idempotently
# (run as root, or with sudo available): test/setup.sh and test/e2e/setup.sh use it.
#   bash test/apt-install.sh LABEL PACKAGE...
# LABEL prefixes the messages ("[LABEL] ..."). When every package is installed, this only asks dpkg
# (well under a second). `apt-get update` runs only when there are no package lists yet, or when an
# install from the current lists fails.
set -euo pipefail

label=$1; shift
say() { echo "[$label] $*"; }
die() { echo "[$label] ERROR: $*" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  say "Debian packages present: $*"
  exit 0
fi
command -v apt-get >/dev/null || die "missing Debian packages (${missing[*]}) and no apt-get: install them by hand"
SUDO=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || die "missing Debian packages (${missing[*]}): run as root or install them"
  SUDO=(sudo -n)
fi
say "installing Debian packages: ${missing[*]}"
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
  say "apt-get update (no package lists yet)"
  "${SUDO[@]}" apt-get update -q || die "apt-get update failed"
fi
if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null; then
  say "apt-get install failed; refreshing package lists and retrying"
  "${SUDO[@]}" apt-get update -q || die "apt-get update failed"
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null \
    || die "apt-get install ${missing[*]} failed"
fi
