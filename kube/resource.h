// Names a kind of API object by group/version/resource and builds its REST paths.
#pragma once

#include <string>

namespace modelgate::kube {

struct Resource {
  std::string group;     // "" for the core group ("/api/v1")
  std::string version;   // "v1", "v1alpha1", ...
  std::string resource;  // lower-case plural: "configmaps", "leases"
  bool namespaced = true;

  // REST path for a collection or object. `ns` is ignored for cluster-scoped resources
  // and means "all namespaces" when empty; `name` empty means the collection;
  // `subresource` ("status", "scale") requires a name.
  // Example: {"", "v1", "configmaps"}.Path("a", "b") == "/api/v1/namespaces/a/configmaps/b".
  std::string Path(const std::string& ns = "", const std::string& name = "",
                   const std::string& subresource = "") const;
};

// Frequently used resources.
inline Resource ConfigMaps() { return {"", "v1", "configmaps", true}; }
inline Resource Namespaces() { return {"", "v1", "namespaces", false}; }
inline Resource Pods() { return {"", "v1", "pods", true}; }
inline Resource Leases() { return {"coordination.k8s.io", "v1", "leases", true}; }
inline Resource CustomResourceDefinitions() {
  return {"apiextensions.k8s.io", "v1", "customresourcedefinitions", false};
}

}  // namespace modelgate::kube
