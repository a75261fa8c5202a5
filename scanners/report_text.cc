#include <cstdio>
#include <string>

#include "scanners/report.h"

namespace modelgate::scanners {
namespace {

std::string HumanBytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string Paint(const std::string& s, const char* code, bool color) {
  return color ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
}

const char* SeverityColor(Severity s) {
  switch (s) {
    case Severity::kCritical: return "1;31";
    case Severity::kHigh: return "31";
    case Severity::kMedium: return "33";
    default: return "36";
  }
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string ReportToText(const ScanReport& report, Severity fail_on, bool color) {
  std::string out;
  for (const FileReport& f : report.files) {
    // Findings below --fail-on are listed under a "clean" file, as in the JSON report.
    std::string state;
    switch (DecideFile(f, fail_on)) {
      case Verdict::kUndecided: state = Paint("UNDECIDED", "1;35", color); break;
      case Verdict::kClean: state = Paint("clean", "32", color); break;
      case Verdict::kFindings: state = Paint("findings", "31", color); break;
    }
    char line[512];
    std::snprintf(line, sizeof line, "%-12s %10s  %s  %s\n", std::string(FormatName(f.format)).c_str(),
                  HumanBytes(f.size).c_str(), f.path.c_str(), state.c_str());
    out += line;
    for (const Finding& x : f.findings) {
      out += "    " + Paint(Upper(SeverityName(x.severity)), SeverityColor(x.severity), color) + " " +
             x.rule + "  " + (x.file != f.path ? x.file + ": " : "") + x.detail + "\n";
    }
    for (const Undecided& u : f.undecided) {
      out += "    " + Paint("UNDECIDED", "1;35", color) + " " +
             (u.file != f.path ? u.file + ": " : "") + u.reason + "\n";
    }
  }
  for (const Undecided& u : report.errors) {
    out += Paint("ERROR", "1;35", color) + " " + u.file + ": " + u.reason + "\n";
  }
  Verdict v = Decide(report, fail_on);
  out += "\n" + std::to_string(report.files.size()) + " files, " + HumanBytes(report.total_bytes) +
         " scanned; verdict: " + std::string(VerdictName(v)) + " (fail-on " +
         std::string(SeverityName(fail_on)) + ", exit " + std::to_string(ExitCode(v)) + ")\n";
  return out;
}

}  // namespace modelgate::scanners
