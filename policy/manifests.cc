#include "policy/manifests.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <regex>

#include "policy/admission_policy.h"
#include "policy/objects.h"
#include "policy/workload.h"

namespace modelgate::policy {

using nlohmann::json;

namespace {

constexpr int kMaxDepth = 64;
constexpr size_t kMaxNodes = 1000000;

struct ConvertError {
  std::string message;
};

// A plain (unquoted) scalar typed by the YAML 1.2 core schema.
json PlainScalar(const std::string& s) {
  static const std::regex kInt("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s.size() < 64 && std::regex_match(s, kInt)) {
    try {
      size_t used = 0;
      long long v = 0;
      if (s.rfind("0o", 0) == 0) v = std::stoll(s.substr(2), &used, 8), used += 2;
      else if (s.rfind("0x", 0) == 0) v = std::stoll(s.substr(2), &used, 16), used += 2;
      else v = std::stoll(s, &used, 10);
      if (used == s.size()) return v;
    } catch (const std::exception&) {
      // out of range: fall through to float
    }
  }
  if (s.size() < 64 && std::regex_match(s, kFloat)) {
    try {
      double d = std::stod(s);
      if (std::isfinite(d)) return d;
    } catch (const std::exception&) {
    }
  }
  return s;
}

json Convert(const YAML::Node& n, int depth, size_t& nodes) {
  if (++nodes > kMaxNodes) throw ConvertError{"more than 1000000 YAML nodes (alias bomb?)"};
  if (depth > kMaxDepth) throw ConvertError{"nesting deeper than 64"};
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      if (n.Tag() == "?") return PlainScalar(n.Scalar());
      return n.Scalar();  // quoted, or explicitly tagged: a string
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& item : n) a.push_back(Convert(item, depth + 1, nodes));
      return a;
    }
    case YAML::NodeType::Map: {
      json o = json::object();
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) throw ConvertError{"mapping key is not a scalar"};
        o[kv.first.Scalar()] = Convert(kv.second, depth + 1, nodes);
      }
      return o;
    }
  }
  return nullptr;
}

void Expand(json obj, const std::string& origin, std::vector<ManifestObject>& out) {
  if (obj.is_object() && obj.contains("kind") && obj["kind"].is_string() && obj.contains("items") &&
      obj["items"].is_array()) {
    const std::string kind = obj["kind"].get<std::string>();
    if (kind.size() >= 4 && kind.compare(kind.size() - 4, 4, "List") == 0) {
      for (size_t i = 0; i < obj["items"].size(); ++i)
        Expand(obj["items"][i], origin + " items[" + std::to_string(i) + "]", out);
      return;
    }
  }
  out.push_back({std::move(obj), origin});
}

}  // namespace

Result<std::vector<ManifestObject>> LoadManifests(std::string_view text, const std::string& source) {
  std::vector<ManifestObject> out;
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::Error(source + ": invalid YAML: " + e.what());
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    const std::string origin = source + "#" + std::to_string(i + 1);
    json obj;
    try {
      size_t nodes = 0;
      obj = Convert(docs[i], 0, nodes);
    } catch (const ConvertError& e) {
      return Status::Error(origin + ": " + e.message);
    } catch (const YAML::Exception& e) {
      return Status::Error(origin + ": invalid YAML: " + e.what());
    }
    if (obj.is_null()) continue;
    if (!obj.is_object()) return Status::Error(origin + ": expected a mapping (an API object)");
    Expand(std::move(obj), origin, out);
  }
  return out;
}

void AddToManifestSet(const ManifestObject& m, const std::string& default_namespace, bool judge, ManifestSet& set) {
  json obj = m.object;
  if (!obj.is_object()) {
    set.errors.push_back(m.origin + ": expected an API object");
    return;
  }
  const std::string kind = obj.contains("kind") && obj["kind"].is_string() ? obj["kind"].get<std::string>() : "";
  const bool cluster_scoped = kind == "Namespace" || kind == "ModelAdmissionPolicy";
  if (!cluster_scoped && obj.contains("metadata") && obj["metadata"].is_object()) {
    json& md = obj["metadata"];
    if (!md.contains("namespace") || !md["namespace"].is_string() || md["namespace"].get<std::string>().empty())
      md["namespace"] = default_namespace;
  }
  auto fail = [&](const Status& s) { set.errors.push_back(m.origin + ": " + s.message()); };
  if (kind == "ModelAdmission") {
    auto ma = ParseModelAdmission(obj);
    if (ma.ok()) set.cluster.AddModelAdmission(std::move(ma).value());
    else fail(ma.status());
  } else if (kind == "NetworkPolicy") {
    auto np = ParseNetworkPolicy(obj);
    if (np.ok()) set.cluster.AddNetworkPolicy(std::move(np).value());
    else fail(np.status());
  } else if (kind == "PersistentVolumeClaim") {
    auto pvc = ParsePvc(obj);
    if (pvc.ok()) set.cluster.AddPvc(std::move(pvc).value());
    else fail(pvc.status());
  } else if (kind == "Namespace") {
    auto ns = ParseNamespace(obj);
    if (ns.ok()) set.cluster.AddNamespace(std::move(ns).value());
    else fail(ns.status());
  } else if (kind == "ModelAdmissionPolicy") {
    std::vector<std::string> warns;
    auto p = ParsePolicy(obj, &warns);
    if (p.ok()) set.cluster.AddPolicy(std::move(p).value());
    else fail(p.status());
    for (auto& w : warns) set.warnings.push_back(m.origin + ": " + w);
  } else if (IsWorkloadKind(kind)) {
    if (!judge) {
      ++set.ignored;
      return;
    }
    auto w = WorkloadFromObject(obj, default_namespace);
    if (w.ok()) set.workloads.emplace_back(std::move(w).value(), m.origin);
    else fail(w.status());
  } else {
    ++set.ignored;
  }
}

}  // namespace modelgate::policy
