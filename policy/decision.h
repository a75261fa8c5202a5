// The outcome of one admission decision and its renderings.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/admission_policy.h"

namespace modelgate::policy {

// One failing check.
struct Violation {
  Violation() = default;
  Violation(std::string rule_id, std::string what, std::string msg, std::string how, std::string yaml = "")
      : rule(std::move(rule_id)), target(std::move(what)), message(std::move(msg)), fix(std::move(how)),
        snippet(std::move(yaml)) {}

  std::string rule;     // "MG009"
  std::string target;   // what failed: `container "server"`, `volume "weights"`, `ModelAdmission "llama"`
  std::string message;  // what is wrong, one line
  std::string fix;      // what to do, one line
  std::string snippet;  // MG001 only: a ready-to-apply ModelAdmission (YAML)
  std::string policy;   // the ModelAdmissionPolicy that judged it
  Enforcement enforcement = Enforcement::kEnforce;
  std::string exemption_reason;  // set on exempted violations

  // `MG009 container "server": runs as root; set securityContext.runAsNonRoot: true`
  std::string Line() const;
};

// A ModelAdmission the workload uses (for the inventory).
struct ModelUse {
  std::string namespace_name, name, uid;
  std::string bound_by;  // "annotation", "source", "pvc-label"
  std::string volume;    // the pod volume, "" for annotation-only bindings
};

// A model the operator should scan now (not scanned, stale, or failed). The decision
// has no side effects; the caller acts on these (never for dry-run requests).
struct ScanRequest {
  std::string namespace_name, name, reason;
};

struct Decision {
  bool allowed = true;
  bool evaluated = false;   // false: namespace not affected / no policy selects it
  std::string skip_reason;  // why not evaluated
  // The strictest enforcement among the policies applied (Enforce > Warn > Audit).
  Enforcement enforcement = Enforcement::kAudit;
  std::vector<std::string> policies;      // names of the policies applied
  std::vector<Violation> violations;      // every failing, non-exempted check (any mode)
  std::vector<Violation> exempted;        // failing checks an exemption waived
  std::vector<std::string> warnings;      // one line each: Warn-mode violations, policy notes
  // How the workload was judged, when that is not the ordinary way: "scanner pod (...):
  // model rules ... not applied" (policy/scanner_pod.h). Not warnings: nothing to fix.
  std::vector<std::string> notes;
  std::vector<ModelUse> models;
  std::vector<ScanRequest> scan_requests;

  // Violations judged under `mode`.
  std::vector<const Violation*> ViolationsIn(Enforcement mode) const;
  // The denial text: one line per Enforce violation, then the MG001 snippets.
  std::string DenialMessage() const;
  // Sorted, unique rule ids of the (non-exempted) violations.
  std::vector<std::string> Rules() const;
};

// Stable JSON for logs and `check --output json`:
// {allowed, evaluated, skipReason, enforcement, policies, violations:[{rule, target,
//  message, fix, snippet?, policy, enforcement}], exempted:[... + reason], warnings, notes,
//  models:[{namespace, name, uid, boundBy, volume}], scanRequests:[{namespace, name, reason}]}
nlohmann::json DecisionToJson(const Decision& d);

}  // namespace modelgate::policy
