#!/usr/bin/env bash
# Sets the machine up (scripts/setup.sh), then runs every test: unit and integration.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec pnpm test "$@"
