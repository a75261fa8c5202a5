#include "webhook/model_admission_store.h"

#include "webhook/packed_model_admission.h"

namespace modelgate::webhook {

policy::ModelAdmission SlimForDecision(policy::ModelAdmission ma) {
  ma.labels.clear();
  ma.scan_completed_at.clear();
  ma.scan_completed_at.shrink_to_fit();
  std::vector<policy::ModelCondition> kept;
  kept.reserve(2);
  bool scanned = false, hashes = false;  // Condition() returns the first of a type
  for (auto& c : ma.conditions) {
    bool& seen = c.type == "Scanned" ? scanned : hashes;
    if (seen || (c.type != "Scanned" && c.type != "HashesMatch")) continue;
    seen = true;
    c.reason.clear();
    c.reason.shrink_to_fit();
    kept.push_back(std::move(c));
  }
  kept.shrink_to_fit();
  ma.conditions = std::move(kept);
  return ma;
}

PackedModelAdmission PackForStore(policy::ModelAdmission ma) {
  const policy::ModelAdmission slim = SlimForDecision(std::move(ma));
  return {slim.namespace_name, slim.name, slim.source.kind, policy::SourceKey(slim.source),
          PackModelAdmission(slim)};
}

ModelAdmissionStore::ModelAdmissionStore(size_t unpacked_capacity) : capacity_(unpacked_capacity) {}

void ModelAdmissionStore::Put(PackedModelAdmission ma) {
  Key key{std::move(ma.namespace_name), std::move(ma.name)};
  std::unique_lock lock(mu_);
  Unindex(key);
  by_source_[{key.first, static_cast<int>(ma.kind), ma.source_key}].insert(key.second);
  stored_[key] = Stored{ma.kind, std::move(ma.source_key), std::move(ma.packed)};
}

void ModelAdmissionStore::Erase(const std::string& ns, const std::string& name) {
  Key key{ns, name};
  std::unique_lock lock(mu_);
  Unindex(key);
  stored_.erase(key);
}

void ModelAdmissionStore::Unindex(const Key& key) {
  {
    std::lock_guard lru(lru_mu_);
    auto u = unpacked_.find(key);
    if (u != unpacked_.end()) {
      lru_order_.erase(u->second.position);
      unpacked_.erase(u);
    }
  }
  auto it = stored_.find(key);
  if (it == stored_.end()) return;
  auto names = by_source_.find({key.first, static_cast<int>(it->second.kind), it->second.source_key});
  if (names == by_source_.end()) return;
  names->second.erase(key.second);
  if (names->second.empty()) by_source_.erase(names);
}

policy::Ptr<policy::ModelAdmission> ModelAdmissionStore::Get(const Key& key, const Stored& stored) const {
  if (capacity_ == 0) return std::make_shared<const policy::ModelAdmission>(UnpackModelAdmission(stored.packed));
  {
    std::lock_guard lru(lru_mu_);
    auto u = unpacked_.find(key);
    if (u != unpacked_.end()) {
      lru_order_.splice(lru_order_.begin(), lru_order_, u->second.position);
      return u->second.ma;
    }
  }
  // Unpacked outside lru_mu_ (other lookups go on); mu_ is still held shared, so no
  // Put/Erase of this key can slip in before the result is remembered.
  auto ma = std::make_shared<const policy::ModelAdmission>(UnpackModelAdmission(stored.packed));
  std::lock_guard lru(lru_mu_);
  auto [u, inserted] = unpacked_.try_emplace(key);
  if (!inserted) {  // another lookup unpacked it meanwhile: same bytes, keep that one
    lru_order_.splice(lru_order_.begin(), lru_order_, u->second.position);
    return u->second.ma;
  }
  lru_order_.push_front(key);
  u->second = Unpacked{ma, lru_order_.begin()};
  if (unpacked_.size() > capacity_) {
    unpacked_.erase(lru_order_.back());
    lru_order_.pop_back();
  }
  return ma;
}

policy::Ptr<policy::ModelAdmission> ModelAdmissionStore::Find(const std::string& ns, const std::string& name) const {
  Key key{ns, name};
  std::shared_lock lock(mu_);
  auto it = stored_.find(key);
  if (it == stored_.end()) return nullptr;
  return Get(key, it->second);
}

std::vector<policy::Ptr<policy::ModelAdmission>> ModelAdmissionStore::BySource(const std::string& ns,
                                                                               policy::ModelSource::Kind kind,
                                                                               const std::string& key) const {
  std::shared_lock lock(mu_);
  std::vector<policy::Ptr<policy::ModelAdmission>> out;
  auto names = by_source_.find({ns, static_cast<int>(kind), key});
  if (names == by_source_.end()) return out;
  for (const auto& name : names->second) {
    Key k{ns, name};
    auto it = stored_.find(k);
    if (it != stored_.end()) out.push_back(Get(k, it->second));
  }
  return out;
}

size_t ModelAdmissionStore::size() const {
  std::shared_lock lock(mu_);
  return stored_.size();
}

size_t ModelAdmissionStore::unpacked_size() const {
  std::lock_guard lru(lru_mu_);
  return unpacked_.size();
}

}  // namespace modelgate::webhook
