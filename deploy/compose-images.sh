#!/usr/bin/env bash
# Builds the images docker-compose.yml runs, with no registry: the local base images
# (deploy/images), then k8ts/k8ts:dev from deploy/k8ts/Dockerfile on the local node base,
# with etcd, iptables, ip and openssl (the `init` service makes the apiserver's certificate)
# copied from this machine's Debian packages.
#   deploy/compose-images.sh [--upstream]   (--upstream: FROM node:20-slim, needs a registry)
#   deploy/compose-images.sh --stage        (only stage the files; then `docker compose build`)
#   deploy/compose-images.sh --if-changed   (build only when k8ts/k8ts:dev is missing or was
#                                            built from other sources: the e2e suites use it)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
base=k8ts/node:20
stage_only=
if_changed=
case "${1:-}" in
  --upstream) base=node:20-slim ;;
  --stage) stage_only=1 ;;
  --if-changed) if_changed=1 ;;
esac
# What the image is built from (the Dockerfile's COPY sources and the build scripts), so an
# image left from older sources is never reused by mistake.
source_hash() {
  { git ls-files -co --exclude-standard -- packages proto scripts/build.mjs deploy/k8ts deploy/images deploy/compose-images.sh \
      package.json pnpm-workspace.yaml pnpm-lock.yaml tsconfig.base.json tsconfig.json 2>/dev/null |
      LC_ALL=C sort | while read -r f; do [ -f "$f" ] && sha256sum "$f"; done; echo "base=$base"; } | sha256sum | cut -c1-16
}
hash=$(source_hash)
if [ -n "$if_changed" ] && [ "$(docker image inspect -f '{{index .Config.Labels "io.k8ts.source"}}' k8ts/k8ts:dev 2>/dev/null)" = "$hash" ] &&
  docker image inspect k8ts/hello:1.0 >/dev/null 2>&1; then
  echo "k8ts/k8ts:dev is up to date ($hash)"
  exit 0
fi
[ -z "$stage_only" ] && [ "$base" = k8ts/node:20 ] && deploy/images/build.sh

stage=deploy/.build/k8ts/rootfs
rm -rf "$stage" && mkdir -p "$stage"
copy() { # a file and the shared libraries it needs, at the same paths
  local f
  for f in "$@"; do
    [ -e "$f" ] || continue
    mkdir -p "$stage$(dirname "$f")" && cp -L "$f" "$stage$f"
    ldd "$f" 2>/dev/null | awk '/=> \//{print $3} /^[[:space:]]*\/[^ ]*ld-linux/{print $1}' | while read -r lib; do
      mkdir -p "$stage$(dirname "$lib")" && cp -L "$lib" "$stage$lib"
    done
  done
}
copy /usr/bin/etcd /usr/sbin/xtables-nft-multi "$(command -v ip)" "$(command -v conntrack || true)" "$(command -v openssl)"
# openssl reads its default configuration; without it `req -x509` still works but warns.
[ -e /usr/lib/ssl/openssl.cnf ] && mkdir -p "$stage/usr/lib/ssl" && cp -L /usr/lib/ssl/openssl.cnf "$stage/usr/lib/ssl/openssl.cnf"
for m in /usr/lib/x86_64-linux-gnu/xtables/*.so; do copy "$m"; done
for n in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  ln -sf xtables-nft-multi "$stage/usr/sbin/$n"
done
mkdir -p "$stage/var/lib/k8ts" "$stage/tmp" && chmod 1777 "$stage/tmp"
if [ -n "$stage_only" ]; then echo "staged $stage"; exit 0; fi
docker build -q -f deploy/k8ts/Dockerfile --build-arg BASE="$base" --label io.k8ts.source="$hash" -t k8ts/k8ts:dev . >/dev/null
echo "built k8ts/k8ts:dev (BASE=$base)"
