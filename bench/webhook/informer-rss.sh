#!/usr/bin/env bash
# Memory of the REAL webhook (`modelgate webhook`, informer caches fed by a real API
# server) holding 10,000 ModelAdmissions and 10,000 NetworkPolicies, as the
# throughput benchmark's stand-in view does in-process (see README.md).
#
# Usage: bench/webhook/informer-rss.sh BUILD_DIR [MODELGATE_BINARY...]
#   Starts (or reuses) the local control plane in $MODELGATE_CLUSTER_DIR (default
#   /tmp/mg-bench-cluster), loads it once with load_cluster.py (MODELS, NETPOLS), then
#   for each binary (default BUILD_DIR/cli/modelgate) starts the webhook, waits for
#   /readyz (caches synced), sends a few admission requests, and prints VmRSS/VmHWM.
#   Several binaries are measured against the same cluster contents, in turn.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: informer-rss.sh BUILD_DIR [BINARY...]}
shift
binaries=("$@")
[ ${#binaries[@]} -gt 0 ] || binaries=("$build/cli/modelgate")
models=${MODELS:-10000} netpols=${NETPOLS:-10000}
export MODELGATE_CLUSTER_DIR=${MODELGATE_CLUSTER_DIR:-/tmp/mg-bench-cluster}
export PATH="$HOME/.cache/modelgate/tools/bin:$PATH"
e2e/install-tools.sh >/dev/null
e2e/cluster.sh up >/dev/null
eval "$(e2e/cluster.sh env)"
MG_STATE=$(mktemp -d /var/tmp/mg-informer-rss.XXXXXX)
export MG_STATE
trap 'mg_stop_webhook >/dev/null 2>&1 || true; rm -rf "$MG_STATE"' EXIT
# shellcheck source=../../e2e/lib/modelgate.sh
source e2e/lib/modelgate.sh

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
kubectl apply -f crds/ >/dev/null
kubectl wait --for condition=established crd --all --timeout 60s >/dev/null
have=$(kubectl get ma -A --no-headers 2>/dev/null | wc -l)
if [ "$have" -lt "$models" ]; then
  echo "loading $models ModelAdmissions and $netpols NetworkPolicies (kubectl-apply shape) ..."
  python3 bench/webhook/load_cluster.py "$KUBECONFIG" --models "$models" --netpols "$netpols"
fi
echo "cluster: $(kubectl get ma -A --no-headers | wc -l) ModelAdmissions, $(kubectl get netpol -A --no-headers | wc -l) NetworkPolicies"
sample=$(kubectl get ma -n team-01 model-00001 -o json | wc -c)
echo "one ModelAdmission as the API server returns it: $sample bytes of JSON"

review() {  # a small Pod CREATE review for namespace team-01
  python3 - "$1" <<'PY'
import json, sys
pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "team-01", "labels": {"app": "svc-1", "tier": "backend"}},
       "spec": {"securityContext": {"runAsNonRoot": True},
                "containers": [{"name": "c", "image": "x", "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}]}}
print(json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                  "request": {"uid": sys.argv[1], "kind": {"group": "", "version": "v1", "kind": "Pod"},
                              "resource": {"group": "", "version": "v1", "resource": "pods"},
                              "namespace": "team-01", "operation": "CREATE", "userInfo": {"username": "bench"}, "object": pod}}))
PY
}

for bin in "${binaries[@]}"; do
  MG=$bin
  export MG
  rm -rf "$MG_STATE/tls" "$MG_STATE/certs-1"
  start=$(date +%s.%N)
  MG_READY_SECONDS=600 mg_start_webhook || { echo "FAIL: webhook did not become ready"; exit 1; }
  synced=$(python3 -c "import time; print('%.1f' % (time.time() - $start))")
  for i in $(seq 20); do
    review "bench-$i" | curl -sf --cacert "$MG_STATE/tls/ca.crt" -H 'Content-Type: application/json' \
      --data-binary @- "$MG_WEBHOOK_URL/validate" | grep -q '"allowed"' || { echo "FAIL: no AdmissionReview answer"; exit 1; }
  done
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$MG_WEBHOOK_PID/status")
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$MG_WEBHOOK_PID/status")
  awk -v b="$bin" -v s="$synced" -v r="$rss" -v h="$hwm" 'BEGIN {
    printf "%s: ready (caches synced) in %ss; after 20 reviews VmRSS %.1f MB, VmHWM %.1f MB\n", b, s, r / 1024, h / 1024 }'
  mg_stop_webhook >/dev/null
done
