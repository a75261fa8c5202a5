#!/usr/bin/env bash
# The README's main command: a local Kubernetes control plane with modelgate in
# front of it, and a tour of what it admits and rejects.
#
#  1. installs what is needed and builds `modelgate`;
#  2. starts the local control plane (etcd + kube-apiserver + controller-manager
#     on 127.0.0.1; the first run builds them from Debian's source and caches them);
#  3. runs modelgate's operator and webhook as local processes and installs the
#     chart in local mode (CRDs, the default policy, the webhook configuration);
#  4. writes sample models (clean SafeTensors, a pickle with a payload, a GGUF
#     with a hostile chat template, a model with a wrong pinned hash), registers
#     them as ModelAdmissions, lets the operator scan them, and applies workloads;
#  5. prints what was admitted and rejected with the webhook's message, then
#     `modelgate inventory`.
# Leaves nothing running unless --keep is given (then prints how to stop it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
keep=0
[ "${1:-}" = "--keep" ] && keep=1
build=${BUILD_DIR:-build}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Installing dependencies and building modelgate"
bash scripts/install-deps.sh >/dev/null
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"${JOBS:-2}" --target modelgate >/dev/null
export MG="$ROOT/$build/cli/modelgate"
bash e2e/install-tools.sh >/dev/null
export PATH="$HOME/.cache/modelgate/tools/bin:$PATH"

say "Starting the local control plane (first run: builds Kubernetes from Debian's source, ~10-20 min)"
export MODELGATE_CLUSTER_DIR=${MODELGATE_CLUSTER_DIR:-$HOME/.cache/modelgate/demo-cluster}
bash e2e/cluster.sh install
bash e2e/cluster.sh up
export KUBECONFIG="$MODELGATE_CLUSTER_DIR/admin.kubeconfig"

# shellcheck source=e2e/lib/modelgate.sh
source e2e/lib/modelgate.sh
export MG_STATE="$MODELGATE_CLUSTER_DIR/demo"
rm -rf "$MG_STATE" && mkdir -p "$MG_STATE"
cleanup() {
  if [ "$keep" = 1 ]; then
    echo
    echo "Kept running: operator pid $MG_CONTROLLER_PID, webhook pid $MG_WEBHOOK_PID, cluster (KUBECONFIG=$KUBECONFIG)."
    echo "Stop with: kill $MG_CONTROLLER_PID $MG_WEBHOOK_PID; bash e2e/cluster.sh down"
    return
  fi
  mg_stop_webhook
  mg_stop_controller
  bash "$ROOT/e2e/cluster.sh" down >/dev/null 2>&1 || true
}
trap cleanup EXIT

say "Installing the chart in local mode and starting the operator and the webhook"
port=$("$MG" version >/dev/null && python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mg_make_certs "$MG_STATE/certs-1" && mkdir -p "$MG_STATE/tls" && cp "$MG_STATE/certs-1"/{ca.crt,tls.crt,tls.key} "$MG_STATE/tls/"
kubectl create namespace modelgate-system --dry-run=client -o yaml | kubectl apply -f - >/dev/null
helm upgrade --install modelgate charts/modelgate -n modelgate-system \
  -f charts/modelgate/ci/local-values.yaml \
  --set webhook.external.url="https://127.0.0.1:$port/validate" \
  --set webhook.external.caBundle="$(base64 -w0 "$MG_STATE/tls/ca.crt")" >/dev/null
# kubectl's discovery logs a transient "couldn't get resource list" while a new CRD's
# group appears; keep that noise out of the tour unless the wait really fails.
kubectl wait --for condition=established --timeout=60s crd/modeladmissions.modelgate.io \
  crd/modeladmissionpolicies.modelgate.io >/dev/null 2>"$MG_STATE/crd-wait.log" ||
  { cat "$MG_STATE/crd-wait.log" >&2; exit 1; }
mg_start_controller
mg_start_webhook "$port"
echo "webhook: $MG_WEBHOOK_URL/validate (operator scans hostPath models inline)"
kubectl get modeladmissionpolicies

say "Sample models, registered as ModelAdmissions in namespace 'demo'"
python3 demo/make-samples.py "$MG_STATE/models"
kubectl create namespace demo --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl apply -n demo -f - >/dev/null <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-dns-only}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]
    ports: [{protocol: UDP, port: 53}]
YAML
register() {  # register NAME DIR [wrong]
  local name=$1 dir=$MG_STATE/models/$2 files="" f sum
  while IFS= read -r f; do
    sum=$(sha256sum "$dir/$f" | cut -d' ' -f1)
    [ "${3:-}" = wrong ] && sum=$(printf 'ab%.0s' $(seq 32))
    files+="  - {path: \"$f\", sha256: \"$sum\"}"$'\n'
  done < <(cd "$dir" && find . -type f | sed 's|^\./||' | sort)
  kubectl apply -n demo -f - >/dev/null <<YAML
apiVersion: modelgate.io/v1alpha1
kind: ModelAdmission
metadata: {name: $name}
spec:
  source: {hostPath: {path: $dir}}
  origin: {huggingFace: {repo: example/$name, revision: 4f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39}}
  files:
$files  format: safetensors
  license: {spdx: Apache-2.0}
YAML
}
cp -r "$MG_STATE/models/clean-safetensors" "$MG_STATE/models/tampered"
register llama-clean clean-safetensors
register pickle-payload pickle-payload
register gguf-template gguf-hostile-template
register tampered tampered wrong
for i in $(seq 1 60); do
  pending=$(kubectl get ma -n demo -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' | grep -cvE '^(Admitted|Rejected|Error)$' || true)
  [ "$pending" = 0 ] && break
  sleep 1
done
kubectl get ma -n demo

workload() {  # workload NAME MODEL [root]
  local psc="securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}"
  local csc="securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}"
  [ "${3:-}" = root ] && psc="securityContext: {}" && csc="securityContext: {}"
  local dir
  dir=$(kubectl get ma "$2" -n demo -o jsonpath='{.spec.source.hostPath.path}')
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1, namespace: demo}
spec:
  replicas: 1
  selector: {matchLabels: {app: $1}}
  template:
    metadata:
      labels: {app: $1}
      annotations: {modelgate.io/models: $2}
    spec:
      $psc
      containers:
      - name: server
        image: registry.example/vllm:0.6
        $csc
        volumeMounts: [{name: weights, mountPath: /models, readOnly: true}]
      volumes:
      - name: weights
        hostPath: {path: $dir}
YAML
}
try() {  # try TITLE NAME MODEL [root]
  say "$1"
  echo "\$ kubectl apply -f $2.yaml   # model: $3"
  if workload "$2" "$3" "${4:-}" | kubectl apply -f - 2>&1; then echo "=> ADMITTED"; else echo "=> REJECTED"; fi
}
try "A hardened server with a clean, pinned SafeTensors model" llama-server llama-clean
try "The same server running as root" llama-root llama-clean root
try "A pickle checkpoint whose __reduce__ calls os.system" pickle-server pickle-payload
try "A GGUF whose chat template escapes the Jinja sandbox" gguf-server gguf-template
try "Files that no longer match their pinned SHA-256" tampered-server tampered
say "An unregistered model volume: modelgate answers with a ModelAdmission to apply"
kubectl apply -f - 2>&1 <<YAML || echo "=> REJECTED"
apiVersion: v1
kind: Pod
metadata: {name: mystery, namespace: demo}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
  - name: server
    image: registry.example/vllm:0.6
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
    volumeMounts: [{name: model-weights, mountPath: /models}]
  volumes:
  - name: model-weights
    hostPath: {path: /mnt/models/mystery}
YAML

say "Inventory: which model runs where"
sleep 2
"$MG" inventory --kubeconfig "$KUBECONFIG" -A || true
