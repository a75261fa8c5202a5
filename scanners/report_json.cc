#include "scanners/report.h"

namespace modelgate::scanners {

nlohmann::json ReportToJson(const ScanReport& report, Severity fail_on) {
  using nlohmann::json;
  Verdict verdict = Decide(report, fail_on);
  json counts = {{"critical", 0}, {"high", 0}, {"medium", 0}, {"low", 0}, {"info", 0}};
  size_t undecided = report.errors.size();
  json files = json::array();
  for (const FileReport& f : report.files) {
    json findings = json::array();
    for (const Finding& x : f.findings) {
      counts[std::string(SeverityName(x.severity))] = counts[std::string(SeverityName(x.severity))].get<int>() + 1;
      findings.push_back({{"rule", x.rule},
                          {"severity", SeverityName(x.severity)},
                          {"file", x.file},
                          {"detail", x.detail}});
    }
    json und = json::array();
    for (const Undecided& u : f.undecided) und.push_back({{"file", u.file}, {"reason", u.reason}});
    undecided += f.undecided.size();
    json facts = json::object();
    for (const auto& [k, v] : f.facts) facts[k] = v;
    files.push_back({{"path", f.path},
                     {"size", f.size},
                     {"sha256", f.sha256},
                     {"format", FormatName(f.format)},
                     {"verdict", VerdictName(DecideFile(f, fail_on))},
                     {"findings", findings},
                     {"undecided", und},
                     {"facts", facts}});
  }
  json errors = json::array();
  for (const Undecided& u : report.errors) errors.push_back({{"file", u.file}, {"reason", u.reason}});
  return {{"schemaVersion", "modelgate.io/scan/v1"},
          {"scanner", {{"name", "modelgate"}, {"version", ScannerVersion()}}},
          {"started", report.started},
          {"completed", report.completed},
          {"roots", report.roots},
          {"failOn", SeverityName(fail_on)},
          {"verdict", VerdictName(verdict)},
          {"exitCode", ExitCode(verdict)},
          {"summary",
           {{"files", report.files.size()},
            {"bytes", report.total_bytes},
            {"findings", counts},
            {"undecided", undecided}}},
          {"files", files},
          {"errors", errors}};
}

}  // namespace modelgate::scanners
