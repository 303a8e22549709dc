#!/usr/bin/env bash
# The set-up behind the README's two commands, so each works on a fresh clone with nothing
# installed by hand:
#   npm run demo  ->  scripts/run.sh demo   (provision, start the emulator, pulumi up the local stack)
#   npm test      ->  scripts/run.sh test   (format, lint, type-check, every test group)
#   npm run test:unit (and test:contract, test:e2e) -> scripts/run.sh vitest --project <group>
#   npm run bench -> scripts/run.sh bench   (every bench/ script, on the build)
# Steps: dependencies (npm ci when node_modules is missing or older than the lockfile), Node 24 on
# PATH, the Pulumi engine (scripts/provision-engine.sh, cached per machine), the TypeScript build;
# for `test`, Debian's Chromium for the console's browser test (scripts/provision-chromium.sh).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
task=${1:?usage: scripts/run.sh demo|test|vitest|bench [args...]}
shift

step() { printf '\n== %s\n' "$*" >&2; }

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing dependencies (npm ci, about a minute)"
  # npm checks package engines against the machine's Node before the project's Node 24 (from the
  # node-linux-* packages) takes over: its EBADENGINE warnings are expected, so only errors show.
  npm ci --no-audit --no-fund --loglevel=error >&2
  installed=1
fi

node_bin=$(scripts/node-path.sh "$root")
export PATH="$(dirname "$node_bin"):$PATH"

step "engine"
engine_bin=$(bash scripts/provision-engine.sh)
export PATH="$engine_bin:$PATH"
export PULUMI_SKIP_UPDATE_CHECK=true

# npm ci has just built this tree through the package's `prepare` script; otherwise build now.
if [ -z "${installed:-}" ]; then
  step "build"
  node node_modules/typescript/bin/tsc -p tsconfig.build.json
fi

case "$task" in
  demo)
    exec node dist/cli/index.js demo "$@"
    ;;
  vitest)
    exec node node_modules/vitest/vitest.mjs run "$@"
    ;;
  bench)
    # P1-P8 (docs/benchmarks.md): ratios measured within one run (machines are noisy; no timed
    # tests). `npm run bench -- --quick` for smaller sizes, `-- --only P2,P4` for some figures.
    step "bench"
    exec node --no-warnings bench/run.mts "$@"
    ;;
  test)
    # The static checks run two at a time (the machines have two cores; each check uses one), each
    # into its own log, printed whole when it ends; any that fails stops the run after all have
    # ended, with its output.
    checks=$(mktemp -d)
    trap 'rm -rf "$checks"' EXIT
    check() {
      local name=$1
      shift
      if "$@" >"$checks/$name.log" 2>&1; then echo ok >"$checks/$name.status"; else echo failed >"$checks/$name.status"; fi
    }
    go_checks() {
      command -v go >/dev/null 2>&1 || { echo "go not installed: language host checks skipped"; return 0; }
      (cd tools/engine && GOFLAGS="-mod=readonly -buildvcs=false" go vet ./cmd/... \
        && test -z "$(gofmt -l cmd)" && GOFLAGS="-mod=readonly -buildvcs=false" go test ./cmd/...)
    }
    step "format, lint, type-check, language host (go vet, gofmt, go test): two at a time"
    check type-check node node_modules/typescript/bin/tsc -p tsconfig.json --noEmit &
    { check format node node_modules/prettier/bin/prettier.cjs --check .; check lint node node_modules/eslint/bin/eslint.js .; check go go_checks; } &
    wait
    failed=""
    for name in format lint type-check go; do
      printf '\n== %s: %s\n' "$name" "$(cat "$checks/$name.status")" >&2
      cat "$checks/$name.log" >&2
      [ "$(cat "$checks/$name.status")" = ok ] || failed="$failed $name"
    done
    rm -rf "$checks"
    if [ -n "$failed" ]; then
      echo "failed:$failed" >&2
      exit 1
    fi
    step "chromium (the console's browser test)"
    # Without it the browser test fails and says how to get it; the other tests still run.
    bash scripts/provision-chromium.sh >/dev/null || echo "chromium: not available; the console's browser test will fail" >&2
    step "tests (unit, contract, e2e)"
    exec node node_modules/vitest/vitest.mjs run "$@"
    ;;
  *)
    echo "usage: scripts/run.sh demo|test|vitest|bench [args...]" >&2
    exit 2
    ;;
esac
