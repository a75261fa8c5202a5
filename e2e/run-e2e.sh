#!/usr/bin/env bash
# End-to-end scenarios: the local control plane (or MODELGATE_USE_EXISTING=1 with
# $KUBECONFIG), modelgate's webhook and operator as local processes, registered
# through clientConfig.url on 127.0.0.1, and `kubectl apply` of real workloads.
# Each scenario prints PASS/FAIL with its name; the run ends with
# "e2e: N passed, N failed" and exits non-zero when any failed.
#
# Usage: e2e/run-e2e.sh [BUILD_DIR] [SCENARIO_FILTER_REGEX]
set -uo pipefail
E2E_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$E2E_DIR")"
BUILD="$(cd "${1:-$ROOT/build}" && pwd)"
FILTER="${2:-.}"
export MG="$BUILD/cli/modelgate"
[ -x "$MG" ] || { echo "run-e2e: $MG not built" >&2; exit 2; }
CLUSTER="$E2E_DIR/cluster.sh"
export MODELGATE_CLUSTER_DIR="${MODELGATE_CLUSTER_DIR:-$HOME/.cache/modelgate/cluster}"

# shellcheck source=e2e/lib/harness.sh
source "$E2E_DIR/lib/harness.sh"
# shellcheck source=e2e/lib/modelgate.sh
source "$E2E_DIR/lib/modelgate.sh"

started=0
if [ "${MODELGATE_USE_EXISTING:-0}" = "1" ] && [ -n "${KUBECONFIG:-}" ]; then
  echo "run-e2e: using the existing cluster at $KUBECONFIG"
else
  if ! "$CLUSTER" status >/dev/null 2>&1; then
    "$CLUSTER" install || exit 1
    "$CLUSTER" up || exit 1
    started=1
  fi
  export KUBECONFIG="$MODELGATE_CLUSTER_DIR/admin.kubeconfig"
fi

export MG_STATE
MG_STATE=$(mktemp -d /tmp/modelgate-e2e.XXXXXX)
export NS="mg-e2e-$RANDOM"         # models, workloads and a restrictive NetworkPolicy
export NS_OPEN="mg-e2e-open-$RANDOM"  # no NetworkPolicy at all
cleanup() {
  mg_unregister_webhook
  mg_stop_webhook
  mg_stop_controller
  kubectl delete ns "$NS" "$NS_OPEN" --wait=false >/dev/null 2>&1
  kubectl delete modeladmissionpolicy e2e-default --ignore-not-found >/dev/null 2>&1
  [ "$started" = 1 ] && "$CLUSTER" down
  rm -rf "$MG_STATE"
}
trap cleanup EXIT

echo "run-e2e: setting up (CRDs, models, operator, webhook)"
kubectl apply -f "$ROOT/crds/" >/dev/null || exit 1
kubectl wait --for condition=established --timeout=60s crd/modeladmissions.modelgate.io \
  crd/modeladmissionpolicies.modelgate.io >/dev/null || exit 1
python3 "$ROOT/demo/make-samples.py" "$MG_STATE/models" || exit 1
for ns in "$NS" "$NS_OPEN"; do
  kubectl create ns "$ns" >/dev/null && kubectl label ns "$ns" modelgate-e2e=true >/dev/null || exit 1
done
# Pods are refused until the controller-manager has created the namespace's default
# ServiceAccount; on a fresh cluster the first scenario can get there first.
for ns in "$NS" "$NS_OPEN"; do
  wait_for 60 kubectl get serviceaccount default -n "$ns" || exit 1
done
mg_start_controller || exit 1
mg_start_webhook || exit 1
mg_register_webhook modelgate-e2e >/dev/null || exit 1
echo "run-e2e: webhook at $MG_WEBHOOK_URL, namespaces $NS and $NS_OPEN"
echo

for f in "$E2E_DIR"/scenarios/*.sh; do
  # shellcheck source=/dev/null
  source "$f"
done
for s in "${SCENARIOS[@]}"; do
  name=${s%%|*}
  fn=${s##*|}
  [[ $name =~ $FILTER ]] || continue
  scenario "$name" "$fn"
done
summary
