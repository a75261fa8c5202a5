// Comparing the files a scan found with the SHA-256 pins of spec.files, and the
// model_signing manifest digest of spec.digest.
#pragma once

#include <string>
#include <vector>

namespace modelgate::controller {

struct PinnedHash {
  std::string path;    // relative to the model root
  std::string sha256;  // hex, as written in spec.files (compared case-insensitively)
};

struct ObservedFile {
  std::string path;    // relative to the model root
  std::string sha256;  // lowercase hex; empty when hashing failed
};

struct HashMismatch {
  std::string path, pinned, actual;
};

struct HashComparison {
  int pinned = 0;                       // number of pins
  int matched = 0;                      // pins whose file exists with the pinned hash
  std::vector<std::string> missing;     // pinned but not found
  std::vector<HashMismatch> mismatched; // found with another hash (or unhashable: actual "")
  std::vector<std::string> unpinned;    // found but not pinned (an extra file could be loaded)
  bool ok() const { return missing.empty() && mismatched.empty() && unpinned.empty(); }
  // One precise sentence: "model.safetensors: sha256 3f2a... != pinned 9c1b...; missing:
  // a.bin; not pinned: extra.bin". At most `max_items` names per list, then "(+N more)".
  std::string Message(size_t max_items = 5) const;
};

// Compares `files` with `pins`. Paths are compared after removing a leading "./".
// When `pins` is empty every list is empty (nothing pinned, nothing to compare).
// `ignore` names files excluded from the "unpinned" list (e.g. the signature file).
HashComparison CompareHashes(const std::vector<PinnedHash>& pins, const std::vector<ObservedFile>& files,
                             const std::vector<std::string>& ignore = {});

}  // namespace modelgate::controller
