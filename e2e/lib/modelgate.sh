# Runs modelgate's webhook (and operator) as local processes in front of the
# local control plane, and registers the webhook through clientConfig.url on
# 127.0.0.1. Sourced by e2e/run-e2e.sh and scripts/demo.sh.
#
# Needs: MG (the modelgate binary), KUBECONFIG, MG_STATE (a scratch directory).

# mg_make_certs DIR: a CA and a serving certificate for 127.0.0.1 (files ca.crt,
# tls.crt, tls.key). Rotation tests call it again with another DIR.
mg_make_certs() {
  local dir=$1
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=modelgate-e2e-ca" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=modelgate-webhook" -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$dir/ext.cnf"
  openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/ext.cnf" -out "$dir/tls.crt" 2>/dev/null
}

# mg_start_webhook: starts the webhook on a free port with the certs in
# $MG_STATE/tls (the files it watches); sets MG_WEBHOOK_URL and MG_WEBHOOK_PID.
mg_start_webhook() {
  local port=${1:-0}
  mkdir -p "$MG_STATE/tls"
  [ -f "$MG_STATE/tls/tls.crt" ] || { mg_make_certs "$MG_STATE/certs-1" && cp "$MG_STATE/certs-1"/{ca.crt,tls.crt,tls.key} "$MG_STATE/tls/"; }
  : >"$MG_STATE/webhook.out"
  "$MG" webhook --kubeconfig "$KUBECONFIG" --address 127.0.0.1 --port "$port" \
    --metrics-addr 127.0.0.1:0 --own-namespace modelgate-system \
    --tls-cert "$MG_STATE/tls/tls.crt" --tls-key "$MG_STATE/tls/tls.key" \
    >"$MG_STATE/webhook.out" 2>>"$MG_STATE/webhook.log" &
  MG_WEBHOOK_PID=$!
  # Scenarios run in subshells: the pid file lets the parent's cleanup find a
  # webhook that a scenario restarted.
  echo "$MG_WEBHOOK_PID" >"$MG_STATE/webhook.pid"
  local i
  for i in $(seq 1 100); do
    MG_WEBHOOK_URL=$(sed -n 's/^listening //p' "$MG_STATE/webhook.out")
    [ -n "$MG_WEBHOOK_URL" ] && break
    kill -0 "$MG_WEBHOOK_PID" 2>/dev/null || { echo "webhook exited:"; tail -20 "$MG_STATE/webhook.log"; return 1; }
    sleep 0.1
  done
  [ -n "$MG_WEBHOOK_URL" ] || { echo "webhook did not start"; tail -20 "$MG_STATE/webhook.log"; return 1; }
  # Ready once its caches are synced (MG_READY_SECONDS: large caches take longer).
  for i in $(seq 1 $((${MG_READY_SECONDS:-20} * 5))); do
    curl -sf --cacert "$MG_STATE/tls/ca.crt" "$MG_WEBHOOK_URL/readyz" >/dev/null && return 0
    sleep 0.2
  done
  echo "webhook never became ready"
  tail -20 "$MG_STATE/webhook.log"
  return 1
}

mg_stop_webhook() {
  local pid=${MG_WEBHOOK_PID:-}
  [ -f "$MG_STATE/webhook.pid" ] && pid=$(cat "$MG_STATE/webhook.pid")
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  local i=0
  while kill -0 "$pid" 2>/dev/null && [ $((i += 1)) -le 100 ]; do sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$MG_STATE/webhook.pid"
  MG_WEBHOOK_PID=
}

# mg_register_webhook SELECTOR_LABEL: a ValidatingWebhookConfiguration pointing at
# MG_WEBHOOK_URL, limited to namespaces labelled SELECTOR_LABEL=true (so the
# shared test cluster's other namespaces are never affected). It registers the
# same resources as the chart's templates/validatingwebhookconfiguration.yaml.
mg_register_webhook() {
  local label=${1:-modelgate-e2e}
  local ca
  ca=$(base64 -w0 <"$MG_STATE/tls/ca.crt")
  kubectl apply -f - <<YAML
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: modelgate-e2e
webhooks:
- name: pods.modelgate.io
  admissionReviewVersions: ["v1"]
  sideEffects: NoneOnDryRun
  failurePolicy: Fail
  timeoutSeconds: 5
  clientConfig:
    url: ${MG_WEBHOOK_URL}/validate
    caBundle: ${ca}
  namespaceSelector:
    matchLabels: {${label}: "true"}
  rules:
  - apiGroups: [""]
    apiVersions: ["v1"]
    operations: ["CREATE", "UPDATE"]
    resources: ["pods", "pods/ephemeralcontainers", "replicationcontrollers"]
  - apiGroups: ["apps"]
    apiVersions: ["v1"]
    operations: ["CREATE", "UPDATE"]
    resources: ["deployments", "statefulsets", "daemonsets", "replicasets"]
  - apiGroups: ["batch"]
    apiVersions: ["v1", "v1beta1"]
    operations: ["CREATE", "UPDATE"]
    resources: ["jobs", "cronjobs"]
YAML
}

mg_unregister_webhook() {
  kubectl delete validatingwebhookconfiguration modelgate-e2e --ignore-not-found >/dev/null
}

# mg_start_controller: the operator, scanning hostPath models inline, without
# leader election; sets MG_CONTROLLER_PID.
mg_start_controller() {
  "$MG" controller --kubeconfig "$KUBECONFIG" --scan-mode inline --no-leader-election \
    --metrics-addr 127.0.0.1:0 --health-addr "" >>"$MG_STATE/controller.log" 2>&1 &
  MG_CONTROLLER_PID=$!
  echo "$MG_CONTROLLER_PID" >"$MG_STATE/controller.pid"
  sleep 0.5
  kill -0 "$MG_CONTROLLER_PID" 2>/dev/null || { echo "controller exited:"; tail -20 "$MG_STATE/controller.log"; return 1; }
}

mg_stop_controller() {
  local pid=${MG_CONTROLLER_PID:-}
  [ -f "$MG_STATE/controller.pid" ] && pid=$(cat "$MG_STATE/controller.pid")
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  local i=0
  while kill -0 "$pid" 2>/dev/null && [ $((i += 1)) -le 100 ]; do sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$MG_STATE/controller.pid"
  MG_CONTROLLER_PID=
}
