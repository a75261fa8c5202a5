#include "policy/cluster_view.h"

#include <string_view>

namespace modelgate::policy {

std::string NormalizePath(const std::string& path) {
  // Split on '/' by hand (no stream): this runs per file and per mount on every request.
  std::string out;
  out.reserve(path.size());
  const bool absolute = !path.empty() && path[0] == '/';
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    const std::string_view part(path.data() + i, j - i);
    if (!part.empty() && part != ".") {
      if (!out.empty() || absolute) out += '/';
      out.append(part);
    }
    i = j + 1;
  }
  if (out.empty() && absolute) return "/";
  return out;
}

std::string SourceKey(const ModelSource& s) {
  switch (s.kind) {
    case ModelSource::Kind::kPvc: return s.claim_name;
    case ModelSource::Kind::kHostPath: return NormalizePath(s.host_path);
    case ModelSource::Kind::kImage: return s.image_reference;
    case ModelSource::Kind::kNone: break;
  }
  return "";
}

void InMemoryClusterView::AddModelAdmission(ModelAdmission ma) {
  Key k{ma.namespace_name, ma.name};
  mas_[k] = std::make_shared<const ModelAdmission>(std::move(ma));
}
void InMemoryClusterView::AddNetworkPolicy(NetworkPolicy np) {
  nps_.Put(std::make_shared<const NetworkPolicy>(std::move(np)));
}
void InMemoryClusterView::AddPvc(Pvc pvc) {
  Key k{pvc.namespace_name, pvc.name};
  pvcs_[k] = std::make_shared<const Pvc>(std::move(pvc));
}
void InMemoryClusterView::AddNamespace(Namespace ns) {
  std::string k = ns.name;
  namespaces_[k] = std::make_shared<const Namespace>(std::move(ns));
}
void InMemoryClusterView::AddPolicy(AdmissionPolicy p) {
  std::string k = p.name;
  policies_[k] = std::make_shared<const AdmissionPolicy>(std::move(p));
}

Ptr<ModelAdmission> InMemoryClusterView::FindModelAdmission(const std::string& ns, const std::string& name) const {
  auto it = mas_.find({ns, name});
  return it == mas_.end() ? nullptr : it->second;
}

std::vector<Ptr<ModelAdmission>> InMemoryClusterView::ModelAdmissionsBySource(const std::string& ns,
                                                                               ModelSource::Kind kind,
                                                                               const std::string& key) const {
  std::vector<Ptr<ModelAdmission>> out;
  for (auto it = mas_.lower_bound({ns, ""}); it != mas_.end() && it->first.first == ns; ++it)
    if (it->second->source.kind == kind && SourceKey(it->second->source) == key) out.push_back(it->second);
  return out;
}

Ptr<NetworkPolicyList> InMemoryClusterView::NetworkPoliciesIn(const std::string& ns) const {
  return nps_.In(ns);
}

Ptr<Pvc> InMemoryClusterView::FindPvc(const std::string& ns, const std::string& name) const {
  auto it = pvcs_.find({ns, name});
  return it == pvcs_.end() ? nullptr : it->second;
}

Ptr<Namespace> InMemoryClusterView::FindNamespace(const std::string& name) const {
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : it->second;
}

std::vector<Ptr<AdmissionPolicy>> InMemoryClusterView::Policies() const {
  std::vector<Ptr<AdmissionPolicy>> out;
  for (const auto& [_, p] : policies_) out.push_back(p);
  return out;
}

}  // namespace modelgate::policy
