// Model manifests as sigstore/model-transparency v1.x computes them: every
// regular file of a model directory (or every shard of it) paired with its
// SHA-256, in canonical order, plus the root digest that the in-toto
// statement's subject carries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scanners/status.h"

namespace modelgate::signing {

enum class SerializationMethod { kFiles, kShards };

// How to serialize a model. Defaults match model-transparency's defaults.
struct ManifestOptions {
  SerializationMethod method = SerializationMethod::kFiles;
  // Shard length in bytes (kShards only). Must be > 0.
  uint64_t shard_size = 1'000'000'000;
  // When false (default) any symlink that is not ignored is an error, as in
  // model-transparency. When true a symlink to a regular file inside the
  // model is hashed as that file's content; links leaving the model, or
  // links to directories, are errors.
  bool allow_symlinks = false;
  // Paths relative to the model root (POSIX separators). A path ignores
  // itself and, for a directory, everything below it. "./x" and "x/" are
  // accepted. Absolute paths are ignored when they point inside the model.
  std::vector<std::string> ignore_paths;
  // Also ignore .git, .gitattributes, .github, .gitignore (model-transparency
  // does by default).
  bool ignore_git_paths = true;
};

// One resource descriptor: "path" (files) or "path:start:end" (shards).
struct ManifestEntry {
  std::string name;
  std::string sha256;  // lowercase hex
};

struct Manifest {
  std::string model_name;              // last component of the directory
  SerializationMethod method = SerializationMethod::kFiles;
  uint64_t shard_size = 0;             // kShards only
  bool allow_symlinks = false;
  std::vector<ManifestEntry> entries;  // canonical order (see SortCanonical)
  std::string root_digest;             // hex SHA-256 over the raw entry digests
};

// Hashes the model at `dir`. Hidden files are included unless ignored (only
// the git paths are ignored by default). Errors: `dir` is not a directory, a
// symlink that the options forbid, a special file (fifo, socket, device), a
// read error, or no regular file left after the exclusions.
Result<Manifest> ComputeManifest(const std::string& dir, const ManifestOptions& options);

// The files a serialization leaves out: `ignore_paths` (relative to the model root,
// POSIX separators; "./x" and "x/" accepted) and, when `ignore_git_paths`, the git
// paths above. A path covers itself and everything below it. Absolute paths are
// never matched here (ComputeManifest resolves them against the directory first).
class IgnoreSet {
 public:
  IgnoreSet(const std::vector<std::string>& ignore_paths, bool ignore_git_paths);
  // True when the relative path `rel` is ignored.
  bool Covers(std::string_view rel) const;

 private:
  std::vector<std::vector<std::string>> prefixes_;
};

// The `files` manifest of a model known only by its files' SHA-256 (no directory
// access): `files` are (relative path, hex digest) as a scanner reported them. Drops
// the files IgnoreSet(options) covers, normalises names ("./a//b" -> "a/b"), sorts
// canonically and computes the root digest. Symlinks cannot be seen here, so
// options.allow_symlinks is not enforced. Errors: options.method is kShards (whole
// file digests cannot give shard digests), a malformed digest (empty: the file could
// not be hashed) or a name given twice. No file left after the exclusions is not an
// error here (unlike ComputeManifest): a verifier then names every signed file missing.
Result<Manifest> ManifestFromDigests(const std::vector<ManifestEntry>& files, const ManifestOptions& options);

// Sorts entries the way model-transparency orders its manifest keys: by path
// compared component by component (so "a/b" < "a-b"), then by shard start
// and end as numbers.
void SortCanonical(std::vector<ManifestEntry>& entries);

// The root digest (hex): SHA-256 over the concatenated raw digests of
// `entries`, in the given order. Error when a digest is not 64 hex digits.
Result<std::string> RootDigest(const std::vector<ManifestEntry>& entries);

}  // namespace modelgate::signing
