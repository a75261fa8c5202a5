// ScanPaths: the scanner's front door. Walks files and model directories,
// hashes every file (streamed, in parallel) and runs the content analyzers.
//
// Thread-safety: ScanPaths may be called concurrently; the progress callback
// is invoked from worker threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "scanners/context.h"
#include "scanners/finding.h"
#include "scanners/limits.h"
#include "scanners/status.h"

namespace modelgate::scanners {

struct ScanOptions {
  ScanLimits limits;
  // Worker threads for files (0: one per core).
  unsigned threads = 0;
  // Called as bytes are hashed: (bytes done so far, total bytes). Optional.
  std::function<void(uint64_t, uint64_t)> progress;
};

// Overall outcome of a scan, worst first: undecided files never count as clean.
enum class Verdict { kClean, kFindings, kUndecided };

struct ScanReport {
  std::vector<std::string> roots;   // the paths as given
  std::vector<FileReport> files;    // sorted by path
  std::string started;              // RFC 3339 UTC
  std::string completed;
  uint64_t total_bytes = 0;
  // Errors that stopped a path from being scanned at all (missing file, ...).
  std::vector<Undecided> errors;
};

// Scans each path: a regular file is one FileReport (path as given); a directory
// is walked recursively and each file is reported relative to it, prefixed by
// the directory as given ("model/config.json"). Symlinks are followed to regular
// files (a target outside the scanned directory is a finding); other special
// files are reported undecided. Directory-level checks (custom *.py code in a
// Hugging Face model directory) are added to the file they concern.
// A path that does not exist lands in ScanReport::errors (undecided), not clean.
ScanReport ScanPaths(const std::vector<std::string>& paths, const ScanOptions& options);

// Scans one in-memory blob as if it were a file named `name` (tests, fuzzing).
FileReport ScanBytes(std::string_view bytes, const std::string& name, const ScanLimits& limits);

// Worst severity among all findings, if any.
std::optional<Severity> WorstSeverity(const ScanReport& report);

// kFindings when any finding is at or above `fail_on`; else kUndecided when any
// file (or path) was undecided; else kClean.
Verdict Decide(const ScanReport& report, Severity fail_on);

// The same rules for one file alone, so a file's verdict never contradicts the report's:
// a finding at or above `fail_on` outranks an undecided part, and findings below it (an
// info `format/unrecognized`) leave the file clean. The JSON and text reports use it.
Verdict DecideFile(const FileReport& file, Severity fail_on);

// Process exit code for a verdict: 0 clean, 1 findings, 2 undecided.
int ExitCode(Verdict v);

std::string_view VerdictName(Verdict v);  // "clean", "findings", "undecided"

// Scanner version string, e.g. "0.1.0".
std::string_view ScannerVersion();

}  // namespace modelgate::scanners
