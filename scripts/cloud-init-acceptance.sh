#!/usr/bin/env bash
# The cloud-init acceptance test (tests/acceptance/cloud-init.test.ts; docs/testing.md): a real
# Debian 12 cloud image booted by virtkit with a NoCloud seed, a DHCP lease on the `default`
# network, an ssh login with the seeded key. It takes minutes under TCG, so it is not part of
# `scripts/test.sh`; run it on its own, as root, after `bash scripts/setup.sh`:
#
#   bash scripts/cloud-init-acceptance.sh
#
# Steps: its own host packages (xorriso for the seed, openssh-client for ssh and ssh-keygen, and
# those of scripts/build-debian-cloud-image.sh --setup), the image (built once, then cached in
# .cache/debian-cloud/), the TypeScript build, then the test (`run-tests.mjs acceptance`).
# VIRTKIT_DEBIAN_IMAGE=FILE uses a ready image instead of the script's.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'cloud-init-acceptance: %s\n' "$*" >&2; }

need=()
command -v xorriso >/dev/null || need+=(xorriso)
command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || need+=(openssh-client)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

if [ -z "${VIRTKIT_DEBIAN_IMAGE:-}" ]; then
  bash scripts/build-debian-cloud-image.sh --setup
  t0=$SECONDS
  VIRTKIT_DEBIAN_IMAGE=$(bash scripts/build-debian-cloud-image.sh | tail -n 1)
  log "image: $VIRTKIT_DEBIAN_IMAGE ($((SECONDS - t0)) s)"
  export VIRTKIT_DEBIAN_IMAGE
fi

npx tsc -p tsconfig.json
exec node scripts/run-tests.mjs acceptance cloud-init
