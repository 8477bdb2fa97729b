#!/usr/bin/env bash
# The one test command (README, `npm test`, .ci/run). On a fresh machine it first brings what the tests
# need: the npm dependencies with Node 24 itself from the lockfile, and Debian's tools; then runs every check.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/install-test-tools.sh
bash scripts/fetch-debian-kernel-configs.sh >/dev/null
bash scripts/build-xcrypt.sh --if-missing
# The yescrypt cross-checks must run, not skip, wherever the suite runs.
export BASELINE_REQUIRE_XCRYPT=1

export PATH="$PWD/node_modules/.bin:$PATH"
echo "node $(node --version)"
tsc -p tsconfig.json
eslint .
prettier --check .
node scripts/generate-schema.ts --check
node --test --test-concurrency="${TEST_CONCURRENCY:-2}" 'test/**/*.test.ts'
