#!/usr/bin/env bash
# Quick start: sets the machine up, brings the embedded cluster up (`k8ts up`) and applies
# the sample workload of deploy/examples/nginx.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
pnpm -s k8ts up "$@"
export KUBECONFIG="${K8TS_HOME:-$HOME/.k8ts}/kubeconfig"
kubectl apply -f deploy/examples/nginx.yaml
kubectl -n nginx rollout status deployment/nginx01 --timeout=120s || true
kubectl get nodes -o wide
kubectl -n nginx get pods,svc,endpoints -o wide
echo
echo "export KUBECONFIG=$KUBECONFIG"
