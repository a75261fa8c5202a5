// Renderings of a ScanReport: human text, JSON (schema in docs/scan-output.md)
// and SARIF 2.1.0 for code-scanning UIs. Pure functions of the report.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "scanners/scan.h"

namespace modelgate::scanners {

// Stable JSON document "modelgate.io/scan/v1"; `fail_on` decides the verdict field.
nlohmann::json ReportToJson(const ScanReport& report, Severity fail_on);

// SARIF 2.1.0 log: one result per finding and per undecided file.
nlohmann::json ReportToSarif(const ScanReport& report, Severity fail_on);

// Human-readable summary, one line per file plus one per finding.
// `color` adds ANSI colours (for terminals).
std::string ReportToText(const ScanReport& report, Severity fail_on, bool color);

}  // namespace modelgate::scanners
