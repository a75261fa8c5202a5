#include "policy/decision.h"

#include <algorithm>
#include <set>

namespace modelgate::policy {

std::string Violation::Line() const {
  std::string out = rule + " " + target + ": " + message;
  if (!fix.empty()) out += "; " + fix;
  return out;
}

std::vector<const Violation*> Decision::ViolationsIn(Enforcement mode) const {
  std::vector<const Violation*> out;
  for (const auto& v : violations)
    if (v.enforcement == mode) out.push_back(&v);
  return out;
}

std::string Decision::DenialMessage() const {
  std::string out;
  std::vector<const Violation*> denying = ViolationsIn(Enforcement::kEnforce);
  for (const Violation* v : denying) {
    if (!out.empty()) out += "\n";
    out += v->Line();
  }
  for (const Violation* v : denying) {
    if (v->snippet.empty()) continue;
    out += "\nRegister the model with (kubectl apply -f -):\n" + v->snippet;
  }
  return out;
}

std::vector<std::string> Decision::Rules() const {
  std::set<std::string> ids;
  for (const auto& v : violations) ids.insert(v.rule);
  return {ids.begin(), ids.end()};
}

namespace {
nlohmann::json ViolationJson(const Violation& v) {
  nlohmann::json j = {{"rule", v.rule},     {"target", v.target}, {"message", v.message},
                      {"fix", v.fix},       {"policy", v.policy},
                      {"enforcement", std::string(EnforcementName(v.enforcement))}};
  if (!v.snippet.empty()) j["snippet"] = v.snippet;
  if (!v.exemption_reason.empty()) j["reason"] = v.exemption_reason;
  return j;
}
}  // namespace

nlohmann::json DecisionToJson(const Decision& d) {
  nlohmann::json j = {{"allowed", d.allowed},
                      {"evaluated", d.evaluated},
                      {"enforcement", std::string(EnforcementName(d.enforcement))},
                      {"policies", d.policies},
                      {"violations", nlohmann::json::array()},
                      {"exempted", nlohmann::json::array()},
                      {"warnings", d.warnings},
                      {"notes", d.notes},
                      {"models", nlohmann::json::array()},
                      {"scanRequests", nlohmann::json::array()}};
  if (!d.skip_reason.empty()) j["skipReason"] = d.skip_reason;
  for (const auto& v : d.violations) j["violations"].push_back(ViolationJson(v));
  for (const auto& v : d.exempted) j["exempted"].push_back(ViolationJson(v));
  for (const auto& m : d.models)
    j["models"].push_back(
        {{"namespace", m.namespace_name}, {"name", m.name}, {"uid", m.uid}, {"boundBy", m.bound_by}, {"volume", m.volume}});
  for (const auto& s : d.scan_requests)
    j["scanRequests"].push_back({{"namespace", s.namespace_name}, {"name", s.name}, {"reason", s.reason}});
  return j;
}

}  // namespace modelgate::policy
