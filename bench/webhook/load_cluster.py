#!/usr/bin/env python3
"""Fill a (local, empty) API server with the webhook benchmark's background objects.

Usage: load_cluster.py KUBECONFIG --models N --netpols N [--workers 8]

Creates kNamespaces (100) namespaces "team-00".."team-99", N ModelAdmissions with
the same shape as bench/webhook/fixture.cc (7 pinned files, Hugging Face commit,
keyless signature, licence, compliance; status Admitted with 7 scanned files,
5 conditions and a verified signature, written through the status subresource) and
N NetworkPolicies (label selector, ingress + egress to DNS and an ipBlock with
except). Objects are created the way `kubectl apply` does (with the
last-applied-configuration annotation), so the API server's copies carry the same
bookkeeping (managedFields, last-applied) as a GitOps-managed cluster.

Talks HTTPS to the API server with the kubeconfig's client certificate; no kubectl
per object (20,000 processes would take longer than the benchmark).
"""
import argparse
import base64
import hashlib
import http.client
import json
import os
import ssl
import sys
import tempfile
import threading
import urllib.parse

NAMESPACES = 100
FILES = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
         "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
         "model.safetensors.index.json"]
IDENTITY = "https://github.com/acme-ai/models/.github/workflows/release.yml@refs/heads/main"
ISSUER = "https://token.actions.githubusercontent.com"


def hex64(s):
    return hashlib.sha256(s.encode()).hexdigest()


def kubeconfig(path):
    """(host, port, ca_file, cert_file, key_file) from a kubeconfig with embedded or file credentials."""
    import yaml  # python3-yaml is in the Debian base used by the e2e scripts
    with open(path) as f:
        cfg = yaml.safe_load(f)
    ctx_name = cfg["current-context"]
    ctx = next(c["context"] for c in cfg["contexts"] if c["name"] == ctx_name)
    cluster = next(c["cluster"] for c in cfg["clusters"] if c["name"] == ctx["cluster"])
    user = next(u["user"] for u in cfg["users"] if u["name"] == ctx["user"])
    tmp = tempfile.mkdtemp(prefix="mg-load-")

    def material(obj, key):
        if key + "-data" in obj:
            p = os.path.join(tmp, key)
            with open(p, "wb") as f:
                f.write(base64.b64decode(obj[key + "-data"]))
            return p
        return obj[key]

    url = urllib.parse.urlparse(cluster["server"])
    return (url.hostname, url.port, material(cluster, "certificate-authority"),
            material(user, "client-certificate"), material(user, "client-key"))


class Api:
    def __init__(self, conf):
        self.host, self.port, ca, cert, key = conf
        self.ctx = ssl.create_default_context(cafile=ca)
        self.ctx.load_cert_chain(cert, key)
        self.local = threading.local()

    def call(self, method, path, body):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx)
        payload = None if body is None else json.dumps(body)
        conn.request(method, path, payload, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        data = resp.read()
        if resp.status >= 300 and resp.status != 409:
            raise RuntimeError(f"{method} {path}: HTTP {resp.status}: {data[:300]!r}")
        return json.loads(data) if data else {}


def applied(obj):
    """obj with kubectl's last-applied-configuration annotation, as `kubectl apply` sends it."""
    md = obj.setdefault("metadata", {})
    md.setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = \
        json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n"
    return obj


def model_admission(ns, name, i):
    if i % 2:
        source = {"hostPath": {"path": f"/mnt/models/{name}"}}
    else:
        source = {"pvc": {"claimName": f"models-{i % 7}", "subPath": name}}
    spec = {
        "source": source,
        "origin": {"huggingFace": {"repo": f"acme-ai/{name}", "revision": hex64("rev/" + name)[:40]}},
        "files": [{"path": f, "sha256": hex64(f"{ns}/{name}/{f}")} for f in FILES],
        "format": "safetensors",
        "signature": {"path": "model.sig", "keyless": {"identity": IDENTITY, "issuer": ISSUER}},
        "license": {"spdx": "Apache-2.0"},
        "compliance": {"trainingDataSummary": f"https://acme.example/models/{name}/training-data-summary.pdf",
                       "trainingComputeFlops": 2.4e23},
    }
    return applied({"apiVersion": "modelgate.io/v1alpha1", "kind": "ModelAdmission",
                    "metadata": {"name": name, "namespace": ns,
                                 "labels": {"app.kubernetes.io/part-of": "llm-platform", "team": ns}},
                    "spec": spec})


def status_for(ns, name):
    files = []
    for f in FILES:
        weights = f.endswith(".safetensors")
        files.append({"path": f, "sha256": hex64(f"{ns}/{name}/{f}"),
                      "format": "safetensors" if weights else "json",
                      "size": 4976698672 if weights else 25125})
    conds = [{"type": t, "status": "True", "reason": "Passed", "message": f"{t} check passed",
              "lastTransitionTime": "2025-01-15T10:21:33Z", "observedGeneration": 1}
             for t in ["Scanned", "HashesMatch", "SignatureVerified", "FormatAllowed", "Ready"]]
    return {"phase": "Admitted", "observedGeneration": 1, "conditions": conds,
            "scan": {"scannerVersion": "bench", "startedAt": "2025-01-15T10:20:01Z",
                     "completedAt": "2025-01-15T10:21:33Z", "format": "safetensors",
                     "manifestDigest": "sha256:" + hex64(f"manifest/{ns}/{name}"),
                     "files": files, "findings": [], "undecided": []},
            "signature": {"status": "Verified", "identity": IDENTITY, "issuer": ISSUER,
                          "message": "verified against the Sigstore public-good trust root"}}


def network_policy(ns, name, i):
    return applied({
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "podSelector": {"matchLabels": {"app": f"svc-{i}", "tier": "backend"}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "gateway"}}}],
                         "ports": [{"protocol": "TCP", "port": 8080}]}],
            "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},
                       {"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.96.0.0/12"]}}],
                        "ports": [{"protocol": "TCP", "port": 443}]}],
        }})


def run_parallel(workers, jobs, fn):
    lock = threading.Lock()
    it = iter(jobs)
    errors = []

    def worker():
        while True:
            with lock:
                job = next(it, None)
            if job is None or errors:
                return
            try:
                fn(*job)
            except Exception as e:  # report the first failure, stop the others
                errors.append(e)
                return

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kubeconfig")
    ap.add_argument("--models", type=int, default=10000)
    ap.add_argument("--netpols", type=int, default=10000)
    ap.add_argument("--workers", type=int, default=8)
    a = ap.parse_args()
    api = Api(kubeconfig(a.kubeconfig))
    namespaces = [f"team-{n:02d}" for n in range(NAMESPACES)]
    for ns in namespaces:
        api.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": ns, "labels": {"team": ns}}})

    def create_ma(i):
        ns, name = namespaces[i % NAMESPACES], f"model-{i:05d}"
        base = f"/apis/modelgate.io/v1alpha1/namespaces/{ns}/modeladmissions"
        created = api.call("POST", base, model_admission(ns, name, i))
        if created.get("kind") == "Status":  # 409: left from an earlier run
            created = api.call("GET", f"{base}/{name}", None)
        created["status"] = status_for(ns, name)  # the operator's part, via the status subresource
        api.call("PUT", f"{base}/{name}/status", created)

    def create_np(i):
        ns = namespaces[i % NAMESPACES]
        api.call("POST", f"/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies",
                 network_policy(ns, f"app-{i:05d}", i))

    run_parallel(a.workers, [(i,) for i in range(a.models)], create_ma)
    run_parallel(a.workers, [(i,) for i in range(a.netpols)], create_np)
    print(f"created {NAMESPACES} namespaces, {a.models} ModelAdmissions (status Admitted), "
          f"{a.netpols} NetworkPolicies")


if __name__ == "__main__":
    sys.exit(main())
