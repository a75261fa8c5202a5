# modelgate's own scan Jobs (operator --scan-mode job) against a webhook started with
# --scanner-image (docs/policy.md, "Scanner pods"): a pod of exactly the scan-Job shape
# is admitted although its model is not scanned, a lookalike with a writable mount is
# denied MG002, and a real Job's pod (created by the Job controller, so with the API
# server's defaults) is admitted while a lookalike Job's pod never appears.
#
# Self-contained: its own namespace (not labelled modelgate-e2e, so the suite's webhook
# never sees it), its own Enforce policy, and its own webhook process and registration;
# all removed at the end.

SCAN_IMAGE="registry.example/modelgate@sha256:$(printf 'e%.0s' $(seq 64))"

# scan_pod NAME MOUNT_READONLY: the pod controller::BuildScanJob gives the Job controller.
scan_pod() {
  cat <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: $1
  labels: {modelgate.io/scan-job: "true", app.kubernetes.io/component: scan-job}
spec:
$(scan_pod_spec "$2" | sed 's/^/  /')
YAML
}

# scan_pod_spec MOUNT_READONLY: the pod spec of the operator's scan Job.
scan_pod_spec() {
  cat <<YAML
restartPolicy: Never
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  runAsNonRoot: true
  runAsUser: 65532
  runAsGroup: 65532
  fsGroup: 65532
  seccompProfile: {type: RuntimeDefault}
containers:
- name: scan
  image: $SCAN_IMAGE
  imagePullPolicy: IfNotPresent
  args: [scan, /model, --output, json, --no-progress]
  volumeMounts: [{name: model, mountPath: /model, readOnly: $1}]
  resources:
    limits: {cpu: "1", memory: 1Gi}
    requests: {cpu: 100m, memory: 128Mi}
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    allowPrivilegeEscalation: false
    privileged: false
    readOnlyRootFilesystem: true
    capabilities: {drop: [ALL]}
    seccompProfile: {type: RuntimeDefault}
  terminationMessagePolicy: File
volumes:
- name: model
  hostPath: {path: $SCAN_MODEL_DIR}
YAML
}

scan_job() {
  cat <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: $1
  labels: {modelgate.io/scan-job: "true"}
spec:
  backoffLimit: 0
  template:
    metadata:
      labels: {modelgate.io/scan-job: "true", job: $1}
    spec:
$(scan_pod_spec "$2" | sed 's/^/      /')
YAML
}

# cleanup_scan_jobs NAMESPACE PID_FILE: removes what s_scan_jobs_by_shape made and
# stops its webhook (by the pid it recorded).
cleanup_scan_jobs() {
  kubectl delete validatingwebhookconfiguration modelgate-e2e-scan-jobs --ignore-not-found >/dev/null 2>&1
  kubectl delete modeladmissionpolicy e2e-scan-jobs --ignore-not-found >/dev/null 2>&1
  kubectl delete ns "$1" --wait=false >/dev/null 2>&1
  if [ -f "$2" ]; then
    kill "$(cat "$2")" 2>/dev/null || true
    rm -f "$2"
  fi
}

s_scan_jobs_by_shape() {
  local ns="$NS-scan" pid_file="$MG_STATE/scan-webhook.pid" out="$MG_STATE/scan-webhook.out"
  SCAN_MODEL_DIR="$MG_STATE/scan-jobs/not-there"  # never scannable: the model stays not scanned (MG002)
  # The EXIT trap runs after this function's locals are gone: it gets its values now.
  trap "cleanup_scan_jobs '$ns' '$pid_file'" EXIT

  kubectl create ns "$ns" >/dev/null
  kubectl label ns "$ns" modelgate-e2e-scan=true >/dev/null
  wait_for 60 kubectl get serviceaccount default -n "$ns"
  # What the chart renders in each model namespace for scan pods: no ingress, no egress.
  kubectl apply -n "$ns" -f - >/dev/null <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: modelgate-scan-job-isolation}
spec:
  podSelector: {matchLabels: {modelgate.io/scan-job: "true"}}
  policyTypes: [Ingress, Egress]
YAML
  kubectl apply -f - >/dev/null <<'YAML'
apiVersion: modelgate.io/v1alpha1
kind: ModelAdmissionPolicy
metadata: {name: e2e-scan-jobs}
spec:
  enforcement: Enforce
  namespaceSelector: {matchLabels: {modelgate-e2e-scan: "true"}}
YAML
  kubectl apply -n "$ns" -f - >/dev/null <<YAML
apiVersion: modelgate.io/v1alpha1
kind: ModelAdmission
metadata: {name: late}
spec:
  source: {hostPath: {path: $SCAN_MODEL_DIR}}
  origin: {huggingFace: {repo: example/late, revision: 0123456789abcdef0123456789abcdef01234567}}
  files: [{path: model.safetensors, sha256: "$(printf 'ab%.0s' $(seq 32))"}]
  format: safetensors
YAML

  # A webhook that knows the operator's scanner image, for this namespace only.
  "$MG" webhook --kubeconfig "$KUBECONFIG" --address 127.0.0.1 --port 0 \
    --metrics-addr 127.0.0.1:0 --own-namespace modelgate-system --scanner-image "$SCAN_IMAGE" \
    --tls-cert "$MG_STATE/tls/tls.crt" --tls-key "$MG_STATE/tls/tls.key" \
    >"$out" 2>>"$MG_STATE/scan-webhook.log" &
  echo $! >"$pid_file"
  wait_for 20 grep -q '^listening ' "$out"
  local url
  url=$(sed -n 's/^listening //p' "$out")
  wait_for 20 curl -sf --cacert "$MG_STATE/tls/ca.crt" "$url/readyz"
  kubectl apply -f - >/dev/null <<YAML
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: modelgate-e2e-scan-jobs}
webhooks:
- name: scan-jobs.modelgate.io
  admissionReviewVersions: ["v1"]
  sideEffects: NoneOnDryRun
  failurePolicy: Fail
  timeoutSeconds: 5
  clientConfig:
    url: $url/validate
    caBundle: $(base64 -w0 <"$MG_STATE/tls/ca.crt")
  namespaceSelector: {matchLabels: {modelgate-e2e-scan: "true"}}
  rules:
  - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"]}
  - {apiGroups: ["batch"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["jobs"]}
YAML
  sleep 1  # the webhook's caches see the policy, the model and the NetworkPolicy

  local m="$MG_STATE/scan-jobs"
  mkdir -p "$m"
  scan_pod lookalike false >"$m/lookalike.yaml"
  scan_pod scanner true >"$m/scanner.yaml"
  scan_pod token true | sed 's/automountServiceAccountToken: false/automountServiceAccountToken: true/' >"$m/token.yaml"
  scan_job scan-ok true >"$m/job-ok.yaml"
  scan_job scan-rw false >"$m/job-rw.yaml"

  # The API server picks up a new webhook registration within a moment: wait until the
  # lookalike is refused (a server-side dry run creates nothing meanwhile).
  wait_for 30 bash -c "! kubectl create --dry-run=server -n $ns -f $m/lookalike.yaml"
  apply_expect_denied MG002 -- apply -n "$ns" -f "$m/lookalike.yaml"
  apply_expect_allowed apply -n "$ns" -f "$m/scanner.yaml"
  cat "$out" "$MG_STATE/scan-webhook.log" | grep -q 'scan pods running .* are recognised by shape'
  # The same shape with a token automounted is an ordinary pod again.
  apply_expect_denied MG002 -- apply -n "$ns" -f "$m/token.yaml"

  # Jobs: the Job controller creates the pods (with the API server's defaults) and the
  # webhook judges each one. The lookalike Job is admitted (MG002 only warns on
  # templates) but its pod is denied, so it never appears.
  apply_expect_allowed apply -n "$ns" -f "$m/job-ok.yaml"
  apply_expect_allowed apply -n "$ns" -f "$m/job-rw.yaml"
  wait_for 60 bash -c "[ -n \"\$(kubectl get pods -n $ns -l job=scan-ok -o name)\" ]"
  wait_for 60 bash -c "kubectl get events -n $ns --field-selector involvedObject.name=scan-rw -o jsonpath='{.items[*].message}' | grep -q MG002"
  [ -z "$(kubectl get pods -n "$ns" -l job=scan-rw -o name)" ]
  echo "scan Job pod: $(kubectl get pods -n "$ns" -l job=scan-ok -o name); lookalike Job: no pod (MG002)"
}
SCENARIOS+=("scan Jobs: the operator's scan pod shape is admitted, a writable-mount lookalike is denied MG002|s_scan_jobs_by_shape")
