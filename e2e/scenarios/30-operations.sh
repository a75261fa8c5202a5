# Operations: scan on demand, fail-closed restarts, certificate rotation.

s_unscanned_then_admitted() {
  mg_stop_controller
  trap 'mg_start_controller' EXIT
  MODEL_NOWAIT=1 model late clean-safetensors
  pod p-late late | apply_expect_denied MG002 -- apply -f -
  # A Deployment may be applied before the scan finishes (GitOps applies both
  # together): it is admitted with a warning, and its ReplicaSet's pod creation
  # is denied until the operator has scanned the model.
  cat <<YAML | kubectl apply -f - 2>&1 | tee "$MG_STATE/late-deploy.out"
apiVersion: apps/v1
kind: Deployment
metadata: {name: d-late, namespace: $NS}
spec:
  replicas: 1
  selector: {matchLabels: {app: d-late}}
  template:
    metadata:
      labels: {app: d-late}
      annotations: {modelgate.io/models: late}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000}
      containers:
      - name: server
        image: vllm
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
        volumeMounts: [{name: weights, mountPath: /models, readOnly: true}]
      volumes:
      - name: weights
        hostPath: {path: $MG_STATE/ma/$NS-late}
YAML
  grep -q "created" "$MG_STATE/late-deploy.out"
  grep -q "MG002" "$MG_STATE/late-deploy.out"
  sleep 3
  [ -z "$(kubectl get pods -n "$NS" -l app=d-late -o name)" ]   # the RS was denied so far
  mg_start_controller
  trap - EXIT
  wait_for 60 scanned late
  # The ReplicaSet controller retries with backoff; the pod appears once admitted.
  wait_for 120 bash -c "[ -n \"\$(kubectl get pods -n $NS -l app=d-late -o name)\" ]"
}
SCENARIOS+=("unscanned model: MG002 until the operator scans it, then the ReplicaSet's retry creates the pod|s_unscanned_then_admitted")

s_webhook_restart_fail_closed() {
  local port=${MG_WEBHOOK_URL##*:}
  kubectl create ns "$NS_OPEN-free" >/dev/null
  trap 'kubectl delete ns "$NS_OPEN-free" --wait=false >/dev/null 2>&1' EXIT
  local i ok_model=0 denied_down=0 ok_free=0
  for i in 1 2 3; do
    pod "p-stream-$i" clean | kubectl create --dry-run=server -f - >/dev/null && ok_model=$((ok_model + 1))
  done
  mg_stop_webhook
  for i in 4 5 6; do
    if pod "p-stream-$i" clean | kubectl create --dry-run=server -f - 2>"$MG_STATE/down.err" >/dev/null; then
      echo "a model pod was admitted while the webhook was down"; return 1
    fi
    grep -q "failed calling webhook" "$MG_STATE/down.err" && denied_down=$((denied_down + 1))
    # Namespaces outside the webhook's selector are unaffected.
    kubectl run "free-$i" -n "$NS_OPEN-free" --image=nginx --restart=Never >/dev/null && ok_free=$((ok_free + 1))
  done
  mg_start_webhook "$port"
  for i in 7 8 9; do
    pod "p-stream-$i" clean | kubectl create --dry-run=server -f - >/dev/null && ok_model=$((ok_model + 1))
  done
  echo "admitted before/after: $ok_model/6, denied while down: $denied_down/3, other namespace: $ok_free/3"
  [ "$ok_model" = 6 ] && [ "$denied_down" = 3 ] && [ "$ok_free" = 3 ]
}
SCENARIOS+=("webhook restart: model pods fail closed while it is down, other namespaces unaffected|s_webhook_restart_fail_closed")

s_cert_rotation() {
  # A new serving certificate from the same CA replaces the files mid-stream.
  local d=$MG_STATE/certs-rotated i failed=0
  mkdir -p "$d"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=modelgate-webhook-2" \
    -keyout "$d/tls.key" -out "$d/tls.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >"$d/ext.cnf"
  openssl x509 -req -in "$d/tls.csr" -CA "$MG_STATE/certs-1/ca.crt" -CAkey "$MG_STATE/certs-1/ca.key" \
    -CAcreateserial -days 2 -extfile "$d/ext.cnf" -out "$d/tls.crt" 2>/dev/null
  local before after
  before=$(echo | openssl s_client -connect "${MG_WEBHOOK_URL#https://}" 2>/dev/null | openssl x509 -noout -fingerprint)
  for i in $(seq 1 30); do
    if [ "$i" = 10 ]; then
      # Key first, then certificate, each replaced atomically (as kubelet does with a
      # symlink swap); the store keeps the old pair until both match.
      cp "$d/tls.key" "$MG_STATE/tls/tls.key.new" && mv "$MG_STATE/tls/tls.key.new" "$MG_STATE/tls/tls.key"
      cp "$d/tls.crt" "$MG_STATE/tls/tls.crt.new" && mv "$MG_STATE/tls/tls.crt.new" "$MG_STATE/tls/tls.crt"
    fi
    pod "p-rot-$i" clean | kubectl create --dry-run=server -f - >/dev/null 2>>"$MG_STATE/rot.err" || failed=$((failed + 1))
    sleep 0.1
  done
  after=$(echo | openssl s_client -connect "${MG_WEBHOOK_URL#https://}" 2>/dev/null | openssl x509 -noout -fingerprint)
  echo "failed requests: $failed; certificate before: $before; after: $after"
  cat "$MG_STATE/rot.err" 2>/dev/null | tail -3
  [ "$failed" = 0 ] && [ "$before" != "$after" ]
}
SCENARIOS+=("certificate rotation with no failed request|s_cert_rotation")
