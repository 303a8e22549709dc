#!/usr/bin/env bash
# Provides Chromium for the emulator console's browser test (test/e2e/console.test.ts) and prints
# its path as the last line of stdout. Progress goes to stderr.
#
# Debian's own `chromium` package, from the machine's package mirror (the only place besides the
# npm registry and the Go proxy this kind of machine reaches; Playwright's browser downloads are not
# used). In order:
#   1. /usr/bin/chromium (or $IOM_CHROMIUM), already installed;
#   2. `apt-get install chromium`, non-interactive and quiet, as root (or with sudo that needs no
#      password), refreshing the package lists once if the first try fails.
# When neither works it says how to get it and exits 1; the test then fails with the same advice.
set -euo pipefail

chromium=${IOM_CHROMIUM:-/usr/bin/chromium}
log() { printf 'chromium: %s\n' "$*" >&2; }
cannot() {
  log "$1"
  log "get it with 'sudo apt-get install chromium' (Debian's package), or run this script as root"
  exit 1
}

if [ -x "$chromium" ]; then
  echo "$chromium"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || cannot "$chromium is missing and this machine has no apt-get"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    cannot "$chromium is missing, and installing it needs root"
  fi
fi

export DEBIAN_FRONTEND=noninteractive
install() { "${sudo[@]}" apt-get install -y -q -o Dpkg::Use-Pty=0 chromium >&2; }
log "installing Debian's chromium package (apt-get, a few minutes the first time)"
if ! install; then
  # A fresh machine's package lists may be missing or stale.
  log "refreshing the package lists and trying again"
  "${sudo[@]}" apt-get update -q >&2 || cannot "apt-get update failed"
  install || cannot "apt-get install chromium failed"
fi
[ -x "$chromium" ] || cannot "apt-get installed chromium, but $chromium is not there"
echo "$chromium"
