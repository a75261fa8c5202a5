#!/usr/bin/env bash
# Test suite "chart" (scripts/test.sh runs it as `bash chart.sh BUILD_DIR`):
#   1. scripts/chart-check.sh: offline chart checks (lint, template, manifests, values).
#   2. Against a Kubernetes API server: helm install of charts/modelgate in a fresh
#      namespace, the objects exist and the caBundle verifies the serving certificate;
#      helm upgrade keeps the CA and certificate Secrets byte for byte; an upgrade inside
#      the renewal window renews the certificate (same CA), then the CA (old CA kept in the
#      caBundle); a local-mode release points the webhook configuration at a URL;
#      helm uninstall removes everything.
#
# Which cluster (same rule as e2e/run-integration.sh): MODELGATE_USE_EXISTING=1 with a
# reachable $KUBECONFIG uses that cluster; otherwise the local control plane
# (e2e/cluster.sh), reused when up, else started here and stopped at the end.
#
# The releases must not disturb anything else on a shared cluster: their webhook
# configurations and policies select only namespaces labelled with this run's
# modelgate.io/chart-test value (no namespace has it), and every name is unique per run.
# The CRDs stay installed afterwards (Helm never deletes CRDs).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
build=${1:-$root/build}

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "PASS  $*"; }
bad() { failed=$((failed + 1)); echo "FAIL  $*"; }
finish() {
  echo "chart suite: $passed passed, $failed failed"
  ((failed == 0))
  exit
}

# ---------------------------------------------------------------- offline checks
echo "--- scripts/chart-check.sh"
if bash scripts/chart-check.sh "$build"; then ok "chart-check.sh"; else bad "chart-check.sh"; fi

# ---------------------------------------------------------------- cluster
echo "--- helm install / upgrade / uninstall against a cluster"
bash e2e/install-tools.sh >/dev/null || { bad "e2e/install-tools.sh"; finish; }
tools="${MODELGATE_CACHE:-$HOME/.cache/modelgate}/tools/bin"
helm="$tools/helm"
kubectl="$tools/kubectl"
started=0
if [ "${MODELGATE_USE_EXISTING:-0}" = "1" ] && [ -n "${KUBECONFIG:-}" ]; then
  echo "using the existing cluster from KUBECONFIG=$KUBECONFIG"
else
  if ! bash e2e/cluster.sh status >/dev/null 2>&1; then
    echo "starting the local control plane (e2e/cluster.sh up)"
    if ! { bash e2e/cluster.sh install >/dev/null && bash e2e/cluster.sh up; }; then
      bad "e2e/cluster.sh up"
      bash e2e/cluster.sh down >/dev/null 2>&1
      finish
    fi
    started=1
  else
    echo "reusing the running local control plane"
  fi
  eval "$(bash e2e/cluster.sh env)"
fi
if ! "$kubectl" get --raw /readyz >/dev/null 2>&1; then
  bad "the API server does not answer /readyz"
  finish
fi

tag="t$(date +%s)$$"
ns="mg-chart-$tag"
rel="mgc-$tag"
localrel="mgl-$tag"
work=$(mktemp -d)
cleanup() {
  "$helm" uninstall "$rel" -n "$ns" >/dev/null 2>&1
  "$helm" uninstall "$localrel" -n "$ns" >/dev/null 2>&1
  "$kubectl" delete namespace "$ns" --wait=false >/dev/null 2>&1
  rm -rf "$work"
  if ((started)); then bash e2e/cluster.sh down >/dev/null 2>&1; fi
}
trap cleanup EXIT

# Values that keep this release from affecting any other namespace or test.
scope=(--set-string "webhook.namespaceSelector.matchLabels.modelgate\.io/chart-test=$tag"
  --set-string "defaultPolicy.namespaceSelector.matchLabels.modelgate\.io/chart-test=$tag"
  --set "defaultPolicy.name=chart-test-$tag")
chart=charts/modelgate
full="$rel-modelgate"

secret_data() { "$kubectl" -n "$ns" get secret "$1" -o jsonpath='{.data}' 2>/dev/null; }
secret_field() { "$kubectl" -n "$ns" get secret "$1" -o jsonpath="{.data.${2//./\\.}}" | base64 -d; }
bundle() { "$kubectl" get validatingwebhookconfiguration "$1" -o jsonpath="{.webhooks[$2].clientConfig.caBundle}" | base64 -d; }
# verify_chain: the serving certificate verifies against both webhooks' caBundle.
verify_chain() {
  secret_field "$full-webhook-tls" tls.crt >"$work/cert.pem"
  bundle "$full" 0 >"$work/bundle0.pem"
  bundle "$full" 1 >"$work/bundle1.pem"
  openssl verify -CAfile "$work/bundle0.pem" "$work/cert.pem" >/dev/null 2>&1 &&
    cmp -s "$work/bundle0.pem" "$work/bundle1.pem"
}
expect() {  # description, then a command
  local what=$1
  shift
  if "$@" >"$work/expect.out" 2>&1; then ok "$what"; else bad "$what"; sed 's/^/      | /' "$work/expect.out" | tail -15; fi
}

if "$helm" install "$rel" "$chart" -n "$ns" --create-namespace "${scope[@]}" >"$work/install.out" 2>&1; then
  ok "helm install $rel -n $ns"
else
  bad "helm install $rel -n $ns"
  sed 's/^/      | /' "$work/install.out"
  finish
fi
grep -q "Check that it works" "$work/install.out" && ok "NOTES.txt printed" || bad "NOTES.txt printed"
expect "NOTES.txt says keyless signatures are never Verified without a trusted root" \
  grep -q "no Sigstore trusted root" "$work/install.out"
server_minor=$("$kubectl" version -o json 2>/dev/null | python3 -c 'import json,sys; print(int("".join(c for c in json.load(sys.stdin)["serverVersion"]["minor"] if c.isdigit())))')
if ((server_minor < 21)); then
  expect "NOTES.txt tells a 1.20 admin to label the excluded namespaces" grep -q "modelgate.io/ignore=true" "$work/install.out"
fi

expect "CRDs installed" "$kubectl" get crd modeladmissions.modelgate.io modeladmissionpolicies.modelgate.io
expect "Deployments, Services, ServiceAccounts exist" "$kubectl" -n "$ns" get \
  "deployment/$full-webhook" "deployment/$full-controller" "service/$full-webhook" \
  "serviceaccount/$full-webhook" "serviceaccount/$full-controller"
expect "webhook Deployment has 2 replicas" test "$("$kubectl" -n "$ns" get deploy "$full-webhook" -o jsonpath='{.spec.replicas}')" = 2
expect "PodDisruptionBudget, NetworkPolicies, leader-election Role exist" "$kubectl" -n "$ns" get \
  "pdb/$full-webhook" "networkpolicy/$full-webhook" "networkpolicy/$full-controller" "role/$full-controller-leader-election"
pdb_api=$("$helm" get manifest "$rel" -n "$ns" | python3 -c 'import sys,yaml; print(*[d["apiVersion"] for d in yaml.safe_load_all(sys.stdin) if d and d["kind"]=="PodDisruptionBudget"])')
if ((server_minor < 21)); then want_pdb=policy/v1beta1; else want_pdb=policy/v1; fi
expect "PodDisruptionBudget rendered as $want_pdb for this server (1.$server_minor)" test "$pdb_api" = "$want_pdb"
expect "ClusterRoles and bindings exist" "$kubectl" get "clusterrole/$full-webhook" "clusterrole/$full-controller" \
  "clusterrolebinding/$full-webhook" "clusterrolebinding/$full-controller"
expect "the default policy exists (as chart-test-$tag)" "$kubectl" get modeladmissionpolicy "chart-test-$tag"
expect "webhook ServiceAccount may patch ModelAdmissions but not create Pods" bash -c "
  '$kubectl' auth can-i patch modeladmissions.modelgate.io --as=system:serviceaccount:$ns:$full-webhook -n default | grep -qx yes &&
  ! '$kubectl' auth can-i create pods --as=system:serviceaccount:$ns:$full-webhook -n default >/dev/null"
expect "controller ServiceAccount may update ModelAdmission status and its Lease only in $ns" bash -c "
  '$kubectl' auth can-i update modeladmissions.modelgate.io/status --as=system:serviceaccount:$ns:$full-controller -n default | grep -qx yes &&
  '$kubectl' auth can-i update leases.coordination.k8s.io/$full-controller --as=system:serviceaccount:$ns:$full-controller -n $ns | grep -qx yes &&
  ! '$kubectl' auth can-i update leases.coordination.k8s.io/$full-controller --as=system:serviceaccount:$ns:$full-controller -n default >/dev/null"
# controller.rbac.readSignatureKeys (default true): spec.signature.publicKey names a key
# Secret or ConfigMap in any namespace; the operator may read one by name, never list them.
can_i() { "$kubectl" auth can-i "$1" "$2" --as="system:serviceaccount:$ns:$full-$3" -n "$4" 2>/dev/null | grep -qx yes; }
signature_keys_readable() {
  can_i get secrets controller default && can_i get configmaps controller kube-public &&
    ! can_i list secrets controller default && ! can_i watch configmaps controller default &&
    ! can_i get secrets webhook default
}
expect "controller ServiceAccount may get Secrets and ConfigMaps in another namespace, but not list or watch them" \
  signature_keys_readable
expect "NetworkPolicy egress to the API server names its addresses (found by lookup)" bash -c \
  "'$kubectl' -n '$ns' get networkpolicy '$full-webhook' -o jsonpath='{.spec.egress[0].to[*].ipBlock.cidr}' | grep -q /32"
expect "the serving certificate verifies against the VWC caBundle" verify_chain
expect "VWC selects only this run's namespaces" bash -c \
  "'$kubectl' get validatingwebhookconfiguration '$full' -o jsonpath='{.webhooks[0].namespaceSelector.matchLabels}' | grep -q '$tag'"

ca_before=$(secret_data "$full-ca")
tls_before=$(secret_data "$full-webhook-tls")
bundle_before=$(bundle "$full" 0)

# A plain upgrade (with a real change) keeps the TLS material.
if "$helm" upgrade "$rel" "$chart" -n "$ns" "${scope[@]}" --set webhook.replicas=3 >"$work/upgrade.out" 2>&1; then
  ok "helm upgrade $rel (webhook.replicas=3)"
else
  bad "helm upgrade $rel"
  sed 's/^/      | /' "$work/upgrade.out"
fi
expect "upgrade applied (3 webhook replicas)" test "$("$kubectl" -n "$ns" get deploy "$full-webhook" -o jsonpath='{.spec.replicas}')" = 3
expect "upgrade kept the CA Secret unchanged" test "$(secret_data "$full-ca")" = "$ca_before"
expect "upgrade kept the serving-certificate Secret unchanged" test "$(secret_data "$full-webhook-tls")" = "$tls_before"
expect "upgrade kept the caBundle unchanged" test "$(bundle "$full" 0)" = "$bundle_before"
expect "the caBundle still verifies the serving certificate" verify_chain

# Renewal window: pretend the serving certificate expires tomorrow. Helm 4 applies
# server-side, and the annotation kubectl wrote belongs to another field manager, so
# these upgrades take it back with --force-conflicts.
soon=$(($(date +%s) + 86400))
pretend_expiry() { "$kubectl" -n "$ns" annotate secret "$1" --overwrite "modelgate.io/not-after=$soon" >/dev/null; }
pretend_expiry "$full-webhook-tls"
"$helm" upgrade "$rel" "$chart" -n "$ns" "${scope[@]}" --force-conflicts >"$work/renew.out" 2>&1 || { bad "helm upgrade (certificate renewal)"; sed 's/^/      | /' "$work/renew.out"; }
expect "a certificate inside the renewal window is renewed" test "$(secret_data "$full-webhook-tls")" != "$tls_before"
expect "... by the same CA (CA Secret and caBundle unchanged)" test "$(secret_data "$full-ca")" = "$ca_before" -a "$(bundle "$full" 0)" = "$bundle_before"
expect "... and the caBundle verifies the new certificate" verify_chain
cp "$work/cert.pem" "$work/cert-old-ca.pem"

# CA renewal: the old CA stays trusted next to the new one.
pretend_expiry "$full-ca"
"$helm" upgrade "$rel" "$chart" -n "$ns" "${scope[@]}" --force-conflicts >"$work/renew-ca.out" 2>&1 || { bad "helm upgrade (CA renewal)"; sed 's/^/      | /' "$work/renew-ca.out"; }
expect "a CA inside the renewal window is renewed" test "$(secret_data "$full-ca")" != "$ca_before"
expect "the new caBundle verifies the certificate from the new CA" verify_chain
expect "the new caBundle still trusts the certificate from the old CA (no failed request during rollout)" \
  openssl verify -CAfile "$work/bundle0.pem" "$work/cert-old-ca.pem"
expect "the caBundle holds two CAs" test "$(grep -c 'BEGIN CERTIFICATE' "$work/bundle0.pem")" = 2
ca_after=$(secret_data "$full-ca")
expect "another helm upgrade" "$helm" upgrade "$rel" "$chart" -n "$ns" "${scope[@]}"
expect "the next upgrade keeps the renewed CA (with its predecessor) unchanged" test "$(secret_data "$full-ca")" = "$ca_after"

# Model signatures: a trusted root given inline lands, byte for byte, in the file the
# operator is told to read; readSignatureKeys=false takes the Secret access away again.
if "$helm" upgrade "$rel" "$chart" -n "$ns" "${scope[@]}" -f "$chart/ci/signing-values.yaml" >"$work/signing.out" 2>&1; then
  ok "helm upgrade $rel (ci/signing-values.yaml)"
else
  bad "helm upgrade $rel (ci/signing-values.yaml)"
  sed 's/^/      | /' "$work/signing.out"
fi
python3 -c 'import sys, yaml; sys.stdout.write(yaml.safe_load(open(sys.argv[1]))["controller"]["sigstore"]["trustedRoot"])' \
  "$chart/ci/signing-values.yaml" >"$work/root.json"
expect "with a trusted root NOTES.txt no longer warns about keyless signatures" bash -c "! grep -q 'no Sigstore trusted root' '$work/signing.out'"
stored_root() { "$kubectl" -n "$ns" get configmap "$full-controller-sigstore" -o go-template='{{index .data "trusted_root.json"}}'; }
expect "the trusted root is stored in ConfigMap $full-controller-sigstore unchanged" cmp <(stored_root) "$work/root.json"
controller_pod() { "$kubectl" -n "$ns" get deploy "$full-controller" -o jsonpath="{.spec.template.spec$1}"; }
root_mounted() {
  controller_pod '.containers[0].args' | grep -q '"--sigstore-trusted-root","/etc/modelgate/sigstore/trusted_root.json"' &&
    test "$(controller_pod '.containers[0].volumeMounts[?(@.name=="sigstore")].mountPath')" = /etc/modelgate/sigstore &&
    test "$(controller_pod '.containers[0].volumeMounts[?(@.name=="sigstore")].readOnly')" = true &&
    test "$(controller_pod '.volumes[?(@.name=="sigstore")].configMap.name')" = "$full-controller-sigstore"
}
expect "the operator gets --sigstore-trusted-root and mounts that ConfigMap read-only" root_mounted
signature_keys_unreadable() { ! can_i get secrets controller default && ! can_i get configmaps controller default; }
expect "with controller.rbac.readSignatureKeys=false the operator may not get Secrets or ConfigMaps" \
  signature_keys_unreadable

# Local mode: the webhook configuration calls a URL, nothing runs in the cluster.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=local-ca \
  -keyout "$work/local.key" -out "$work/local.crt" >/dev/null 2>&1
if "$helm" install "$localrel" "$chart" -n "$ns" -f "$chart/ci/local-values.yaml" "${scope[@]}" \
  --set defaultPolicy.name="chart-test-local-$tag" \
  --set webhook.external.caBundle="$(base64 -w0 "$work/local.crt")" >"$work/local.out" 2>&1; then
  ok "helm install $localrel (local mode)"
else
  bad "helm install $localrel (local mode)"
  sed 's/^/      | /' "$work/local.out"
fi
expect "local mode: the VWC calls https://127.0.0.1:8443/validate with the given CA" bash -c "
  test \"\$('$kubectl' get validatingwebhookconfiguration '$localrel-modelgate' -o jsonpath='{.webhooks[0].clientConfig.url}')\" = https://127.0.0.1:8443/validate &&
  '$kubectl' get validatingwebhookconfiguration '$localrel-modelgate' -o jsonpath='{.webhooks[1].clientConfig.caBundle}' | base64 -d | cmp -s - '$work/local.crt'"
expect "local mode: no Deployments or Secrets of that release" bash -c \
  "test -z \"\$('$kubectl' -n '$ns' get deploy,secret -l app.kubernetes.io/instance=$localrel -o name)\""

# Uninstall leaves nothing behind (but the CRDs).
"$helm" uninstall "$localrel" -n "$ns" >/dev/null 2>&1
if "$helm" uninstall "$rel" -n "$ns" >"$work/uninstall.out" 2>&1; then ok "helm uninstall"; else bad "helm uninstall"; fi
expect "uninstall removed the VWCs, ClusterRoles, policies and namespaced objects" bash -c "
  ! '$kubectl' get validatingwebhookconfiguration '$full' '$localrel-modelgate' 2>/dev/null | grep -q modelgate &&
  ! '$kubectl' get clusterrole '$full-webhook' '$full-controller' 2>/dev/null | grep -q modelgate &&
  ! '$kubectl' get modeladmissionpolicy 'chart-test-$tag' 'chart-test-local-$tag' 2>/dev/null | grep -q chart-test &&
  test -z \"\$('$kubectl' -n '$ns' get deploy,svc,secret,configmap,networkpolicy,pdb,sa,role -l app.kubernetes.io/managed-by=Helm -o name 2>/dev/null)\""

finish
