#!/usr/bin/env bash
# Provides actionlint, the linter the workflow test runs on .github/workflows/*.yml, and prints the
# path of the binary as the last line of stdout. Progress goes to stderr.
#
# These machines reach the Go module proxy but not GitHub's release downloads, so actionlint is
# built with `go install` at the pinned version, once per machine, into
# ~/.cache/iom-gitops/actionlint/<version>/ (or $IOM_ACTIONLINT_CACHE/<version>/), the way
# scripts/provision-engine.sh caches the engine. Two runs at once wait for each other.
#
# Exit codes: 0 ready; 3 no Go toolchain (the caller decides: a failure under CI=true, a skip
# with its reason elsewhere); 1 any other failure (the build itself failed).
set -euo pipefail

# The one place the version is pinned; the test checks the binary answers with it.
version="1.7.12"
log() { printf 'actionlint: %s\n' "$*" >&2; }

cache_root=${IOM_ACTIONLINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iom-gitops/actionlint}
dest="$cache_root/$version"
bin="$dest/actionlint"

# `actionlint -version` prints the version on its first line; a binary that does not answer with
# the pinned one (a partial copy, a hand-placed other version) is rebuilt rather than trusted.
is_ready() {
  [ -x "$bin" ] && [ "$("$bin" -version 2>/dev/null | head -n1)" = "v$version" ]
}

if is_ready; then
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "no Go toolchain on PATH: cannot build actionlint v$version (install Go, or place the binary at $bin)"
  exit 3
fi

mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
# Another run may have finished the build while this one waited for the lock.
if is_ready; then
  echo "$bin"
  exit 0
fi

work="$cache_root/.partial.$$"
rm -rf "$work"
mkdir -p "$work" "$dest"
trap 'rm -rf "$work"' EXIT
log "building actionlint v$version with $(go version | awk '{print $3}') from the Go module proxy (once per machine)"
start=$SECONDS
# `go install pkg@version` resolves the module outside any go.mod and checks it against the
# checksum database; -mod=readonly (the project's GOFLAGS) does not apply to it, so clear GOFLAGS.
# -buildvcs=false: the build runs inside this repository's git tree, which is not actionlint's.
GOFLAGS="-buildvcs=false" GOBIN="$work" go install -trimpath -ldflags "-s -w" \
  "github.com/rhysd/actionlint/cmd/actionlint@v$version" >&2
# Rename is atomic: a concurrent reader sees either no binary or the whole one.
mv -f "$work/actionlint" "$bin"
log "actionlint v$version built in $((SECONDS - start)) s: $bin"
echo "$bin"
