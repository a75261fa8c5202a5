// How a pod is tied to its models (DESIGN.md): the modelgate.io/models annotation, a
// volume matching a ModelAdmission's source, a PVC labelled modelgate.io/model;
// otherwise a volume the policy calls a model volume is unregistered (MG001).
#include <yaml-cpp/yaml.h>

#include <set>

#include "policy/checks.h"
#include "policy/glob.h"

namespace modelgate::policy::internal {

namespace {

constexpr const char* kModelsAnnotation = "modelgate.io/models";
constexpr const char* kModelLabel = "modelgate.io/model";

std::vector<std::string> SplitNames(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    size_t b = cur.find_first_not_of(" \t"), e = cur.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (char c : s) {
    if (c == ',') flush();
    else cur.push_back(c);
  }
  flush();
  return out;
}

bool HasDotDot(const std::string& normalized) {
  return normalized == ".." || normalized.rfind("../", 0) == 0 || normalized.find("/../") != std::string::npos ||
         (normalized.size() >= 3 && normalized.compare(normalized.size() - 3, 3, "/..") == 0);
}

// `inner` is `outer` or below it (both normalised, relative or both absolute).
bool Within(const std::string& inner, const std::string& outer) {
  if (outer.empty() || outer == "/") return true;
  return inner == outer || (inner.size() > outer.size() && inner.compare(0, outer.size(), outer) == 0 &&
                            inner[outer.size()] == '/');
}

// The ModelAdmissions whose source covers what `mount` of `vol` shows the container.
std::vector<Ptr<ModelAdmission>> MatchSource(const Workload& w, const Volume& vol, const VolumeMount& mount,
                                             const ClusterView& cluster) {
  std::vector<Ptr<ModelAdmission>> out;
  const std::string sub = NormalizePath(mount.sub_path);
  switch (vol.kind) {
    case VolumeKind::kPvc:
      // A mount sees claim/<subPath>: covered when the ModelAdmission's subPath is that
      // directory or one of its parents. subPathExpr is unknown until runtime, and
      // ".." escapes; only a whole-claim ModelAdmission covers those.
      for (const auto& ma : cluster.ModelAdmissionsBySource(w.namespace_name, ModelSource::Kind::kPvc, vol.claim_name)) {
        const std::string ma_sub = NormalizePath(ma->source.sub_path);
        if (ma_sub.empty() || (!mount.sub_path_expr && !HasDotDot(sub) && Within(sub, ma_sub))) out.push_back(ma);
      }
      break;
    case VolumeKind::kHostPath: {
      std::string path = NormalizePath(vol.host_path);
      if (!mount.sub_path_expr && !sub.empty()) path = NormalizePath(path + "/" + sub);
      if (HasDotDot(path)) break;
      // The ModelAdmission's path is this path or a parent of it.
      for (std::string p = path; !p.empty();) {
        for (const auto& ma : cluster.ModelAdmissionsBySource(w.namespace_name, ModelSource::Kind::kHostPath, p))
          out.push_back(ma);
        if (p == "/") break;
        size_t slash = p.rfind('/');
        p = slash == 0 ? "/" : (slash == std::string::npos ? "" : p.substr(0, slash));
      }
      break;
    }
    case VolumeKind::kImage:
      out = cluster.ModelAdmissionsBySource(w.namespace_name, ModelSource::Kind::kImage, vol.image_reference);
      break;
    case VolumeKind::kOther:
      break;
  }
  return out;
}

bool LooksLikeModelVolume(const Volume& vol, const VolumeMount& mount, const Pvc* pvc, const AdmissionPolicy& p) {
  for (const auto& g : p.detection.mount_path_globs)
    if (GlobMatch(g, NormalizePath(mount.mount_path))) return true;
  for (const auto& g : p.detection.volume_name_patterns)
    if (GlobMatch(g, vol.name)) return true;
  if (pvc && !p.detection.pvc_label.empty() && pvc->labels.count(p.detection.pvc_label)) return true;
  if (vol.kind == VolumeKind::kImage && p.detection.image_volumes) return true;
  return false;
}

// A DNS-1123 name suggestion from `hint`.
std::string SuggestName(const std::string& hint) {
  std::string out;
  for (char c : hint) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (ok) out.push_back(c);
    else if (!out.empty() && out.back() != '-') out.push_back('-');
    if (out.size() >= 63) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "my-model" : out;
}

// A ModelAdmission that registers what `mount` of `vol` shows (valid as is; the
// comments ask for the publisher's hashes, without which MG006 denies after the scan).
std::string Snippet(const Workload& w, const Volume* vol, const VolumeMount* mount, const std::string& name) {
  YAML::Emitter y;
  y << YAML::BeginMap << YAML::Key << "apiVersion" << YAML::Value << "modelgate.io/v1alpha1";
  y << YAML::Key << "kind" << YAML::Value << "ModelAdmission";
  y << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << name
    << YAML::Key << "namespace" << YAML::Value << w.namespace_name << YAML::EndMap;
  y << YAML::Key << "spec" << YAML::Value << YAML::BeginMap;
  y << YAML::Key << "source" << YAML::Value << YAML::BeginMap;
  if (vol && vol->kind == VolumeKind::kPvc) {
    y << YAML::Key << "pvc" << YAML::Value << YAML::BeginMap << YAML::Key << "claimName" << YAML::Value
      << vol->claim_name;
    if (mount && !mount->sub_path.empty() && !mount->sub_path_expr)
      y << YAML::Key << "subPath" << YAML::Value << NormalizePath(mount->sub_path);
    y << YAML::EndMap;
  } else if (vol && vol->kind == VolumeKind::kHostPath) {
    std::string path = vol->host_path;
    if (mount && !mount->sub_path.empty() && !mount->sub_path_expr) path += "/" + mount->sub_path;
    y << YAML::Key << "hostPath" << YAML::Value << YAML::BeginMap << YAML::Key << "path" << YAML::Value
      << NormalizePath(path) << YAML::EndMap;
  } else if (vol && vol->kind == VolumeKind::kImage) {
    y << YAML::Key << "image" << YAML::Value << YAML::BeginMap << YAML::Key << "reference" << YAML::Value
      << vol->image_reference << YAML::EndMap;
  } else {
    y << YAML::Key << "pvc" << YAML::Value << YAML::BeginMap << YAML::Key << "claimName" << YAML::Value
      << "<claim holding the model>" << YAML::EndMap;
  }
  y << YAML::EndMap;
  y << YAML::Key << "format" << YAML::Value << "safetensors";
  y << YAML::Comment("pin the publisher's hashes (MG006): files: [{path: ..., sha256: <64 hex>}] or digest: sha256:...");
  y << YAML::EndMap << YAML::EndMap;
  return std::string(y.c_str()) + "\n";
}

void AddUse(Binding& b, const Ptr<ModelAdmission>& ma, const char* how, const std::string& volume) {
  for (const auto& [existing, _] : b.uses)
    if (existing->name == ma->name) return;
  b.uses.push_back({ma, ModelUse{ma->namespace_name, ma->name, ma->uid, how, volume}});
}

}  // namespace

Binding BindModels(const Workload& w, const ClusterView& cluster, const AdmissionPolicy& policy) {
  Binding b;
  bool annotated = false;
  if (auto it = w.annotations.find(kModelsAnnotation); it != w.annotations.end()) {
    for (const auto& name : SplitNames(it->second)) {
      annotated = true;
      if (auto ma = cluster.FindModelAdmission(w.namespace_name, name)) {
        AddUse(b, ma, "annotation", "");
      } else {
        b.unregistered.push_back({"MG001", std::string("annotation ") + kModelsAnnotation,
                                  "names ModelAdmission " + Quote(name) + ", which does not exist in namespace " +
                                      Quote(w.namespace_name),
                                  "create it (snippet below) or correct the annotation",
                                  Snippet(w, nullptr, nullptr, SuggestName(name))});
      }
    }
  }
  std::set<std::string> reported;  // volume/subPath already reported as MG001
  for (const Container& c : w.containers) {
    for (const VolumeMount& m : c.mounts) {
      const Volume* vol = w.FindVolume(m.name);
      if (vol == nullptr) continue;  // the API server rejects dangling mounts
      auto matched = MatchSource(w, *vol, m, cluster);
      if (!matched.empty()) {
        for (const auto& ma : matched) AddUse(b, ma, "source", vol->name);
        continue;
      }
      Ptr<Pvc> pvc;
      if (vol->kind == VolumeKind::kPvc) {
        pvc = cluster.FindPvc(w.namespace_name, vol->claim_name);
        if (pvc) {
          if (auto it = pvc->labels.find(kModelLabel); it != pvc->labels.end() && !it->second.empty()) {
            if (auto ma = cluster.FindModelAdmission(w.namespace_name, it->second)) {
              AddUse(b, ma, "pvc-label", vol->name);
              continue;
            }
            if (reported.insert(vol->name + "\n" + m.sub_path).second) {
              b.unregistered.push_back(
                  {"MG001", "volume " + Quote(vol->name),
                   "PVC " + Quote(vol->claim_name) + " is labelled " + kModelLabel + "=" + it->second +
                       " but ModelAdmission " + Quote(it->second) + " does not exist",
                   "create the ModelAdmission (snippet below) or fix the label",
                   Snippet(w, vol, &m, it->second)});
            }
            continue;
          }
        }
      }
      if (!LooksLikeModelVolume(*vol, m, pvc.get(), policy)) continue;
      b.model_workload = true;
      // The annotation vouches for volumes filled at runtime (emptyDir, CSI, ...), not
      // for persistent sources that could match a ModelAdmission themselves.
      if (annotated && vol->kind == VolumeKind::kOther) continue;
      if (!reported.insert(vol->name + "\n" + m.sub_path).second) continue;
      std::string what = "volume " + Quote(vol->name);
      std::string detail = "mounted at " + m.mount_path + " in " + ContainerTarget(c) + " looks like a model volume";
      if (vol->kind == VolumeKind::kPvc) detail += " (PVC " + Quote(vol->claim_name) + (m.sub_path.empty() ? "" : ", subPath " + Quote(m.sub_path)) + ")";
      else if (vol->kind == VolumeKind::kHostPath) detail += " (hostPath " + vol->host_path + ")";
      else if (vol->kind == VolumeKind::kImage) detail += " (image " + vol->image_reference + ")";
      else detail += " (" + vol->other_type + ")";
      b.unregistered.push_back({"MG001", what, detail + " but no ModelAdmission covers it",
                                vol->kind == VolumeKind::kOther
                                    ? "list the models it holds in the pod annotation modelgate.io/models"
                                    : "register it with a ModelAdmission (snippet below)",
                                vol->kind == VolumeKind::kOther
                                    ? ""
                                    : Snippet(w, vol, &m, SuggestName(vol->kind == VolumeKind::kPvc && !m.sub_path.empty()
                                                                          ? m.sub_path
                                                                          : vol->name))});
    }
  }
  if (!b.uses.empty() || annotated || !b.unregistered.empty()) b.model_workload = true;
  return b;
}

}  // namespace modelgate::policy::internal
