// ModelAdmissionPolicy: what the cluster admin requires. Parsed and validated once on
// entry (field-path errors, cert-manager style); code past ParsePolicy trusts it.
// Every default below is the value used when the field is absent; the CRD schema sets
// no defaults (GitOps tools would report drift), so these are the only defaults.
#pragma once

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/label_selector.h"
#include "policy/objects.h"
#include "scanners/status.h"

namespace modelgate::policy {

// The stable rule ids MG001..MG015 (docs/rules.md).
inline constexpr std::array<std::string_view, 15> kRuleIds = {
    "MG001", "MG002", "MG003", "MG004", "MG005", "MG006", "MG007", "MG008",
    "MG009", "MG010", "MG011", "MG012", "MG013", "MG014", "MG015"};
bool IsRuleId(std::string_view id);
// One-line meaning of a rule id (the DESIGN.md table); "" for unknown ids.
std::string_view RuleTitle(std::string_view id);
// Rules on when a policy says nothing: MG001-MG012. MG013-MG015 (licence, systemic
// risk, training-data summary) are organisation-specific and off until enabled.
bool RuleOnByDefault(std::string_view id);

enum class Enforcement { kEnforce, kWarn, kAudit };
std::string_view EnforcementName(Enforcement e);  // "Enforce", "Warn", "Audit"

// Which workloads the pod-hardening (MG009-MG011) and egress (MG012) rules judge.
enum class Scope { kModelWorkloads, kAllWorkloads };

struct TrustedSigner {
  std::string identity;  // keyless: certificate identity; '*' globs allowed
  std::string issuer;    // keyless: OIDC issuer, exact
  std::optional<KeyRef> public_key;  // or a key reference equal to the ModelAdmission's
};

struct RuleSettings {
  std::set<std::string> enabled;  // effective switches after defaults and overrides
  // MG004. Values are scanner format names (scanners/format.h FormatName).
  std::vector<std::string> allowed_formats = {"safetensors"};
  // MG003: lowest finding severity that denies (info|low|medium|high|critical).
  std::string fail_on_severity = "medium";
  // MG008: an unsigned model is a violation only when true.
  bool require_signature = false;
  std::vector<TrustedSigner> trusted_signers;  // empty = any verified signer
  // MG006: true demands spec.digest; false accepts pinned file hashes or a digest.
  bool require_digest = false;
  std::vector<std::string> allowed_licenses;  // MG013, SPDX ids or LicenseRef-...
  double systemic_risk_flops = 1e25;          // MG014
};

struct ModelVolumeDetection {
  std::vector<std::string> mount_path_globs = {"/models", "/models/**", "/mnt/models*", "/mnt/models*/**"};
  std::vector<std::string> volume_name_patterns = {"*model*"};
  std::string pvc_label = "modelgate.io/model";  // a PVC carrying this label key holds models
  bool image_volumes = true;                     // every OCI image volume is a model volume
};

struct Exemption {
  std::string namespace_name;  // "" = any namespace
  std::string kind;            // "" = any kind
  std::string name;            // glob; "" = any name
  std::set<std::string> rules; // rule ids, or {"*"} for all
  std::string reason;          // required
};

struct AdmissionPolicy {
  std::string name = "built-in-default";
  Enforcement enforcement = Enforcement::kEnforce;
  bool has_namespace_selector = false;  // absent = every namespace (except the never-affected ones)
  LabelSelector namespace_selector;
  Scope applies_to = Scope::kModelWorkloads;
  RuleSettings rules;
  ModelVolumeDetection detection;
  std::vector<Exemption> exemptions;

  bool RuleEnabled(std::string_view id) const { return rules.enabled.count(std::string(id)) > 0; }
};

// The policy used when the cluster has none: every default above (the same as
// crds/samples/default-policy.yaml).
AdmissionPolicy DefaultPolicy();

// Parses and validates a ModelAdmissionPolicy object. Errors list every bad field:
// `spec.rules.allowedFormats[1]: unknown format "pkl"`. `warnings` (optional) receives
// suspicious-but-valid settings (e.g. allowedLicenses set while MG013 is off).
Result<AdmissionPolicy> ParsePolicy(const nlohmann::json& obj, std::vector<std::string>* warnings = nullptr);

// Scanner format names accepted in allowedFormats.
bool IsFormatName(std::string_view name);
// 0..4 for info..critical; -1 for anything else.
int SeverityRank(std::string_view severity);

}  // namespace modelgate::policy
