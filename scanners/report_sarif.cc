#include <map>

#include "scanners/report.h"
#include "scanners/sarif.h"

namespace modelgate::scanners {
namespace {

std::string_view Level(Severity s) {
  if (s >= Severity::kHigh) return "error";
  if (s == Severity::kMedium) return "warning";
  return "note";
}

nlohmann::json Result(const std::string& rule, std::string_view level, const std::string& file,
                      const std::string& text) {
  // Archive members ("a.zip!x.pkl") point at the outer file; the logical name keeps the member.
  return {{"ruleId", rule},
          {"level", level},
          {"message", {{"text", file + ": " + text}}},
          {"locations", nlohmann::json::array({SarifLocation(file.substr(0, file.find('!')), file)})}};
}

// The document in the modelgate source that lists a scanner rule, by its family (the id
// before '/'). The families are those of docs/rules/*.md; anything else (scan/undecided,
// format/unrecognized, file/...) is described with the report format.
std::string RuleDoc(const std::string& id) {
  const std::string family = id.substr(0, id.find('/'));
  if (family == "pickle") return "docs/rules/pickle.md";
  if (family == "zip" || family == "archive" || family == "numpy") return "docs/rules/archives.md";
  if (family == "safetensors" || family == "gguf" || family == "template" || family == "hf" || family == "json" ||
      family == "keras" || family == "onnx")
    return "docs/rules/formats.md";
  return "docs/scan-output.md";
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
    json rule = SarifRule(id, "modelgate scanner finding " + id,
                          "modelgate scanner finding " + id + ". Its meaning, severity and fix are in " + RuleDoc(id) +
                              " of the modelgate source; the result's message names the file and what was found.");
    rule["defaultConfiguration"] = {{"level", Level(sev)}};
    driver_rules.push_back(std::move(rule));
  }
  Verdict verdict = Decide(report, fail_on);
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool",
              {{"driver",
                {{"name", "modelgate"},
                 {"version", ScannerVersion()},
                 {"rules", driver_rules}}}}},
             {"invocations",
              {{{"executionSuccessful", verdict != Verdict::kUndecided},
                {"startTimeUtc", report.started},
                {"endTimeUtc", report.completed},
                {"exitCode", ExitCode(verdict)}}}},
             {"results", results}}}}};
}

}  // namespace modelgate::scanners
