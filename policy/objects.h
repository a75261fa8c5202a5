// The cluster objects the decision consults, as plain structs, and their parsers from
// API JSON. Parsers reject wrong types with field-path errors; absent optional fields
// stay empty. ModelAdmission status is written by the operator (see crds/).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/label_selector.h"
#include "scanners/status.h"

namespace modelgate::policy {

// A Secret or ConfigMap key holding a public key.
struct KeyRef {
  std::string kind;  // "Secret" or "ConfigMap"
  std::string name;
  std::string key;
  bool operator==(const KeyRef&) const = default;
};

struct ModelSource {
  enum class Kind { kNone, kPvc, kHostPath, kImage };
  Kind kind = Kind::kNone;
  std::string claim_name, sub_path;  // kPvc (sub_path "" = whole claim)
  std::string host_path;             // kHostPath
  std::string image_reference;       // kImage
};

struct ModelCondition {
  std::string type, status, reason, message;  // status "True" | "False" | "Unknown"
};

struct ScanFinding {
  std::string rule, severity, file, detail;  // severity: info|low|medium|high|critical
};

struct ScannedFile {
  std::string path, sha256, format;
  std::optional<int64_t> size;
};

struct ModelAdmission {
  std::string name, namespace_name, uid;
  int64_t generation = 0;  // 0 = unknown (a manifest not yet applied)
  Labels labels;
  // spec
  ModelSource source;
  std::optional<std::string> hf_repo, hf_revision;  // spec.origin.huggingFace
  struct PinnedFile {
    std::string path, sha256;
  };
  std::vector<PinnedFile> files;
  std::string digest;  // "sha256:<64 hex>" or ""
  std::string format;  // what the owner claims
  bool signature_declared = false;  // spec.signature present
  std::string signature_path;
  std::string signature_identity, signature_issuer;  // keyless
  std::optional<KeyRef> signature_key;                // publicKey
  std::string license;                               // spec.license.spdx
  std::optional<std::string> training_data_summary;
  std::optional<double> training_compute_flops;
  // status (written by the operator)
  bool has_status = false;
  std::string phase;  // Pending | Scanning | Admitted | Rejected | Error
  int64_t observed_generation = 0;
  std::vector<ModelCondition> conditions;
  bool has_scan = false;
  std::string scan_completed_at, scan_format, scan_manifest_digest;
  std::vector<ScannedFile> scan_files;
  std::vector<ScanFinding> scan_findings;
  std::vector<ScanFinding> scan_undecided;  // rule/severity empty; file + detail (reason)
  std::string signature_status;             // Verified | Unsigned | Invalid | Untrusted | ""
  std::string signature_status_identity, signature_status_issuer;

  const ModelCondition* Condition(const std::string& type) const {
    for (const auto& c : conditions)
      if (c.type == type) return &c;
    return nullptr;
  }
};

struct NetworkPolicyPeer {
  bool has_pod_selector = false, has_namespace_selector = false;
  LabelSelector pod_selector, namespace_selector;
  bool has_ip_block = false;
  std::string cidr;
  std::vector<std::string> except;
};

struct NetworkPolicyEgressRule {
  std::vector<NetworkPolicyPeer> to;  // empty = every destination
  size_t port_count = 0;              // informative: ports do not make a rule restricted
};

struct NetworkPolicy {
  std::string name, namespace_name;
  LabelSelector pod_selector;  // {} = every pod in the namespace
  bool ingress = false, egress = false;  // effective policyTypes (implied ones included)
  std::vector<NetworkPolicyEgressRule> egress_rules;
};

// Views hand out shared pointers to immutable objects (see cluster_view.h).
template <typename T>
using Ptr = std::shared_ptr<const T>;

// A namespace's NetworkPolicies as views hand them out: one immutable list.
using NetworkPolicyList = std::vector<Ptr<NetworkPolicy>>;

struct Pvc {
  std::string name, namespace_name;
  Labels labels;
};

struct Namespace {
  std::string name;
  Labels labels;
};

// Parsers for API objects (kind is checked when present). Errors name the field path.
Result<ModelAdmission> ParseModelAdmission(const nlohmann::json& obj);
Result<NetworkPolicy> ParseNetworkPolicy(const nlohmann::json& obj);
Result<Pvc> ParsePvc(const nlohmann::json& obj);
Result<Namespace> ParseNamespace(const nlohmann::json& obj);

}  // namespace modelgate::policy
