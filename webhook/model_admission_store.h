// ModelAdmissionStore: every ModelAdmission the webhook caches, in the compact form that
// keeps 10,000 of them within its memory budget, and the lookups the decision needs.
//
// Each one is slimmed (SlimForDecision) and packed (packed_model_admission.h: one
// ~1.5 KB string instead of ~60 heap blocks and ~5 KB), indexed by name and by source.
// Unpacking costs ~5 µs and a review looks up several models, so the most recently used
// ones are also kept unpacked in a small bounded LRU: the models a cluster's pods keep
// using (replicas, rollouts) are unpacked once, not on every request. An update or a
// deletion drops the unpacked copy in the same critical section, so a lookup never
// returns a version older than the one stored.
// Thread-safe: lookups share a lock, Put/Erase take it alone.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "policy/cluster_view.h"
#include "policy/objects.h"

namespace modelgate::webhook {

// `ma` without what the decision never reads: metadata.labels, status.scan.completedAt,
// the reasons of all conditions, and every condition but the first "Scanned" and the
// first "HashesMatch" (the only ones policy/model_rules.cc consults, through
// Condition()). Every vector is left at its exact size. The decision over the result is
// the same, message for message.
policy::ModelAdmission SlimForDecision(policy::ModelAdmission ma);

// A ModelAdmission as stored: packed, with the source it is indexed under.
struct PackedModelAdmission {
  std::string namespace_name, name;
  policy::ModelSource::Kind kind = policy::ModelSource::Kind::kNone;
  std::string source_key;  // policy::SourceKey
  std::string packed;
};

// Slims and packs `ma` (CPU only, no lock: informers call it before Put).
PackedModelAdmission PackForStore(policy::ModelAdmission ma);

class ModelAdmissionStore {
 public:
  // `unpacked_capacity`: how many unpacked ModelAdmissions the LRU keeps (0: none).
  explicit ModelAdmissionStore(size_t unpacked_capacity = 256);

  // Stores `ma` under its namespace/name, replacing any earlier version.
  void Put(PackedModelAdmission ma);
  void Erase(const std::string& ns, const std::string& name);

  policy::Ptr<policy::ModelAdmission> Find(const std::string& ns, const std::string& name) const;
  // Those with exactly this source (kind + policy::SourceKey), by name.
  std::vector<policy::Ptr<policy::ModelAdmission>> BySource(const std::string& ns, policy::ModelSource::Kind kind,
                                                            const std::string& key) const;
  size_t size() const;
  size_t unpacked_size() const;  // entries in the LRU

 private:
  using Key = std::pair<std::string, std::string>;  // namespace, name
  struct Stored {
    policy::ModelSource::Kind kind;
    std::string source_key;
    std::string packed;
  };
  struct Unpacked {
    policy::Ptr<policy::ModelAdmission> ma;
    std::list<Key>::iterator position;  // in lru_order_
  };
  // Unpacked form of `stored` (from the LRU, or unpacked now and remembered). mu_ held.
  policy::Ptr<policy::ModelAdmission> Get(const Key& key, const Stored& stored) const;
  void Unindex(const Key& key);  // mu_ held exclusively

  mutable std::shared_mutex mu_;
  std::map<Key, Stored> stored_;  // guarded by mu_
  // (namespace, source kind, source key) -> names, sorted
  std::map<std::tuple<std::string, int, std::string>, std::set<std::string>> by_source_;  // guarded by mu_

  size_t capacity_;
  mutable std::mutex lru_mu_;  // taken inside mu_ (shared or exclusive), never the other way
  mutable std::list<Key> lru_order_;            // most recent first; guarded by lru_mu_
  mutable std::map<Key, Unpacked> unpacked_;    // guarded by lru_mu_
};

}  // namespace modelgate::webhook
