#include "controller/scan_source.h"

#include <filesystem>

#ifdef MODELGATE_HAVE_MG_SIGNING
#include "scanners/signing/manifest.h"
#endif

namespace modelgate::controller {
namespace {

bool HasDotDot(const std::string& p) {
  for (const auto& part : std::filesystem::path(p)) {
    if (part == "..") return true;
  }
  return false;
}

std::string Strip(const std::string& path, const std::string& prefix) {
  if (prefix.empty()) return path;
  if (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 && path[prefix.size()] == '/')
    return path.substr(prefix.size() + 1);
  return path;
}

}  // namespace

Result<std::string> InlineModelRoot(const policy::ModelAdmission& ma, const std::string& pvc_root) {
  using Kind = policy::ModelSource::Kind;
  switch (ma.source.kind) {
    case Kind::kHostPath:
      if (ma.source.host_path.empty() || ma.source.host_path[0] != '/')
        return Status::Error("spec.source.hostPath.path must be an absolute path");
      if (HasDotDot(ma.source.host_path))
        return Status::Error("spec.source.hostPath.path must not contain \"..\"");
      return ma.source.host_path;
    case Kind::kPvc: {
      if (pvc_root.empty())
        return Status::Error("PVC sources need --pvc-root (inline) or --scan-mode job");
      const std::string& claim = ma.source.claim_name;
      if (claim.empty() || claim.find('/') != std::string::npos || claim == "." || claim == "..")
        return Status::Error("spec.source.pvc.claimName is not a valid claim name");
      if (ma.namespace_name.empty() || ma.namespace_name.find('/') != std::string::npos)
        return Status::Error("metadata.namespace is not a valid namespace");
      std::string root = pvc_root;
      while (root.size() > 1 && root.back() == '/') root.pop_back();
      root += "/" + ma.namespace_name + "/" + claim;
      const std::string& sub = ma.source.sub_path;
      if (!sub.empty()) {
        if (sub[0] == '/' || HasDotDot(sub))
          return Status::Error("spec.source.pvc.subPath must be relative and must not contain \"..\"");
        root += "/" + sub;
      }
      return root;
    }
    case Kind::kImage:
      return Status::Error("image sources cannot be read inline; run the controller with --scan-mode job");
    case Kind::kNone:
      break;
  }
  return Status::Error("spec.source has no pvc, hostPath or image");
}

void RelativizeReport(scanners::ScanReport& report, const std::string& root, bool root_is_file) {
  std::string prefix = root;
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  if (root_is_file) prefix = std::filesystem::path(prefix).parent_path().string();
  for (auto& f : report.files) {
    f.path = Strip(f.path, prefix);
    for (auto& x : f.findings) x.file = Strip(x.file, prefix);
    for (auto& u : f.undecided) u.file = Strip(u.file, prefix);
  }
  for (auto& e : report.errors) e.file = Strip(e.file, prefix);
}

std::string ManifestDigest(const scanners::ScanReport& report, const std::vector<std::string>& ignore) {
#ifdef MODELGATE_HAVE_MG_SIGNING
  std::vector<signing::ManifestEntry> entries;
  entries.reserve(report.files.size());
  for (const auto& f : report.files) entries.push_back({f.path, f.sha256});
  signing::ManifestOptions options;  // the files method; git paths are model files here
  options.ignore_paths = ignore;
  options.ignore_git_paths = false;
  auto manifest = signing::ManifestFromDigests(entries, options);
  if (!manifest.ok() || manifest->entries.empty()) return "";
  return "sha256:" + manifest->root_digest;
#else
  (void)report;
  (void)ignore;
  return "";
#endif
}

}  // namespace modelgate::controller
