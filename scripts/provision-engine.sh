#!/usr/bin/env bash
# Provides the Pulumi engine (the `pulumi` CLI and the Node.js language host) and prints the
# directory that holds them as the last line of stdout. Progress goes to stderr.
#
# In order (issue #2, docs/adr/0002-engine-provisioning.md):
#   1. a `pulumi` (with `pulumi-language-nodejs` beside it) already on PATH, recent enough;
#   2. a copy this script built before, cached per machine outside the git tree;
#   3. a build of the pinned versions with Go, from our tools module (tools/engine);
#   4. on a machine with internet and no Go, Pulumi's release archive, checked against the SHA-256
#      the release publishes before anything in it runs.
# It never rebuilds what is cached, and two runs at once wait for each other. It never runs a
# downloaded script: Go modules are checked against go.sum or Go's checksum database, and a
# downloaded archive against its release's checksums, before any of their code is built or run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/tools/engine"
# The pinned engine version is the one tools/engine/go.mod requires: one place to change it.
version=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { sub(/^v/, "", $2); print $2 }' "$tools/go.mod")
min_version="3.200.0"
log() { printf 'engine: %s\n' "$*" >&2; }

# Prints the engine's directory and records it in .iom/engine-bin, where src/engine/engine.ts finds
# it when the engine is not on PATH (a test run started by hand, for example).
finish() {
  # .iom/state is the local file backend Pulumi.yaml names; Pulumi needs the folder to exist.
  mkdir -p "$root/.iom/state"
  printf '%s\n' "$1" >"$root/.iom/engine-bin"
  echo "$1"
  exit 0
}

version_ge() { # version_ge A B: A >= B
  [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]
}

# The dynamic-provider plugin ships inside @pulumi/pulumi; the engine looks for it on PATH, next
# to the language host. The script resolves @pulumi/pulumi from the program's directory at run time.
install_dynamic_provider_plugin() {
  local bin=$1 src="$root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  if [ ! -e "$bin/pulumi-resource-pulumi-nodejs" ]; then
    if [ ! -f "$src" ]; then
      log "node_modules/@pulumi/pulumi is missing: run 'npm ci' first"
      exit 1
    fi
    install -m 0755 "$src" "$bin/pulumi-resource-pulumi-nodejs"
  fi
}

# 1. An engine on PATH.
if [ "${IOM_ENGINE_IGNORE_PATH:-}" != "1" ] && command -v pulumi >/dev/null 2>&1 \
  && command -v pulumi-language-nodejs >/dev/null 2>&1; then
  found=$(pulumi version 2>/dev/null | sed 's/^v//')
  if [ -n "$found" ] && version_ge "$found" "$min_version"; then
    bin=$(dirname "$(command -v pulumi)")
    log "using pulumi $found from PATH ($bin)"
    if [ -w "$bin" ]; then install_dynamic_provider_plugin "$bin"; fi
    finish "$bin"
  fi
  log "pulumi on PATH is ${found:-of unknown version}, older than $min_version: not used"
fi

# 2. A cached build. The CLI is keyed by the tools module (go.mod, go.sum); the language host also
# by its own sources, so editing our host rebuilds it in seconds without relinking the CLI.
cache_root=${IOM_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/iom-gitops/engine}
cli_key=$(cat "$tools/go.mod" "$tools/go.sum" | sha256sum | cut -c1-12)
host_key=$(cd "$tools" && cat go.mod go.sum $(find cmd -type f | sort) | sha256sum | cut -c1-12)
dest="$cache_root/pulumi-v$version-$cli_key"
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

if [ -x "$dest/bin/pulumi" ] && [ "$(cat "$dest/host.key" 2>/dev/null)" = "$host_key" ]; then
  install_dynamic_provider_plugin "$dest/bin"
  log "using cached pulumi v$version ($dest/bin)"
  finish "$dest/bin"
fi

work="$cache_root/.partial.$$"
rm -rf "$work"
mkdir -p "$work/bin" "$dest/bin"
trap 'rm -rf "$work"' EXIT

# Runs a long command, printing a line every 30 s so CI logs and terminals show it is alive.
with_heartbeat() {
  local what=$1
  shift
  local start=$SECONDS next=30
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.2
    if [ $((SECONDS - start)) -ge "$next" ] && kill -0 "$pid" 2>/dev/null; then
      log "$what: still building ($((SECONDS - start)) s)"
      next=$((next + 30))
    fi
  done
  wait "$pid"
}

build_host_with_go() {
  # Pulumi's own Node.js host first, from a scratch module that requires it; our tools module
  # cannot require it directly, since go.sum could not be written where the proxy does not serve it.
  local upstream="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
  local scratch="$work/upstream-host"
  mkdir -p "$scratch"
  cp "$tools/go.mod" "$tools/go.sum" "$scratch/"
  printf 'package tools\n\nimport _ "%s"\n' "$upstream" >"$scratch/tools.go"
  # The module is not in our go.sum, so only Go's checksum database can vouch for it: it is not
  # fetched where that check is off, or bypassed by a private-module pattern (set in the
  # environment or with `go env -w`, which an empty variable does not override).
  local sumdb exempt
  sumdb=$(go env GOSUMDB)
  exempt=$(GONOSUMDB= GOPRIVATE= go env GONOSUMDB GOPRIVATE | tr -s '\n' ' ' | sed 's/^ *//; s/ *$//')
  if [ "$sumdb" = "off" ] || [ -n "$exempt" ]; then
    log "Go's checksum database is off or bypassed here (GOSUMDB=$sumdb${exempt:+, exempt: $exempt}): Pulumi's Node.js language host cannot be checked, so it is not fetched"
  elif (cd "$scratch" && export GOFLAGS=-mod=mod GONOSUMDB= GOPRIVATE= \
    && go get "$upstream@v$version" >"$scratch/get.log" 2>&1 \
    && go build -trimpath -ldflags "-s -w" -o "$work/bin/pulumi-language-nodejs" "$upstream" >>"$scratch/get.log" 2>&1); then
    log "built Pulumi's Node.js language host v$version"
    return
  else
    log "Pulumi's Node.js language host is not available here: $(grep -m1 -o 'reading https[^ ]*: [0-9]* [A-Za-z ]*' "$scratch/get.log" || tail -n1 "$scratch/get.log")"
  fi
  log "building iom-gitops's Node.js language host instead (tools/engine/cmd/pulumi-language-nodejs)"
  (cd "$tools" && go build -trimpath -ldflags "-s -w -X main.version=$version-iom" -o "$work/bin/pulumi-language-nodejs" \
    ./cmd/pulumi-language-nodejs)
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# Pulumi's release archive for this machine, from Pulumi's download site, checked against the
# checksums file of the same release on GitHub: two hosts, so that one serving a changed archive
# is caught. Only the two binaries the tool needs are taken out, and only after the check.
install_release_archive() {
  local platform
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform=linux-x64 ;;
    Linux-aarch64 | Linux-arm64) platform=linux-arm64 ;;
    Darwin-x86_64) platform=darwin-x64 ;;
    Darwin-arm64) platform=darwin-arm64 ;;
    *)
      log "Pulumi publishes no release for $(uname -s) $(uname -m): install Go or pulumi"
      exit 1
      ;;
  esac
  local archive="pulumi-v$version-$platform.tar.gz" sums="pulumi-$version-checksums.txt"
  local fetch=(curl -fsSL --proto =https --tlsv1.2 --retry 2)
  log "no Go toolchain: downloading $archive and its release checksums"
  "${fetch[@]}" -o "$work/$archive" "https://get.pulumi.com/releases/sdk/$archive"
  "${fetch[@]}" -o "$work/$sums" "https://github.com/pulumi/pulumi/releases/download/v$version/$sums"
  local expected actual
  expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$work/$sums")
  actual=$(sha256_of "$work/$archive")
  if [ -z "$expected" ]; then
    log "the release checksums name no $archive: refusing to install it"
    exit 1
  fi
  if [ "$expected" != "$actual" ]; then
    log "$archive does not match its release checksum (expected $expected, got $actual): refusing to install it"
    exit 1
  fi
  log "$archive matches its release checksum ($actual)"
  mkdir -p "$work/extract"
  tar -xzf "$work/$archive" -C "$work/extract" pulumi/pulumi pulumi/pulumi-language-nodejs
  mv "$work/extract/pulumi/pulumi" "$work/extract/pulumi/pulumi-language-nodejs" "$work/bin/"
}

if command -v go >/dev/null 2>&1; then
  # 3. Build with Go. -mod=readonly: the checked-in go.sum pins every module.
  export GOFLAGS="-mod=readonly -buildvcs=false"
  if [ ! -x "$dest/bin/pulumi" ]; then
    ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
    log "building pulumi v$version with $(go version | awk '{print $3}'): the first build on a machine takes a few minutes"
    start=$SECONDS
    (cd "$tools" && with_heartbeat "pulumi CLI" go build -trimpath -ldflags "$ldflags" -o "$work/bin/pulumi" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
    log "pulumi CLI built in $((SECONDS - start)) s"
  fi
  build_host_with_go
elif command -v curl >/dev/null 2>&1 && command -v tar >/dev/null 2>&1; then
  # 4. No Go: Pulumi's release archive (needs internet); it brings Pulumi's own language host.
  install_release_archive
else
  log "cannot provide the Pulumi engine: no pulumi on PATH, no Go toolchain, no curl and tar"
  exit 1
fi

# Move finished binaries into place one by one (rename is atomic), the key last.
for f in "$work"/bin/*; do mv -f "$f" "$dest/bin/$(basename "$f")"; done
install_dynamic_provider_plugin "$dest/bin"
echo "$host_key" >"$dest/host.key"
trap - EXIT
rm -rf "$work"
log "pulumi v$version ready in $dest/bin"
finish "$dest/bin"
