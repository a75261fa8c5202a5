#include "policy/scanner_pod.h"

#include <algorithm>
#include <iterator>

namespace modelgate::policy {

namespace {

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// True when p[start..] is one or more "/"-separated segments, none of them "", "." or
// "..": nothing that could climb out of the directory it is relative to.
bool CleanSegments(const std::string& p, size_t start) {
  while (true) {
    const size_t end = p.find('/', start);
    const std::string segment = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    if (end == std::string::npos) return true;
    start = end + 1;
  }
}

// "/model" or "/model/a/b": below the model mount, with no segment that could climb
// out of it or alias another path ("", ".", "..").
bool ModelPath(const std::string& p) {
  if (p == kScannerModelMount) return true;
  const std::string prefix = std::string(kScannerModelMount) + "/";
  if (p.compare(0, prefix.size(), prefix) != 0) return false;
  return CleanSegments(p, prefix.size());
}

// "model.sig", "sigs/model.sig": the relative path `--embed-signature` takes (the
// scanner reads it below the scanned directory only).
// A leading '-' is refused too: such a value would read as another option.
bool RelativeModelPath(const std::string& p) {
  return !p.empty() && p[0] != '/' && p[0] != '-' && CleanSegments(p, 0);
}

// Why `args` are not `scan` + model paths + the operator's flags, or "".
std::string BadArgs(const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "scan") return "args do not start with \"scan\"";
  bool embeds = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--no-progress" || ModelPath(a)) continue;
    if (a == "--output" && i + 1 < args.size() && args[i + 1] == "json") {
      ++i;
      continue;
    }
    if (a == "--embed-signature" && !embeds && i + 1 < args.size() && RelativeModelPath(args[i + 1])) {
      embeds = true;
      ++i;
      continue;
    }
    return "argument " + Quoted(a) + " is not a path under " + std::string(kScannerModelMount) +
           ", --output json, --no-progress or one --embed-signature RELATIVE/PATH";
  }
  return "";
}

bool AllowedContainerField(const std::string& key) {
  return std::find(std::begin(kScannerContainerFields), std::end(kScannerContainerFields), key) !=
         std::end(kScannerContainerFields);
}

// The first shape condition `w` fails, or "" when it is a scanner pod.
std::string Mismatch(const Workload& w, const std::string& scanner_image) {
  if (w.kind != "Pod" && w.kind != "Job") return "a " + w.kind + " is never a scanner pod (only Pods and Jobs)";
  if (w.containers.size() != 1) return std::to_string(w.containers.size()) + " containers, not exactly one";
  const Container& c = w.containers[0];
  const std::string target = std::string(ContainerKindName(c.kind)) + " " + Quoted(c.name);
  if (c.kind != ContainerKind::kRegular) return "its only container is an " + std::string(ContainerKindName(c.kind));
  if (c.image != scanner_image) return target + " image " + Quoted(c.image) + " is not the scanner image";
  if (!c.command.empty()) return target + " overrides the image's command";
  if (std::string why = BadArgs(c.args); !why.empty()) return target + " " + why;
  for (const auto& f : c.fields)
    if (!AllowedContainerField(f)) return target + " sets " + f;
  for (const auto& m : c.mounts) {
    const std::string mount = target + " mount " + Quoted(m.name);
    if (!m.read_only) return mount + " is not readOnly";
    if (m.sub_path_expr) return mount + " uses subPathExpr";
    if (!ModelPath(m.mount_path))
      return mount + " at " + Quoted(m.mount_path) + " is not " + std::string(kScannerModelMount) + " or below it";
  }
  for (const auto& v : w.volumes) {
    switch (v.kind) {
      case VolumeKind::kPvc:
        if (!v.read_only) return "PVC volume " + Quoted(v.name) + " is not readOnly";
        break;
      case VolumeKind::kHostPath:
      case VolumeKind::kImage:
        break;
      case VolumeKind::kOther:
        return "volume " + Quoted(v.name) + " is a " + v.other_type + " volume (only PVC, hostPath and image)";
    }
  }
  if (w.automount_service_account_token != false)
    return w.automount_service_account_token ? "automountServiceAccountToken is true"
                                             : "automountServiceAccountToken is not set to false";
  if (w.host_network) return "hostNetwork is true";
  if (w.host_pid) return "hostPID is true";
  if (w.host_ipc) return "hostIPC is true";
  return "";
}

}  // namespace

ScannerPodCheck CheckScannerPod(const Workload& w, const std::string& scanner_image) {
  ScannerPodCheck out;
  if (scanner_image.empty()) return out;
  out.reason = Mismatch(w, scanner_image);
  if (out.reason.empty()) {
    out.recognised = true;
    out.reason = "scanner pod (image " + Quoted(scanner_image) +
                 ", read-only model mounts, no token): model rules MG001-MG008 and MG013-MG015 not applied";
  }
  return out;
}

}  // namespace modelgate::policy
