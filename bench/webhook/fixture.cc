#include "bench/webhook/fixture.h"

#include <openssl/evp.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace modelgate::bench {
namespace {
using nlohmann::json;
using policy::ModelAdmission;
using policy::ModelSource;

std::string NamespaceName(int i) {
  if (i == 0) return kWorkloadNamespace;
  char buf[32];
  std::snprintf(buf, sizeof buf, "team-%02d", i);
  return buf;
}

// Deterministic, distinct 64-hex strings (hashes the "operator" recorded).
std::string Hex64(const std::string& seed) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(seed.data(), seed.size(), md, &len, EVP_sha256(), nullptr);
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(digits[md[i] >> 4]);
    out.push_back(digits[md[i] & 15]);
  }
  return out;
}

// A model as the operator leaves it after a clean scan: spec with pinned files,
// an immutable Hugging Face revision, a verified keyless signature, licence and
// compliance data; status Admitted with every condition True and no findings.
ModelAdmission AdmittedModel(const std::string& ns, const std::string& name, ModelSource source) {
  ModelAdmission ma;
  ma.name = name;
  ma.namespace_name = ns;
  ma.uid = Hex64("uid/" + ns + "/" + name).substr(0, 32);
  ma.generation = 1;
  ma.labels = {{"app.kubernetes.io/part-of", "llm-platform"}, {"team", ns}};
  ma.source = std::move(source);
  ma.hf_repo = "acme-ai/" + name;
  ma.hf_revision = Hex64("rev/" + name).substr(0, 40);
  const char* files[] = {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                         "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                         "model.safetensors.index.json"};
  for (const char* f : files) {
    const std::string sha = Hex64(ns + "/" + name + "/" + f);
    ma.files.push_back({f, sha});
    const std::string path = f;
    const bool weights = path.size() > 12 && path.compare(path.size() - 12, 12, ".safetensors") == 0;
    ma.scan_files.push_back({f, sha, weights ? "safetensors" : "json", weights ? 4'976'698'672 : 25'125});
  }
  ma.format = "safetensors";
  ma.signature_declared = true;
  ma.signature_path = "model.sig";
  ma.signature_identity = "https://github.com/acme-ai/models/.github/workflows/release.yml@refs/heads/main";
  ma.signature_issuer = "https://token.actions.githubusercontent.com";
  ma.license = "Apache-2.0";
  ma.training_data_summary = "https://acme.example/models/" + name + "/training-data-summary.pdf";
  ma.training_compute_flops = 2.4e23;
  ma.has_status = true;
  ma.phase = "Admitted";
  ma.observed_generation = 1;
  for (const char* c : {"Scanned", "HashesMatch", "SignatureVerified", "FormatAllowed", "Ready"})
    ma.conditions.push_back({c, "True", "Passed", ""});
  ma.has_scan = true;
  ma.scan_completed_at = "2025-01-15T10:21:33Z";
  ma.scan_format = "safetensors";
  ma.scan_manifest_digest = "sha256:" + Hex64("manifest/" + ns + "/" + name);
  ma.signature_status = "Verified";
  ma.signature_status_identity = ma.signature_identity;
  ma.signature_status_issuer = ma.signature_issuer;
  return ma;
}

ModelSource PvcSource(const std::string& claim, const std::string& sub) {
  ModelSource s;
  s.kind = ModelSource::Kind::kPvc;
  s.claim_name = claim;
  s.sub_path = sub;
  return s;
}

ModelSource HostPathSource(const std::string& path) {
  ModelSource s;
  s.kind = ModelSource::Kind::kHostPath;
  s.host_path = path;
  return s;
}

// A NetworkPolicy as platform teams write them: selects one app by label, allows
// ingress from the gateway namespace and egress to DNS and an internal range.
json NetworkPolicyJson(const std::string& ns, const std::string& name, const json& match_labels) {
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "NetworkPolicy"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"podSelector", {{"matchLabels", match_labels}}},
            {"policyTypes", {"Ingress", "Egress"}},
            {"ingress",
             {{{"from",
                {{{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", "gateway"}}}}}}}},
               {"ports", {{{"protocol", "TCP"}, {"port", 8000}}}}}}},
            {"egress",
             {{{"to",
                {{{"namespaceSelector", {{"matchLabels", {{"kubernetes.io/metadata.name", "kube-system"}}}}},
                  {"podSelector", {{"matchLabels", {{"k8s-app", "kube-dns"}}}}}}}},
               {"ports", {{{"protocol", "UDP"}, {"port", 53}}, {{"protocol", "TCP"}, {"port", 53}}}}},
              {{"to", {{{"ipBlock", {{"cidr", "10.20.0.0/16"}, {"except", {"10.20.99.0/24"}}}}}}},
               {"ports", {{{"protocol", "TCP"}, {"port", 443}}}}}}}}}};
}

void AddNetworkPolicy(ClusterObjects& view, const json& obj) {
  auto np = policy::ParseNetworkPolicy(obj);
  if (!np.ok()) throw std::runtime_error("bench NetworkPolicy: " + np.status().message());
  view.network_policies.push_back(std::move(np).value());
}

json Env(const std::string& name, const std::string& value) { return {{"name", name}, {"value", value}}; }

json PodSpec() {
  json container = {
      {"name", "vllm"},
      {"image", "registry.acme.example/inference/vllm-openai:v0.6.3@sha256:" + Hex64("vllm-image")},
      {"imagePullPolicy", "IfNotPresent"},
      {"command", {"python3", "-m", "vllm.entrypoints.openai.api_server"}},
      {"args",
       {"--model", "/models/llama-3-8b-instruct", "--served-model-name", "llama-3-8b-instruct", "--port", "8000",
        "--tensor-parallel-size", "1", "--max-model-len", "8192", "--gpu-memory-utilization", "0.90",
        "--enable-prefix-caching", "--tokenizer", "/tokenizers/llama-3", "--download-dir", "/cache"}},
      {"env",
       {Env("HF_HUB_OFFLINE", "1"), Env("TRANSFORMERS_OFFLINE", "1"), Env("VLLM_NO_USAGE_STATS", "1"),
        Env("VLLM_WORKER_MULTIPROC_METHOD", "spawn"), Env("HF_HOME", "/cache/hf"), Env("NCCL_DEBUG", "WARN"),
        Env("OMP_NUM_THREADS", "8"), Env("CUDA_DEVICE_ORDER", "PCI_BUS_ID"),
        {{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}},
        {{"name", "POD_IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}},
        {{"name", "VLLM_API_KEY"},
         {"valueFrom", {{"secretKeyRef", {{"name", "vllm-api-key"}, {"key", "token"}}}}}}}},
      {"ports", {{{"name", "http"}, {"containerPort", 8000}, {"protocol", "TCP"}}}},
      {"resources",
       {{"requests", {{"cpu", "8"}, {"memory", "48Gi"}, {"nvidia.com/gpu", "1"}, {"ephemeral-storage", "20Gi"}}},
        {"limits", {{"cpu", "16"}, {"memory", "64Gi"}, {"nvidia.com/gpu", "1"}, {"ephemeral-storage", "40Gi"}}}}},
      {"startupProbe",
       {{"httpGet", {{"path", "/health"}, {"port", "http"}}}, {"periodSeconds", 10}, {"failureThreshold", 60}}},
      {"readinessProbe",
       {{"httpGet", {{"path", "/health"}, {"port", "http"}}}, {"periodSeconds", 5}, {"timeoutSeconds", 2}}},
      {"livenessProbe",
       {{"httpGet", {{"path", "/health"}, {"port", "http"}}},
        {"periodSeconds", 15},
        {"timeoutSeconds", 5},
        {"failureThreshold", 3}}},
      {"securityContext",
       {{"runAsNonRoot", true},
        {"runAsUser", 1000},
        {"allowPrivilegeEscalation", false},
        {"readOnlyRootFilesystem", true},
        {"capabilities", {{"drop", {"ALL"}}}}}},
      {"volumeMounts",
       {{{"name", "llama-weights"}, {"mountPath", "/models/llama-3-8b-instruct"}, {"readOnly", true}},
        {{"name", "tokenizers"}, {"mountPath", "/tokenizers/llama-3"}, {"subPath", "llama-3"}, {"readOnly", true}},
        {{"name", "cache"}, {"mountPath", "/cache"}},
        {{"name", "shm"}, {"mountPath", "/dev/shm"}}}}};
  json metrics_sidecar = {
      {"name", "metrics-exporter"},
      {"image", "registry.acme.example/observability/gpu-exporter:3.2.1"},
      {"args", {"--listen=:9400", "--collect-interval=15s"}},
      {"ports", {{{"name", "metrics"}, {"containerPort", 9400}}}},
      {"resources", {{"requests", {{"cpu", "50m"}, {"memory", "64Mi"}}}, {"limits", {{"memory", "128Mi"}}}}},
      {"securityContext",
       {{"allowPrivilegeEscalation", false},
        {"readOnlyRootFilesystem", true},
        {"capabilities", {{"drop", {"ALL"}}}}}}};
  json init = {{"name", "wait-for-gateway"},
               {"image", "registry.acme.example/base/busybox:1.36"},
               {"command", {"sh", "-c", "until nslookup llm-gateway.gateway.svc; do sleep 2; done"}},
               {"securityContext",
                {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"ALL"}}}}}}};
  return {
      {"serviceAccountName", "vllm"},
      {"automountServiceAccountToken", false},
      {"priorityClassName", "inference-high"},
      {"terminationGracePeriodSeconds", 60},
      {"nodeSelector", {{"nvidia.com/gpu.product", "NVIDIA-A100-SXM4-80GB"}}},
      {"tolerations", {{{"key", "nvidia.com/gpu"}, {"operator", "Exists"}, {"effect", "NoSchedule"}}}},
      {"securityContext",
       {{"runAsNonRoot", true},
        {"runAsUser", 1000},
        {"runAsGroup", 1000},
        {"fsGroup", 1000},
        {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
      {"initContainers", {init}},
      {"containers", {container, metrics_sidecar}},
      {"volumes",
       {{{"name", "llama-weights"},
         {"hostPath", {{"path", "/mnt/models/llama-3-8b-instruct"}, {"type", "Directory"}}}},
        {{"name", "tokenizers"}, {"persistentVolumeClaim", {{"claimName", "shared-tokenizers"}, {"readOnly", true}}}},
        {{"name", "cache"}, {"emptyDir", {{"sizeLimit", "20Gi"}}}},
        {{"name", "shm"}, {"emptyDir", {{"medium", "Memory"}, {"sizeLimit", "16Gi"}}}}}}};
}

json PodLabels() {
  return {{"app", "vllm"},
          {"app.kubernetes.io/name", "vllm"},
          {"app.kubernetes.io/instance", "llama-3-8b"},
          {"app.kubernetes.io/component", "inference"},
          {"model", "llama-3-8b-instruct"}};
}

json PodAnnotations() {
  return {{"modelgate.io/models", "llama-3-8b-instruct, llama-guard-3"},
          {"prometheus.io/scrape", "true"},
          {"prometheus.io/port", "9400"},
          {"kubectl.kubernetes.io/default-container", "vllm"}};
}

}  // namespace

ClusterObjects MakeCluster(int models, int netpols) {
  ClusterObjects view;
  for (int i = 0; i < kNamespaces; ++i)
    view.namespaces.push_back({NamespaceName(i), {{"kubernetes.io/metadata.name", NamespaceName(i)}, {"team", "ml"}}});
  view.namespaces.push_back({"gateway", {{"kubernetes.io/metadata.name", "gateway"}}});
  view.namespaces.push_back({"kube-system", {{"kubernetes.io/metadata.name", "kube-system"}}});

  // Background models: half on per-team PVCs (subPath per model), half on node hostPaths.
  for (int i = 0; i < models; ++i) {
    const std::string ns = NamespaceName(i % kNamespaces);
    const std::string name = "model-" + std::to_string(i);
    ModelSource src = i % 2 == 0 ? PvcSource("models-" + std::to_string(i % 7), "m/" + name)
                                 : HostPathSource("/mnt/models/" + ns + "/" + name);
    view.model_admissions.push_back(AdmittedModel(ns, name, std::move(src)));
  }
  for (int i = 0; i < 7; ++i)
    for (int n = 0; n < kNamespaces; ++n)
      view.pvcs.push_back({"models-" + std::to_string(i), NamespaceName(n), {{"modelgate.io/model", "shared"}}});
  // Background NetworkPolicies: each selects one app of its namespace.
  for (int i = 0; i < netpols; ++i) {
    const std::string ns = NamespaceName(i % kNamespaces);
    AddNetworkPolicy(view, NetworkPolicyJson(ns, "app-" + std::to_string(i),
                                             {{"app", "svc-" + std::to_string(i)}, {"tier", "backend"}}));
  }

  // The workload's own objects.
  const std::string ns = kWorkloadNamespace;
  view.model_admissions.push_back(AdmittedModel(ns, "llama-3-8b-instruct", HostPathSource("/mnt/models/llama-3-8b-instruct")));
  view.model_admissions.push_back(AdmittedModel(ns, "llama-guard-3", HostPathSource("/mnt/models/llama-guard-3")));
  view.model_admissions.push_back(AdmittedModel(ns, "llama-3-tokenizer", PvcSource("shared-tokenizers", "llama-3")));
  view.pvcs.push_back({"shared-tokenizers", ns, {{"modelgate.io/model", "llama-3-tokenizer"}}});
  AddNetworkPolicy(view, NetworkPolicyJson(ns, "vllm-egress", {{"app", "vllm"}}));
  return view;
}

// The FieldsV1 set the API server records in metadata.managedFields for the fields of
// `v`: "f:<field>" per member, "k:{...}" per keyed list item (containers, env, mounts,
// ports, volumes by name; ownerReferences by uid), "." for maps and items, {} for
// leaves and atomic lists. Same shape and about the same size as the real thing.
json FieldsV1(const json& v) {
  json out = json::object();
  if (!v.is_object()) return out;
  for (const auto& [k, child] : v.items()) {
    json f = json::object();
    if (child.is_object()) {
      f = FieldsV1(child);
      f["."] = json::object();
    } else if (child.is_array() && !child.empty() && child[0].is_object() &&
               (child[0].contains("name") || child[0].contains("uid"))) {
      for (const auto& item : child) {
        const char* key = item.contains("uid") ? "uid" : "name";
        json id = {{key, item[key]}};
        json entry = FieldsV1(item);
        entry["."] = json::object();
        f["k:" + id.dump()] = entry;
      }
    }
    out["f:" + k] = f;
  }
  return out;
}

json ManagedFields(const std::string& manager, const std::string& api_version, const json& fields) {
  return {{{"manager", manager},
           {"operation", "Update"},
           {"apiVersion", api_version},
           {"time", "2026-11-20T09:14:03Z"},
           {"fieldsType", "FieldsV1"},
           {"fieldsV1", FieldsV1(fields)}}};
}

json PodObject() {
  json pod = {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", "vllm-llama-3-8b-6d5f8b7c9d-x7k2p"},
            {"generateName", "vllm-llama-3-8b-6d5f8b7c9d-"},
            {"namespace", kWorkloadNamespace},
            {"labels", [] {
               json l = PodLabels();
               l["pod-template-hash"] = "6d5f8b7c9d";
               return l;
             }()},
            {"annotations", PodAnnotations()},
            {"ownerReferences",
             {{{"apiVersion", "apps/v1"},
               {"kind", "ReplicaSet"},
               {"name", "vllm-llama-3-8b-6d5f8b7c9d"},
               {"uid", "5b1e0a52-3c8f-4f7e-9a1d-2f6c8e4b7a90"},
               {"controller", true},
               {"blockOwnerDeletion", true}}}}}},
          {"spec", PodSpec()}};
  // As the API server sends it: the ReplicaSet controller manages everything it set.
  json managed = {{"metadata", pod["metadata"]}, {"spec", pod["spec"]}};
  managed["metadata"].erase("name");
  managed["metadata"].erase("namespace");
  pod["metadata"]["managedFields"] = ManagedFields("kube-controller-manager", "v1", managed);
  pod["status"] = {{"phase", "Pending"}, {"qosClass", "Burstable"}};  // set by the API server on create
  return pod;
}

json DeploymentObject() {
  json dep = {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata",
           {{"name", "vllm-llama-3-8b"},
            {"namespace", kWorkloadNamespace},
            {"labels", PodLabels()},
            {"annotations", {{"deployment.kubernetes.io/revision", "3"}}}}},
          {"spec",
           {{"replicas", 4},
            {"revisionHistoryLimit", 5},
            {"selector", {{"matchLabels", {{"app", "vllm"}, {"app.kubernetes.io/instance", "llama-3-8b"}}}}},
            {"strategy", {{"type", "RollingUpdate"}, {"rollingUpdate", {{"maxUnavailable", 1}, {"maxSurge", 0}}}}},
            {"template",
             {{"metadata", {{"labels", PodLabels()}, {"annotations", PodAnnotations()}}}, {"spec", PodSpec()}}}}}};
  // As `kubectl apply` leaves it: the last applied configuration as an annotation, and
  // the fields kubectl's client-side apply manages.
  json applied = dep;
  applied["metadata"].erase("annotations");
  dep["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = applied.dump() + "\n";
  json managed = {{"metadata", dep["metadata"]}, {"spec", dep["spec"]}};
  managed["metadata"].erase("name");
  managed["metadata"].erase("namespace");
  dep["metadata"]["managedFields"] = ManagedFields("kubectl-client-side-apply", "apps/v1", managed);
  dep["status"] = json::object();
  return dep;
}

json ReviewFor(const json& object, const std::string& uid) {
  const bool pod = object["kind"] == "Pod";
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", uid},
            {"kind", {{"group", pod ? "" : "apps"}, {"version", "v1"}, {"kind", object["kind"]}}},
            {"resource", {{"group", pod ? "" : "apps"}, {"version", "v1"}, {"resource", pod ? "pods" : "deployments"}}},
            {"requestKind", {{"group", pod ? "" : "apps"}, {"version", "v1"}, {"kind", object["kind"]}}},
            {"requestResource",
             {{"group", pod ? "" : "apps"}, {"version", "v1"}, {"resource", pod ? "pods" : "deployments"}}},
            {"name", object["metadata"]["name"]},
            {"namespace", kWorkloadNamespace},
            {"operation", "CREATE"},
            {"userInfo",
             {{"username", pod ? "system:serviceaccount:kube-system:replicaset-controller" : "alice@acme.example"},
              {"uid", "8c1f2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b"},
              {"groups", pod ? json{"system:serviceaccounts", "system:serviceaccounts:kube-system",
                                    "system:authenticated"}
                             : json{"ml-platform", "system:authenticated"}}}},
            {"object", object},
            {"oldObject", nullptr},
            {"dryRun", false},
            {"options",
             {{"apiVersion", "meta.k8s.io/v1"},
              {"kind", "CreateOptions"},
              {"fieldManager", pod ? "kube-controller-manager" : "kubectl-client-side-apply"}}}}}};
}

}  // namespace modelgate::bench
