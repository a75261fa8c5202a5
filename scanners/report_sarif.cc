#include <map>

#include "scanners/report.h"

namespace modelgate::scanners {
namespace {

std::string_view Level(Severity s) {
  if (s >= Severity::kHigh) return "error";
  if (s == Severity::kMedium) return "warning";
  return "note";
}

// Artifact URI for a display path: archive members ("a.zip!x.pkl") point at the outer file.
std::string Uri(const std::string& file) { return file.substr(0, file.find('!')); }

nlohmann::json Result(const std::string& rule, std::string_view level, const std::string& file,
                      const std::string& text) {
  return {{"ruleId", rule},
          {"level", level},
          {"message", {{"text", file + ": " + text}}},
          {"locations",
           {{{"physicalLocation", {{"artifactLocation", {{"uri", Uri(file)}}}}},
             {"logicalLocations", {{{"fullyQualifiedName", file}}}}}}}};
}

}  // namespace

nlohmann::json ReportToSarif(const ScanReport& report, Severity fail_on) {
  using nlohmann::json;
  constexpr const char* kUndecidedRule = "scan/undecided";
  std::map<std::string, Severity> rules;  // id -> worst severity seen
  json results = json::array();
  for (const FileReport& f : report.files) {
    for (const Finding& x : f.findings) {
      auto [it, inserted] = rules.emplace(x.rule, x.severity);
      if (!inserted && x.severity > it->second) it->second = x.severity;
      results.push_back(Result(x.rule, Level(x.severity), x.file, x.detail));
    }
    for (const Undecided& u : f.undecided) {
      rules.emplace(kUndecidedRule, Severity::kHigh);
      results.push_back(Result(kUndecidedRule, "error", u.file, "could not decide: " + u.reason));
    }
  }
  for (const Undecided& u : report.errors) {
    rules.emplace(kUndecidedRule, Severity::kHigh);
    results.push_back(Result(kUndecidedRule, "error", u.file, "could not decide: " + u.reason));
  }
  json driver_rules = json::array();
  for (const auto& [id, sev] : rules) {
    driver_rules.push_back({{"id", id},
                            {"shortDescription", {{"text", id}}},
                            {"helpUri", "https://modelgate.io/docs/rules#" + id},
                            {"defaultConfiguration", {{"level", Level(sev)}}}});
  }
  Verdict verdict = Decide(report, fail_on);
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool",
              {{"driver",
                {{"name", "modelgate"},
                 {"version", ScannerVersion()},
                 {"informationUri", "https://modelgate.io"},
                 {"rules", driver_rules}}}}},
             {"invocations",
              {{{"executionSuccessful", verdict != Verdict::kUndecided},
                {"startTimeUtc", report.started},
                {"endTimeUtc", report.completed},
                {"exitCode", ExitCode(verdict)}}}},
             {"results", results}}}}};
}

}  // namespace modelgate::scanners
