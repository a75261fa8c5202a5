// ScanContext: where an analyzer reports what it learned about one blob.
//
// A blob is a top-level file or an archive member. Analyzers receive the
// blob's bytes as a ByteSource plus a ScanContext, and call Add() for
// findings and Undecide() when they cannot finish. Archive analyzers create
// a Child() context per member and hand it back to AnalyzeBlob() (dispatch.h).
// Not thread-safe: one context tree per top-level file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "scanners/finding.h"
#include "scanners/format.h"
#include "scanners/limits.h"

namespace modelgate::scanners {

// What the scan learned about one top-level file.
struct FileReport {
  std::string path;          // as displayed (relative to the scanned directory)
  uint64_t size = 0;
  std::string sha256;        // lowercase hex; empty if hashing failed
  Format format = Format::kUnknown;
  std::vector<Finding> findings;
  std::vector<Undecided> undecided;
  // Extra facts worth pinning, e.g. {"chat_template_sha256", "<hex>"}.
  std::vector<std::pair<std::string, std::string>> facts;
};

class ScanContext {
 public:
  // Top-level context for one file; `report` must outlive the context.
  ScanContext(const ScanLimits& limits, FileReport* report);

  // Context for a member named `member` of the blob this context describes.
  ScanContext Child(const std::string& member) const;

  const ScanLimits& limits() const { return *limits_; }
  const std::string& path() const { return path_; }  // "a.zip!inner.tar!x.pkl"
  int depth() const { return depth_; }

  void Add(std::string rule, Severity severity, std::string detail);
  void Undecide(std::string reason);
  // Records a fact about this blob (key is prefixed with the member path if nested).
  void AddFact(std::string key, std::string value);
  // Sets the detected format; only the top-level blob's format lands in the report.
  void SetFormat(Format f);

  // Charges `n` decompressed bytes against the per-file budget shared by the
  // whole context tree. Returns false (and marks undecided) once exhausted.
  bool ChargeDecompressed(uint64_t n);

 private:
  struct Shared {
    uint64_t decompressed = 0;
  };
  const ScanLimits* limits_;
  FileReport* report_;
  std::shared_ptr<Shared> shared_;
  std::string path_;
  int depth_ = 0;
};

}  // namespace modelgate::scanners
