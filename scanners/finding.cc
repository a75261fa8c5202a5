#include "scanners/finding.h"

#include <array>

namespace modelgate::scanners {
namespace {
constexpr std::array<std::string_view, 5> kNames = {"info", "low", "medium", "high", "critical"};
}  // namespace

std::string_view SeverityName(Severity s) { return kNames[static_cast<int>(s)]; }

std::optional<Severity> ParseSeverity(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

}  // namespace modelgate::scanners
