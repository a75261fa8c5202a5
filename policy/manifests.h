// Manifests for `modelgate check`: YAML or JSON text (multi-document, `kind: List`,
// kustomize/helm output) into API objects, and API objects into a cluster view plus
// the workloads to judge.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/cluster_view.h"
#include "policy/types.h"
#include "scanners/status.h"

namespace modelgate::policy {

struct ManifestObject {
  nlohmann::json object;
  std::string origin;  // "<source>#<document index>" (1-based), "+ items[i]" for List members
};

// Parses every document of `text` (YAML 1.2 core types; JSON is accepted as YAML).
// Empty documents are skipped; `kind: List` and `<Kind>List` documents are replaced by
// their items. Errors name `source` and the document; nesting deeper than 64 or more
// than 1,000,000 nodes (alias bombs) is an error, not a crash.
Result<std::vector<ManifestObject>> LoadManifests(std::string_view text, const std::string& source);

// The cluster view and workloads found in a set of manifests.
struct ManifestSet {
  InMemoryClusterView cluster;
  std::vector<std::pair<Workload, std::string>> workloads;  // with their origin
  std::vector<std::string> errors;    // objects that could not be read ("origin: message")
  std::vector<std::string> warnings;  // e.g. policy warnings
  size_t ignored = 0;                 // objects of other kinds (Services, ConfigMaps, ...)
};

// Files one object: workloads to judge; ModelAdmission, NetworkPolicy,
// PersistentVolumeClaim, Namespace and ModelAdmissionPolicy into the view; anything
// else is counted as ignored. Objects without a namespace get `default_namespace`.
// When `judge` is false workloads are not collected (used for --admissions DIR).
void AddToManifestSet(const ManifestObject& m, const std::string& default_namespace, bool judge, ManifestSet& set);

}  // namespace modelgate::policy
