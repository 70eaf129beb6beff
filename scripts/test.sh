#!/usr/bin/env bash
# Sets up everything (scripts/setup.sh) and runs every check: typecheck (part of the
# build), lint, unit tests, integration tests (real QEMU under TCG).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "test: lint"
npx eslint .
echo "test: unit + integration"
node scripts/run-tests.mjs all
