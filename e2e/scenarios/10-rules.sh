# One scenario per rule: triggered, and satisfied. Models are scanned by the
# real operator from files the harness wrote.

s_clean_model_admitted() {
  model clean clean-safetensors
  [ "$(kubectl get ma clean -n "$NS" -o jsonpath='{.status.phase}')" = Admitted ]
  pod p-clean clean | apply_expect_allowed apply -f -
}
SCENARIOS+=("compliant pod with a scanned, pinned SafeTensors model is admitted|s_clean_model_admitted")

s_mg001_unregistered() {
  local out
  out=$(cat <<YAML | kubectl apply -f - 2>&1 || true
apiVersion: v1
kind: Pod
metadata: {name: p-unreg, namespace: $NS}
spec:
  securityContext: {runAsNonRoot: true}
  containers:
  - name: server
    image: vllm
    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
    volumeMounts: [{name: model-weights, mountPath: /models}]
  volumes:
  - name: model-weights
    hostPath: {path: /mnt/models/unknown}
YAML
)
  echo "$out"
  grep -q MG001 <<<"$out"
  grep -q "kind: ModelAdmission" <<<"$out"   # the ready-to-apply snippet
}
SCENARIOS+=("MG001 model volume without a ModelAdmission is denied with a snippet|s_mg001_unregistered")

s_mg003_pickle_payload() {
  model evil pickle-payload
  [ "$(kubectl get ma evil -n "$NS" -o jsonpath='{.status.phase}')" = Rejected ]
  pod p-evil evil | apply_expect_denied MG003 MG004 -- apply -f -
}
SCENARIOS+=("MG003/MG004 pickle with a payload is denied|s_mg003_pickle_payload")

s_mg003_hostile_template() {
  model tmpl gguf-hostile-template
  pod p-tmpl tmpl | apply_expect_denied MG003 -- apply -f -
}
SCENARIOS+=("MG003 GGUF with a hostile chat template is denied|s_mg003_hostile_template")

s_mg005_wrong_hash() {
  model wronghash clean-safetensors 0123456789abcdef0123456789abcdef01234567 wrong
  pod p-wrong wronghash | apply_expect_denied MG005 -- apply -f -
}
SCENARIOS+=("MG005 files differing from the pinned hashes are denied|s_mg005_wrong_hash")

s_mg006_no_pins() {
  model nopins clean-safetensors 0123456789abcdef0123456789abcdef01234567 none
  pod p-nopins nopins | apply_expect_denied MG006 -- apply -f -
}
SCENARIOS+=("MG006 model without pinned hashes is denied|s_mg006_no_pins")

s_mg007_branch() {
  model branch clean-safetensors main
  pod p-branch branch | apply_expect_denied MG007 -- apply -f -
}
SCENARIOS+=("MG007 origin revision that is a branch is denied|s_mg007_branch")

s_mg009_to_011_root() {
  pod p-root clean insecure | apply_expect_denied MG009 MG010 MG011 -- apply -f -
}
SCENARIOS+=("MG009/MG010/MG011 privileged root container is denied|s_mg009_to_011_root")

s_mg012_no_egress_policy() {
  # Same clean model, but in a namespace with no NetworkPolicy. The annotation
  # names a ModelAdmission of that namespace, so register the model there too.
  kubectl get ma clean -n "$NS" -o json | python3 -c '
import json,sys; o=json.load(sys.stdin)
print(json.dumps({"apiVersion":o["apiVersion"],"kind":o["kind"],"metadata":{"name":"clean"},"spec":o["spec"]}))' |
    kubectl apply -n "$NS_OPEN" -f -
  wait_for 60 bash -c "[ \"\$(kubectl get ma clean -n $NS_OPEN -o jsonpath='{.status.phase}')\" = Admitted ]"
  pod p-open clean secure "$NS_OPEN" | apply_expect_denied MG012 -- apply -f -
}
SCENARIOS+=("MG012 model pod without an egress-restricting NetworkPolicy is denied|s_mg012_no_egress_policy")

s_deployment_rejected_at_apply() {
  cat <<YAML | apply_expect_denied MG009 -- apply -f -
apiVersion: apps/v1
kind: Deployment
metadata: {name: d-root, namespace: $NS}
spec:
  replicas: 1
  selector: {matchLabels: {app: d-root}}
  template:
    metadata:
      labels: {app: d-root}
      annotations: {modelgate.io/models: clean}
    spec:
      containers:
      - name: server
        image: vllm
        volumeMounts: [{name: weights, mountPath: /models}]
      volumes:
      - name: weights
        hostPath: {path: $MG_STATE/ma/$NS-clean}
YAML
}
SCENARIOS+=("Deployment with a root container is rejected at kubectl apply|s_deployment_rejected_at_apply")

# rc NAME MODEL [insecure]: a ReplicationController whose template is `pod NAME MODEL`.
rc() {
  pod "$1" "$2" "${3:-secure}" | python3 -c '
import sys, yaml
p = yaml.safe_load(sys.stdin)
name, ns = p["metadata"]["name"], p["metadata"]["namespace"]
template = {"metadata": {"labels": {"app": name}, "annotations": p["metadata"]["annotations"]}, "spec": p["spec"]}
print(yaml.safe_dump({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": name, "namespace": ns},
                      "spec": {"replicas": 1, "selector": {"app": name}, "template": template}}))
'
}

s_replicationcontroller_rejected_at_apply() {
  # Without its own registration the RC would be created and only its pods refused.
  model rcmodel clean-safetensors
  rc rc-root rcmodel insecure | apply_expect_denied MG009 MG010 MG011 -- apply -f -
  ! kubectl get rc rc-root -n "$NS" 2>/dev/null
  # Control: the same template, hardened, is admitted, so the denial came from judging it.
  rc rc-secure rcmodel | apply_expect_allowed apply -f -
}
SCENARIOS+=("ReplicationController with a root container is rejected at kubectl apply|s_replicationcontroller_rejected_at_apply")
