#!/bin/sh
# Builds the cluster's images locally, with no registry:
#   k8ts/pause:latest k8ts/busybox:latest k8ts/node:20 k8ts/hello:latest
# Usage: deploy/images/build.sh [--force] [--only pause,busybox,node,hello,etcd]
#        [--base busybox=busybox:1.36 --base node=node:20-slim]  (upstream bases when a registry exists)
# Staging happens under deploy/images/.build/ (gitignored). The logic lives in one place,
# packages/cli/src/images/build.ts, which `k8ts images`, `k8ts up` and the tests call too.
# k8ts/etcd (the integration tests' etcd) is built only when asked for: --only etcd.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
exec node --import tsx packages/cli/src/images/main.ts "$@"
