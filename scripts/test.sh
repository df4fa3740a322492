#!/usr/bin/env bash
# Sets the machine up (scripts/setup.sh), then runs every test: unit and integration.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Compose v2 beside the machine's own Compose, for test/e2e/compose-v2.test.ts (best effort:
# without it that file says it skipped).
scripts/compose-v2.sh >/dev/null || echo "k8ts test: could not fetch Compose v2; its e2e run will be skipped" >&2
exec pnpm test "$@"
