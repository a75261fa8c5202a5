#!/usr/bin/env python3
"""Turns the e2e fixture's minimal model pod (JSON on stdin) into a realistic
model-serving pod (JSON on stdout): a vLLM server with args, env, ports, GPU
resources and probes, a metrics sidecar, a cache emptyDir, more labels.

Every added container is hardened like the fixture's (no escalation, drop ALL;
the pod-level securityContext is kept), so the webhook still admits the pod;
run.sh checks that with a server-side dry run before measuring.
"""
import copy
import json
import sys

pod = json.load(sys.stdin)
md = pod["metadata"]
md.pop("namespace", None)  # podcreate_bench sets it
md["labels"].update({
    "app.kubernetes.io/name": "llm-server",
    "app.kubernetes.io/component": "inference",
    "app.kubernetes.io/part-of": "ml-serving",
    "model": "llm",
})
md.setdefault("annotations", {}).update({
    "prometheus.io/scrape": "true",
    "prometheus.io/port": "9400",
})
spec = pod["spec"]
server = spec["containers"][0]
hardened = copy.deepcopy(server["securityContext"])
server.update({
    "args": ["--model", "/models", "--served-model-name", "llm", "--port", "8000",
             "--max-model-len", "8192", "--gpu-memory-utilization", "0.90"],
    "ports": [{"name": "http", "containerPort": 8000, "protocol": "TCP"}],
    "env": [
        {"name": "HF_HUB_OFFLINE", "value": "1"},
        {"name": "TRANSFORMERS_OFFLINE", "value": "1"},
        {"name": "VLLM_LOGGING_LEVEL", "value": "INFO"},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
    ],
    "resources": {
        "requests": {"cpu": "4", "memory": "24Gi", "nvidia.com/gpu": "1"},
        "limits": {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"},
    },
    "readinessProbe": {"httpGet": {"path": "/health", "port": "http"}, "periodSeconds": 5},
    "livenessProbe": {"httpGet": {"path": "/health", "port": "http"}, "initialDelaySeconds": 120,
                      "periodSeconds": 15},
    "startupProbe": {"httpGet": {"path": "/health", "port": "http"}, "failureThreshold": 60,
                     "periodSeconds": 10},
})
server["volumeMounts"].append({"name": "cache", "mountPath": "/tmp/cache"})
spec["containers"].append({
    "name": "metrics-exporter",
    "image": "registry.example/dcgm-exporter:3.3",
    "ports": [{"name": "metrics", "containerPort": 9400}],
    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
    "securityContext": hardened,
})
spec["volumes"].append({"name": "cache", "emptyDir": {"sizeLimit": "10Gi"}})
spec.update({
    "terminationGracePeriodSeconds": 60,
    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
    "nodeSelector": {"accelerator": "nvidia-a100"},
})
json.dump(pod, sys.stdout, indent=1)
