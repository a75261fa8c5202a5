// Where an inline scan reads a model, and how its report is made relative to the model
// root (spec.files pins and model_signing manifests name files relative to it).
#pragma once

#include <string>
#include <vector>

#include "policy/objects.h"
#include "scanners/scan.h"
#include "scanners/status.h"

namespace modelgate::controller {

// The local path of `ma`'s files for an inline scan:
//   hostPath: spec.source.hostPath.path itself (a path on the operator's node);
//   pvc: <pvc_root>/<namespace>/<claimName>[/<subPath>] when pvc_root is set.
// Errors: an image source (needs --scan-mode job), a PVC without pvc_root, an empty or
// relative hostPath, or a claimName/subPath that could leave its directory ("..",
// absolute subPath, "/" in claimName). Does not touch the file system.
Result<std::string> InlineModelRoot(const policy::ModelAdmission& ma, const std::string& pvc_root);

// Rewrites every path in `report` (files, findings, undecided, errors) that starts with
// the scanned root to be relative to it: "<root>/a/b" -> "a/b"; when `root` is a regular
// file, its parent directory is the root ("/m/model.bin" -> "model.bin"). Paths outside
// the root are left alone.
void RelativizeReport(scanners::ScanReport& report, const std::string& root, bool root_is_file);

// The model_signing (sigstore/model-transparency, files method) manifest root digest of
// the scanned files, "sha256:<hex>", computed from the per-file hashes already in the
// report (no second read). `ignore` lists relative paths left out (the signature file).
// "" when any file has no hash or the signing library is not built in.
std::string ManifestDigest(const scanners::ScanReport& report, const std::vector<std::string>& ignore);

}  // namespace modelgate::controller
