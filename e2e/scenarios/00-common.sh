# Shared fixtures for the scenarios (sourced by run-e2e.sh after setup).
SCENARIOS=()

# A NetworkPolicy in $NS that restricts egress of every pod to DNS.
kubectl apply -n "$NS" -f - >/dev/null <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-dns-only}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
    ports: [{protocol: UDP, port: 53}]
YAML

# model NAME DIR [REVISION] [PIN]: a ModelAdmission for the sample model in DIR
# (hostPath), pinning every file's SHA-256 (PIN=wrong pins a wrong hash, PIN=none
# pins nothing); waits until the operator has scanned it. Environment overrides:
# MODEL_LICENSE (spdx), MODEL_FLOPS, MODEL_SUMMARY="" (no training-data summary),
# MODEL_EXTRA (more spec YAML, indented by two spaces), MODEL_NOWAIT=1.
model() {
  # Each ModelAdmission gets its own copy: a volume binds every ModelAdmission
  # with the same source, and scenarios must not see each other's models.
  local name=$1 dir=$MG_STATE/ma/$NS-$1 revision=${3:-0123456789abcdef0123456789abcdef01234567} pin=${4:-good}
  local files="" f sum
  rm -rf "$dir" && mkdir -p "$dir" && cp -r "$MG_STATE/models/$2/." "$dir/"
  if [ "$pin" != none ]; then
    files="  files:"$'\n'
    while IFS= read -r f; do
      sum=$(sha256sum "$dir/$f" | cut -d' ' -f1)
      [ "$pin" = wrong ] && sum=$(printf "ab%.0s" $(seq 32))
      files+="  - {path: \"$f\", sha256: \"$sum\"}"$'\n'
    done < <(cd "$dir" && find . -type f | sed 's|^\./||' | sort)
  fi
  kubectl apply -n "$NS" -f - <<YAML
apiVersion: modelgate.io/v1alpha1
kind: ModelAdmission
metadata: {name: $name}
spec:
  source: {hostPath: {path: $dir}}
  origin: {huggingFace: {repo: example/$name, revision: $revision}}
$files  format: safetensors
  license: {spdx: ${MODEL_LICENSE:-Apache-2.0}}
  compliance: {${MODEL_SUMMARY-trainingDataSummary: https://example.com/data-summary, }trainingComputeFlops: ${MODEL_FLOPS:-1.0e21}}
${MODEL_EXTRA:-}
YAML
  [ -n "${MODEL_NOWAIT:-}" ] || wait_for 60 scanned "$name"
}

# policy NAME ENFORCEMENT [RULES_YAML]: a ModelAdmissionPolicy selecting the e2e
# namespaces (it replaces the built-in default there while it exists).
policy() {
  kubectl apply -f - <<YAML
apiVersion: modelgate.io/v1alpha1
kind: ModelAdmissionPolicy
metadata: {name: $1}
spec:
  enforcement: $2
  namespaceSelector: {matchLabels: {modelgate-e2e: "true"}}
  ${3:-}
YAML
  sleep 1  # the webhook's watch cache picks it up
}

# scanned NAME: the operator wrote a finished scan of the current generation.
scanned() {
  local out
  out=$(kubectl get ma "$1" -n "$NS" -o jsonpath='{.metadata.generation} {.status.observedGeneration} {.status.phase}')
  set -- $out
  [ "$1" = "${2:-}" ] && [[ ${3:-} =~ ^(Admitted|Rejected|Error)$ ]]
}

# pod NAME MODEL [insecure] [NAMESPACE]: a Pod mounting MODEL's hostPath at /models,
# tied to it by annotation; secure (non-root, no escalation, drop ALL) unless
# the third argument is "insecure".
pod() {
  local name=$1 model=$2 mode=${3:-secure} ns=${4:-$NS}
  local dir
  dir=$(kubectl get ma "$model" -n "$ns" -o jsonpath='{.spec.source.hostPath.path}' 2>/dev/null || echo /mnt/models/$model)
  local psc="securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}"
  local csc="securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}"
  if [ "$mode" = insecure ]; then psc="securityContext: {}"; csc="securityContext: {privileged: true}"; fi
  cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $name
  namespace: $ns
  labels: {app: llm}
  annotations: {modelgate.io/models: $model}
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
