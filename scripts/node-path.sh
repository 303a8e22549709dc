#!/bin/sh
# Prints the path of the Node.js binary the project runs on: the one from the node-<os>-<arch>
# package when installed (see optionalDependencies), else a `node` on PATH if it is 22 or newer.
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
case "$(uname -s)" in Linux) os=linux ;; Darwin) os=darwin ;; *) os=unknown ;; esac
case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=unknown ;; esac
candidate="$root/node_modules/node-$os-$arch/bin/node"
if [ -x "$candidate" ]; then
  echo "$candidate"
  exit 0
fi
if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -ge 22 ]; then
    command -v node
    exit 0
  fi
fi
echo "iom: Node.js 22 or newer is needed; run 'npm install' (it brings Node 24 on Linux) or install Node 22+" >&2
exit 1
