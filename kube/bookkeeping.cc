#include "kube/bookkeeping.h"

namespace modelgate::kube {

void StripBookkeeping(Json& object) {
  if (!object.is_object()) return;
  auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) return;
  md->erase("managedFields");
  auto ann = md->find("annotations");
  if (ann == md->end() || !ann->is_object()) return;
  if (ann->erase(kLastAppliedAnnotation) > 0 && ann->empty()) md->erase(ann);
}

Json MetadataStub(const Json& object) {
  Json md = Json::object();
  if (object.is_object()) {
    auto it = object.find("metadata");
    if (it != object.end() && it->is_object()) {
      for (const char* k : {"name", "namespace", "resourceVersion"}) {
        auto f = it->find(k);
        if (f != it->end()) md[k] = *f;
      }
    }
  }
  return {{"metadata", std::move(md)}};
}

}  // namespace modelgate::kube
