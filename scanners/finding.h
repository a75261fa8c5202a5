// Findings and verdicts: what every scanner part reports.
//
// A parser never returns "clean" silently. It either adds findings (with a
// severity), marks the input undecided (it could not finish: malformed,
// truncated, over a bound), or adds nothing because it fully understood the
// bytes and they are safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace modelgate::scanners {

enum class Severity { kInfo = 0, kLow, kMedium, kHigh, kCritical };

// "info", "low", "medium", "high", "critical".
std::string_view SeverityName(Severity s);
// Parses a SeverityName(); nullopt for anything else.
std::optional<Severity> ParseSeverity(std::string_view name);

// One observation about one file (or archive member).
struct Finding {
  // Stable check id, e.g. "pickle/dangerous-global". docs/scanner.md lists them.
  std::string rule;
  Severity severity = Severity::kInfo;
  // Display path: "dir/model.bin" or, inside archives, "model.zip!archive/data.pkl".
  std::string file;
  std::string detail;
};

// The scanner could not decide about `file` (never treated as clean).
struct Undecided {
  std::string file;
  std::string reason;
};

}  // namespace modelgate::scanners
