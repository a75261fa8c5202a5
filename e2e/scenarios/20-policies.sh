# Policy-driven rules and enforcement modes.

s_mg013_to_015_compliance() {
  policy e2e-compliance Enforce "rules: {enabled: [MG013, MG014, MG015], allowedLicenses: [MIT]}"
  trap 'kubectl delete map e2e-compliance --ignore-not-found' EXIT
  MODEL_LICENSE=LicenseRef-custom MODEL_FLOPS=2.0e25 MODEL_SUMMARY="" model frontier clean-safetensors
  pod p-frontier frontier | apply_expect_denied MG013 MG014 MG015 -- apply -f -
  # Satisfied: an allowed licence, below the threshold, a summary on file.
  MODEL_LICENSE=MIT model fine clean-safetensors
  pod p-fine fine | apply_expect_allowed apply -f -
}
SCENARIOS+=("MG013/MG014/MG015 licence, systemic-risk compute, training-data summary|s_mg013_to_015_compliance")

s_mg008_signature() {
  MODEL_EXTRA="  signature: {path: model.sig, keyless: {identity: release@example.com, issuer: https://accounts.example.com}}" \
    model signed clean-safetensors
  kubectl get ma signed -n "$NS" -o jsonpath='{.status.signature}'; echo
  pod p-signed signed | apply_expect_denied MG008 -- apply -f -
}
SCENARIOS+=("MG008 declared signature that does not verify is denied|s_mg008_signature")

s_warn_mode() {
  policy e2e-warn Warn
  trap 'kubectl delete map e2e-warn --ignore-not-found' EXIT
  local out
  out=$(pod p-warn clean insecure | kubectl apply -f - 2>&1)
  echo "$out"
  grep -q "created" <<<"$out"
  grep -q "Warning:.*MG009" <<<"$out"
}
SCENARIOS+=("Warn mode admits with warnings naming the rules|s_warn_mode")

s_audit_mode() {
  policy e2e-audit Audit
  trap 'kubectl delete map e2e-audit --ignore-not-found' EXIT
  local out
  out=$(pod p-audit clean insecure | kubectl apply -f - 2>&1)
  echo "$out"
  grep -q "created" <<<"$out"
  expect_no "MG009" "$out"
  # The audit line (stdout, one JSON object per decision) lists the violations.
  grep '"object":"Pod '"$NS"'/p-audit"' "$MG_STATE/webhook.out" | grep -q '"rules":\["MG009"'
}
SCENARIOS+=("Audit mode admits silently and records the violations|s_audit_mode")

s_gitops_idempotent() {
  # "No change" as a GitOps tool sees it: the second server-side apply of the same
  # YAML changes no field (spec, metadata, status; generation stays). The API server
  # may still refresh managedFields timestamps on a no-op apply (1.20 does), so those
  # and resourceVersion are left out of the comparison and printed for the record.
  model gitops clean-safetensors >/dev/null
  kubectl get ma gitops -n "$NS" -o json | python3 -c '
import json,sys; o=json.load(sys.stdin)
print(json.dumps({"apiVersion":o["apiVersion"],"kind":o["kind"],"metadata":{"name":"gitops","namespace":o["metadata"]["namespace"]},"spec":o["spec"]}))' >"$MG_STATE/gitops-ma.json"
  cat >"$MG_STATE/gitops-map.yaml" <<YAML
apiVersion: modelgate.io/v1alpha1
kind: ModelAdmissionPolicy
metadata: {name: e2e-gitops}
spec:
  enforcement: Audit
  namespaceSelector: {matchLabels: {never: "selected"}}
YAML
  trap 'kubectl delete map e2e-gitops --ignore-not-found >/dev/null' EXIT
  kubectl apply --server-side --field-manager=gitops -f "$MG_STATE/gitops-ma.json" -f "$MG_STATE/gitops-map.yaml"
  sleep 3  # the first apply takes the fields over; let every controller settle
  snapshot() {
    { kubectl get ma gitops -n "$NS" -o json --show-managed-fields; kubectl get map e2e-gitops -o json --show-managed-fields; } |
      python3 -c '
import json, sys
dec = json.JSONDecoder(); text = sys.stdin.read(); i = 0; out = []
while i < len(text):
    while i < len(text) and text[i].isspace(): i += 1
    if i >= len(text): break
    o, i = dec.raw_decode(text, i)
    md = o["metadata"]; print("resourceVersion", md.pop("resourceVersion"), file=sys.stderr)
    for f in md.get("managedFields", []): f.pop("time", None)
    out.append(o)
print(json.dumps(out, sort_keys=True, indent=1))'
  }
  snapshot >"$MG_STATE/gitops-1.json"
  kubectl apply --server-side --field-manager=gitops -f "$MG_STATE/gitops-ma.json" -f "$MG_STATE/gitops-map.yaml"
  sleep 2  # let the operator react, if it (wrongly) would
  snapshot >"$MG_STATE/gitops-2.json"
  diff "$MG_STATE/gitops-1.json" "$MG_STATE/gitops-2.json"
  # And kubectl's own view: nothing to change.
  kubectl diff --server-side --field-manager=gitops -f "$MG_STATE/gitops-ma.json" -f "$MG_STATE/gitops-map.yaml"
}
SCENARIOS+=("GitOps: server-side applying the same ModelAdmission and policy twice changes nothing|s_gitops_idempotent")
