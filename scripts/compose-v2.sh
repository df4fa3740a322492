#!/usr/bin/env bash
# Fetches Docker Compose v2 (Debian 12 ships only v1 1.29) from Debian trixie's docker-compose
# package into a Docker CLI config directory of its own, without installing it: the machine's
# `docker compose` / `docker-compose` stay as they were, and `DOCKER_CONFIG=<dir> docker compose`
# is v2. The e2e suite uses it to run the compose cluster under both versions
# (test/e2e/compose-v2.test.ts). Prints the directory. Safe to run again.
set -euo pipefail
dir=${K8TS_COMPOSE_V2_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/k8ts/compose-v2}
plugin=$dir/cli-plugins/docker-compose
if [ -x "$plugin" ] && DOCKER_CONFIG=$dir docker compose version >/dev/null 2>&1; then
  echo "$dir"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
echo "deb http://deb.debian.org/debian trixie main" >"$tmp/sources.list"
opts=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o APT::Sandbox::User=root)
apt-get "${opts[@]}" update -qq >/dev/null
(cd "$tmp" && apt-get "${opts[@]}" download docker-compose >/dev/null 2>&1)
dpkg-deb -x "$tmp"/docker-compose_*.deb "$tmp/x"
mkdir -p "$dir/cli-plugins"
install -m 0755 "$tmp/x/usr/libexec/docker/cli-plugins/docker-compose" "$plugin"
DOCKER_CONFIG=$dir docker compose version >&2
echo "$dir"
