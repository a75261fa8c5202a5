#!/usr/bin/env python3
"""Checks the manifests `helm template` rendered from charts/modelgate (used by
scripts/chart-check.sh): every document parses, and the chart's promises hold.

Usage: chart-manifests.py MODE RENDERED.yaml NAMESPACE CRD_DIR
  MODE: default | kube120 | certmanager | local | signing | signing-configmap
  (signing*: rendered with charts/modelgate/ci/MODE-values.yaml)
Prints one line per check; exits 1 when any failed.
"""
import base64
import hashlib
import json
import re
import subprocess
import sys
import tempfile

import yaml

try:
    import jsonschema
except ImportError:  # the CRD-schema check is skipped, visibly
    jsonschema = None

failures = 0
checks = 0


def check(ok, what):
    global failures, checks
    checks += 1
    print(("  ok    " if ok else "  FAIL  ") + what)
    if not ok:
        failures += 1
    return ok


def load(path):
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    return docs


def by_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def check_structure(docs):
    bad = [d for d in docs if not (isinstance(d, dict) and d.get("apiVersion") and d.get("kind")
                                   and isinstance(d.get("metadata"), dict) and d["metadata"].get("name"))]
    check(not bad, f"{len(docs)} documents parse and have apiVersion, kind, metadata.name")
    names = [(d["apiVersion"], d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]) for d in docs]
    check(len(names) == len(set(names)), "no object is rendered twice")


def check_vwc(docs, mode, ns):
    vwcs = by_kind(docs, "ValidatingWebhookConfiguration")
    if not check(len(vwcs) == 1, "exactly one ValidatingWebhookConfiguration"):
        return
    vwc = vwcs[0]
    check(vwc["apiVersion"] == "admissionregistration.k8s.io/v1", "VWC is admissionregistration.k8s.io/v1")
    hooks = vwc.get("webhooks", [])
    resources = set()
    for h in hooks:
        n = h["name"]
        check(h.get("failurePolicy") == "Fail", f"{n}: failurePolicy Fail")
        check(0 < h.get("timeoutSeconds", 10) <= 5, f"{n}: timeoutSeconds {h.get('timeoutSeconds')} <= 5")
        check(h.get("sideEffects") == "NoneOnDryRun", f"{n}: sideEffects NoneOnDryRun")
        check(h.get("admissionReviewVersions") == ["v1"], f"{n}: admissionReviewVersions [v1]")
        exprs = h.get("namespaceSelector", {}).get("matchExpressions", [])
        names = next((e["values"] for e in exprs
                      if e["key"] == "kubernetes.io/metadata.name" and e["operator"] == "NotIn"), [])
        check({"kube-system", ns} <= set(names), f"{n}: namespaceSelector excludes kube-system and {ns}")
        check(any(e["key"] != "kubernetes.io/metadata.name" and e["operator"] == "NotIn" and e["values"] == ["true"]
                  for e in exprs), f"{n}: namespaceSelector has the opt-out label (Kubernetes 1.20)")
        cc = h.get("clientConfig", {})
        if mode == "local":
            check(cc.get("url", "").startswith("https://") and "service" not in cc,
                  f"{n}: local mode calls clientConfig.url, no Service")
        else:
            check("service" in cc and cc["service"].get("path") == "/validate" and "url" not in cc,
                  f"{n}: calls the in-cluster Service at /validate")
        if mode == "certmanager":
            check("caBundle" not in cc, f"{n}: caBundle left to cert-manager's cainjector")
        else:
            check(bool(cc.get("caBundle")), f"{n}: has a caBundle")
        resources |= rule_resources(h.get("rules", []))
    wanted = {"pods", "pods/ephemeralcontainers", "replicationcontrollers", "apps/deployments", "apps/statefulsets",
              "apps/daemonsets", "apps/replicasets", "batch/jobs", "batch/cronjobs"}
    check(wanted <= resources, "webhook rules cover pods, ephemeral containers and every workload kind")
    e2e = e2e_webhook_resources()
    check(e2e == resources, f"e2e/lib/modelgate.sh registers the same resources as the chart "
                            f"(only chart: {sorted(resources - e2e)}, only e2e: {sorted(e2e - resources)})")
    annotations = vwc["metadata"].get("annotations") or {}
    if mode == "certmanager":
        ref = annotations.get("cert-manager.io/inject-ca-from", "")
        certs = {f"{c['metadata']['namespace']}/{c['metadata']['name']}" for c in by_kind(docs, "Certificate")}
        check(ref in certs, f"cert-manager.io/inject-ca-from names a rendered Certificate ({ref})")
    else:
        check("cert-manager.io/inject-ca-from" not in annotations, "no cainjector annotation")


def rule_resources(rules):
    return {f"{g}/{res}" if g else res for r in rules for g in r["apiGroups"] for res in r["resources"]}


def e2e_webhook_resources(path="e2e/lib/modelgate.sh"):
    """The resources mg_register_webhook registers (its heredoc is YAML with shell variables)."""
    with open(path) as f:
        text = f.read()
    body = re.search(r"^mg_register_webhook\(\).*?<<YAML\n(.*?)^YAML$", text, re.S | re.M)
    if not body:
        return set()
    vwc = yaml.safe_load(re.sub(r"\$\{?\w+\}?", "x", body.group(1)))
    return {res for h in vwc["webhooks"] for res in rule_resources(h.get("rules", []))}


def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, text=True)


def check_self_signed_tls(docs, ns):
    secrets = {s["metadata"]["name"]: s for s in by_kind(docs, "Secret")}
    tls = next((s for n, s in secrets.items() if n.endswith("-webhook-tls")), None)
    ca = next((s for n, s in secrets.items() if n.endswith("-ca")), None)
    if not check(tls is not None and ca is not None, "CA and serving-certificate Secrets rendered"):
        return
    vwc = by_kind(docs, "ValidatingWebhookConfiguration")[0]
    bundle = base64.b64decode(vwc["webhooks"][0]["clientConfig"]["caBundle"]).decode()
    check(all(base64.b64decode(h["clientConfig"]["caBundle"]).decode() == bundle for h in vwc["webhooks"]),
          "every webhook has the same caBundle")
    cert = base64.b64decode(tls["data"]["tls.crt"]).decode()
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as bf, tempfile.NamedTemporaryFile("w", suffix=".pem") as cf:
        bf.write(bundle)
        bf.flush()
        cf.write(cert)
        cf.flush()
        r = openssl("verify", "-CAfile", bf.name, cf.name)
        check(r.returncode == 0, "serving certificate verifies against the VWC caBundle (openssl verify)")
        r = openssl("x509", "-in", cf.name, "-noout", "-ext", "subjectAltName")
        svc = vwc["webhooks"][0]["clientConfig"]["service"]
        check(f"DNS:{svc['name']}.{svc['namespace']}.svc" in r.stdout,
              f"serving certificate names {svc['name']}.{svc['namespace']}.svc")
    check(base64.b64decode(tls["data"]["ca.crt"]).decode().strip() in bundle, "ca.crt in the TLS Secret is in the caBundle")
    check("tls.key" in tls["data"] and "tls.key" in ca["data"], "both Secrets carry their keys")


def containers(pod_spec):
    return pod_spec.get("containers", []) + pod_spec.get("initContainers", [])


def check_workloads(docs, mode):
    deployments = by_kind(docs, "Deployment")
    if mode == "local":
        check(not deployments, "local mode installs no Deployments")
        check(not by_kind(docs, "Secret"), "local mode renders no Secrets")
        return
    check({d["metadata"]["name"].rsplit("-", 1)[-1] for d in deployments} == {"webhook", "controller"},
          "webhook and controller Deployments rendered")
    for d in deployments:
        n = d["metadata"]["name"]
        spec = d["spec"]["template"]["spec"]
        psc = spec.get("securityContext", {})
        check(spec.get("automountServiceAccountToken") is True and spec.get("serviceAccountName"),
              f"{n}: own ServiceAccount, token mounted explicitly (it talks to the API)")
        for c in containers(spec):
            sc = c.get("securityContext", {})
            cn = f"{n}/{c['name']}"
            check(sc.get("runAsNonRoot") is True and sc.get("runAsUser") == 65532, f"{cn}: runAsNonRoot, runAsUser 65532")
            check(sc.get("readOnlyRootFilesystem") is True, f"{cn}: readOnlyRootFilesystem")
            check(sc.get("allowPrivilegeEscalation") is False and not sc.get("privileged"), f"{cn}: no privilege escalation")
            check(sc.get("capabilities", {}).get("drop") == ["ALL"] and not sc.get("capabilities", {}).get("add"),
                  f"{cn}: capabilities drop ALL")
            seccomp = sc.get("seccompProfile", psc.get("seccompProfile", {}))
            check(seccomp.get("type") == "RuntimeDefault", f"{cn}: seccompProfile RuntimeDefault")
            check(bool(c.get("resources", {}).get("requests")), f"{cn}: resource requests set")
        if n.endswith("-webhook"):
            check(d["spec"]["replicas"] >= 2, f"{n}: {d['spec']['replicas']} replicas (>= 2)")
            check("podAntiAffinity" in spec.get("affinity", {}), f"{n}: podAntiAffinity")
    for sa in by_kind(docs, "ServiceAccount"):
        check(sa.get("automountServiceAccountToken") is False,
              f"ServiceAccount {sa['metadata']['name']}: token not mounted by default")
    pdbs = by_kind(docs, "PodDisruptionBudget")
    want = "policy/v1beta1" if mode == "kube120" else "policy/v1"
    check(len(pdbs) == 1 and pdbs[0]["apiVersion"] == want, f"webhook PodDisruptionBudget is {want}")
    policies = by_kind(docs, "NetworkPolicy")
    for d in deployments:
        sel = d["spec"]["selector"]["matchLabels"]
        np = [p for p in policies if p["spec"]["podSelector"].get("matchLabels") == sel]
        check(len(np) == 1 and set(np[0]["spec"].get("policyTypes", [])) == {"Ingress", "Egress"},
              f"{d['metadata']['name']}: a NetworkPolicy restricts its ingress and egress")
        if np:
            egress_ports = {p.get("port") for rule in np[0]["spec"].get("egress", []) for p in rule.get("ports", [])}
            check(egress_ports <= {53, 443, 6443}, f"{d['metadata']['name']}: egress only to DNS and the API server")


def check_rbac(docs, mode):
    for role in by_kind(docs, "ClusterRole") + by_kind(docs, "Role"):
        n = role["metadata"]["name"]
        rules = role.get("rules", [])
        flat = [(g, r, v) for rule in rules for g in rule.get("apiGroups", []) for r in rule.get("resources", [])
                for v in rule.get("verbs", [])]
        check(not any("*" in (g, r, v) for g, r, v in flat), f"{role['kind']} {n}: no wildcards")
        keys = {(r, v) for g, r, v in flat if g == "" and r in ("secrets", "configmaps")}
        if role["kind"] == "ClusterRole" and n.endswith("-controller") and mode != "signing":
            # controller.rbac.readSignatureKeys (default true): spec.signature.publicKey.
            check(keys == {("secrets", "get"), ("configmaps", "get")},
                  f"{n}: may get (not list or watch) Secrets and ConfigMaps, for signature keys")
        else:
            check(not keys, f"{role['kind']} {n}: no access to Secrets or ConfigMaps")
        if n.endswith("-webhook"):
            writes = {(r, v) for _, r, v in flat if v not in ("get", "list", "watch")}
            check(writes == {("modeladmissions", "patch")}, f"{n}: its only write is patching ModelAdmissions")


def check_sigstore(docs, mode):
    """controller.sigstore.*: the operator gets --sigstore-trusted-root only with a root."""
    ctl = next((d for d in by_kind(docs, "Deployment") if d["metadata"]["name"].endswith("-controller")), None)
    if ctl is None:
        return
    pod = ctl["spec"]["template"]
    spec = pod["spec"]
    c = spec["containers"][0]
    args = c.get("args", [])
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    maps = {m["metadata"]["name"]: m for m in by_kind(docs, "ConfigMap")}
    annotations = pod["metadata"].get("annotations") or {}
    if mode not in ("signing", "signing-configmap"):
        check("--sigstore-trusted-root" not in args and "sigstore" not in volumes and "sigstore" not in mounts
              and not maps and not any(k.startswith("checksum/") for k in annotations),
              "no trusted root configured: no --sigstore-trusted-root, volume, mount, ConfigMap or checksum")
        return
    if not check("--sigstore-trusted-root" in args and args.index("--sigstore-trusted-root") + 1 < len(args),
                 "controller gets --sigstore-trusted-root FILE"):
        return
    path = args[args.index("--sigstore-trusted-root") + 1]
    m = mounts.get("sigstore", {})
    vol = volumes.get("sigstore", {}).get("configMap", {})
    check(m.get("readOnly") is True and path == m.get("mountPath", "?") + "/trusted_root.json"
          and vol.get("items") and vol["items"][0]["path"] == "trusted_root.json",
          f"{path} is trusted_root.json of a read-only mount of the sigstore volume")
    if mode == "signing-configmap":
        check(vol.get("name") == "sigstore-trusted-root" and vol["items"][0]["key"] == "root.json" and not maps,
              "the trusted root comes from the named ConfigMap and key; the chart renders no ConfigMap")
        check("checksum/sigstore-trusted-root" not in annotations, "no checksum of a ConfigMap the chart does not own")
        return
    cm = maps.get(vol.get("name"))
    if not check(cm is not None and vol["items"][0]["key"] in cm.get("data", {}),
                 f"the sigstore volume is the rendered ConfigMap {vol.get('name')}"):
        return
    text = cm["data"][vol["items"][0]["key"]]
    check(json.loads(text).get("mediaType", "").startswith("application/vnd.dev.sigstore.trustedroot+json"),
          "the ConfigMap holds the trusted_root.json given in controller.sigstore.trustedRoot")
    check(annotations.get("checksum/sigstore-trusted-root") == hashlib.sha256(text.encode()).hexdigest(),
          "pod annotation checksum/sigstore-trusted-root is the root's SHA-256 (a new root rolls the operator)")


def check_policy(docs, crd_dir):
    policies = by_kind(docs, "ModelAdmissionPolicy")
    if not check(len(policies) == 1 and policies[0]["metadata"]["name"] == "default",
                 "the ModelAdmissionPolicy named default is rendered"):
        return
    if jsonschema is None:
        print("  SKIP  default policy against the CRD schema (python3-jsonschema missing)")
        return
    with open(f"{crd_dir}/modelgate.io_modeladmissionpolicies.yaml") as f:
        crd = yaml.safe_load(f)
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    try:
        jsonschema.validate(policies[0], schema)
        check(True, "default policy validates against the CRD's openAPIV3Schema")
    except jsonschema.ValidationError as e:
        check(False, f"default policy validates against the CRD's openAPIV3Schema: {e.message} at {list(e.path)}")


def main(argv):
    mode, path, ns, crd_dir = argv
    docs = load(path)
    check_structure(docs)
    check_vwc(docs, mode, ns)
    if mode in ("default", "kube120"):
        check_self_signed_tls(docs, ns)
    check_workloads(docs, mode)
    check_rbac(docs, mode)
    check_sigstore(docs, mode)
    check_policy(docs, crd_dir)
    print(f"  {mode}: {checks - failures} of {checks} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
