#include "scanners/signing/manifest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <system_error>

#include "scanners/hashing.h"
#include "scanners/signing/encoding.h"

namespace modelgate::signing {
namespace fs = std::filesystem;
namespace {

// Splits a relative POSIX path into components, dropping "." and empty ones.
std::vector<std::string> Components(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if (!part.empty() && part != ".") out.emplace_back(part);
    start = slash + 1;
  }
  return out;
}

bool IsPrefix(const std::vector<std::string>& prefix, const std::vector<std::string>& path) {
  return prefix.size() <= path.size() && std::equal(prefix.begin(), prefix.end(), path.begin());
}

// Shard keys "path:start:end" split at the last two colons (paths may hold ':').
struct Key {
  std::vector<std::string> parts;
  uint64_t start = 0, end = 0;
};

Key ParseKey(const std::string& name) {
  Key k;
  std::string path = name;
  size_t c2 = name.rfind(':');
  size_t c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : name.rfind(':', c2 - 1);
  if (c1 != std::string::npos) {
    std::string a = name.substr(c1 + 1, c2 - c1 - 1), b = name.substr(c2 + 1);
    bool digits = !a.empty() && !b.empty() &&
                  std::all_of(a.begin(), a.end(), ::isdigit) &&
                  std::all_of(b.begin(), b.end(), ::isdigit) && a.size() < 20 && b.size() < 20;
    if (digits) {
      k.start = std::stoull(a);
      k.end = std::stoull(b);
      path = name.substr(0, c1);
    }
  }
  k.parts = Components(path);
  return k;
}

// SHA-256 of bytes [start, end) of `path`, read through OpenSSL EVP.
Result<std::string> Sha256Range(const std::string& path, uint64_t start, uint64_t end) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Error(path + ": " + std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  uint64_t off = start;
  while (off < end) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), end - off));
    ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Status::Error(path + ": short read while hashing shard");
    }
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
    off += static_cast<uint64_t>(n);
  }
  ::close(fd);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  return scanners::HexEncode(std::string_view(reinterpret_cast<char*>(md), len));
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

}  // namespace

IgnoreSet::IgnoreSet(const std::vector<std::string>& ignore_paths, bool ignore_git_paths) {
  auto add = [&](const std::string& p) {
    if (!p.empty() && p[0] == '/') return;
    auto parts = Components(p);
    if (!parts.empty()) prefixes_.push_back(std::move(parts));
  };
  for (const auto& p : ignore_paths) add(p);
  if (ignore_git_paths)
    for (const char* p : {".git", ".gitattributes", ".github", ".gitignore"}) add(p);
}

bool IgnoreSet::Covers(std::string_view rel) const {
  const auto parts = Components(rel);
  return std::any_of(prefixes_.begin(), prefixes_.end(), [&](const auto& ig) { return IsPrefix(ig, parts); });
}

Result<Manifest> ManifestFromDigests(const std::vector<ManifestEntry>& files, const ManifestOptions& options) {
  if (options.method != SerializationMethod::kFiles)
    return Status::Error("shard digests cannot be derived from whole-file digests");
  const IgnoreSet ignores(options.ignore_paths, options.ignore_git_paths);
  Manifest m;
  m.method = SerializationMethod::kFiles;
  m.allow_symlinks = options.allow_symlinks;
  std::set<std::string> seen;
  for (const auto& f : files) {
    if (ignores.Covers(f.name)) continue;
    std::string name = Join(Components(f.name));
    if (name.empty()) return Status::Error("a file has an empty path");
    if (f.sha256.empty()) return Status::Error("'" + name + "' could not be hashed");
    if (!seen.insert(name).second) return Status::Error("'" + name + "' is listed twice");
    m.entries.push_back({std::move(name), f.sha256});
  }
  SortCanonical(m.entries);
  auto rd = RootDigest(m.entries);
  if (!rd.ok()) return rd.status();
  m.root_digest = *rd;
  return m;
}

void SortCanonical(std::vector<ManifestEntry>& entries) {
  std::vector<std::pair<Key, ManifestEntry>> keyed;
  keyed.reserve(entries.size());
  for (auto& e : entries) keyed.emplace_back(ParseKey(e.name), std::move(e));
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    if (a.first.parts != b.first.parts) return a.first.parts < b.first.parts;
    if (a.first.start != b.first.start) return a.first.start < b.first.start;
    return a.first.end < b.first.end;
  });
  entries.clear();
  for (auto& [k, e] : keyed) entries.push_back(std::move(e));
}

Result<std::string> RootDigest(const std::vector<ManifestEntry>& entries) {
  std::string concat;
  for (const auto& e : entries) {
    auto raw = HexDecode(e.sha256);
    if (!raw || raw->size() != 32) return Status::Error("resource '" + e.name + "' has a malformed sha256 digest");
    concat += *raw;
  }
  return scanners::Sha256Hex(concat);
}

Result<Manifest> ComputeManifest(const std::string& dir, const ManifestOptions& options) {
  std::error_code ec;
  fs::path root(dir);
  if (!fs::is_directory(root, ec)) return Status::Error(dir + ": not a directory");
  fs::path canon_root = fs::canonical(root, ec);
  if (ec) return Status::Error(dir + ": " + ec.message());
  if (options.method == SerializationMethod::kShards && options.shard_size == 0)
    return Status::Error("shard size must be positive");

  std::vector<std::string> relative_ignores;
  for (const auto& p : options.ignore_paths) {
    fs::path ip(p);
    if (!ip.is_absolute()) {
      relative_ignores.push_back(p);
      continue;
    }
    fs::path rel = ip.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") {
      rel = ip.lexically_relative(canon_root);
      if (rel.empty() || *rel.begin() == "..") continue;  // outside the model
    }
    relative_ignores.push_back(rel.generic_string());
  }
  const IgnoreSet ignores(relative_ignores, options.ignore_git_paths);

  struct Item {
    std::string rel;
    std::string abs;
    uint64_t size;
  };
  std::vector<Item> files;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) return Status::Error(dir + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::Error(dir + ": " + ec.message());
    const fs::directory_entry& de = *it;
    std::string rel = de.path().lexically_relative(root).generic_string();
    auto parts = Components(rel);
    if (ignores.Covers(rel)) {
      if (de.is_directory(ec) && !de.is_symlink(ec)) it.disable_recursion_pending();
      continue;
    }
    fs::file_status st = de.symlink_status(ec);
    if (ec) return Status::Error(rel + ": " + ec.message());
    std::string abs = de.path().string();
    if (fs::is_symlink(st)) {
      if (!options.allow_symlinks)
        return Status::Error("'" + rel + "' is a symlink and the serialization does not allow symlinks");
      fs::path target = fs::canonical(de.path(), ec);
      if (ec) return Status::Error("'" + rel + "' is a broken symlink");
      fs::path within = target.lexically_relative(canon_root);
      if (within.empty() || *within.begin() == "..")
        return Status::Error("'" + rel + "' is a symlink pointing outside the model");
      if (!fs::is_regular_file(target, ec))
        return Status::Error("'" + rel + "' is a symlink to something other than a regular file");
      abs = target.string();
      st = fs::status(target, ec);
    } else if (fs::is_directory(st)) {
      continue;
    } else if (!fs::is_regular_file(st)) {
      return Status::Error("'" + rel + "' is neither a regular file nor a directory");
    }
    uint64_t size = fs::file_size(abs, ec);
    if (ec) return Status::Error(rel + ": " + ec.message());
    files.push_back({Join(parts), abs, size});
  }
  if (files.empty()) return Status::Error("model contains no regular files after applying exclusions");

  Manifest m;
  m.model_name = canon_root.filename().string();
  fs::path given = root.lexically_normal();
  if (!given.filename().empty() && given.filename() != "." && given.filename() != "..")
    m.model_name = given.filename().string();
  m.method = options.method;
  m.allow_symlinks = options.allow_symlinks;
  if (options.method == SerializationMethod::kFiles) {
    std::vector<std::string> paths;
    for (const auto& f : files) paths.push_back(f.abs);
    auto digests = scanners::Sha256Files(paths);
    for (size_t i = 0; i < files.size(); ++i) {
      if (!digests[i].ok()) return digests[i].status();
      m.entries.push_back({files[i].rel, digests[i].value()});
    }
  } else {
    m.shard_size = options.shard_size;
    for (const auto& f : files) {
      // Empty files have no shard (model-transparency skips them).
      for (uint64_t start = 0; start < f.size; start += options.shard_size) {
        uint64_t stop = std::min(f.size, start + options.shard_size);
        auto d = Sha256Range(f.abs, start, stop);
        if (!d.ok()) return d.status();
        m.entries.push_back({f.rel + ":" + std::to_string(start) + ":" + std::to_string(stop), *d});
      }
    }
  }
  SortCanonical(m.entries);
  auto rd = RootDigest(m.entries);
  if (!rd.ok()) return rd.status();
  m.root_digest = *rd;
  return m;
}

}  // namespace modelgate::signing
