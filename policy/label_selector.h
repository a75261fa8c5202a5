// metav1.LabelSelector ({matchLabels, matchExpressions}) over plain label maps: the one
// reader of that object form. Pure: no client, no JSON after parsing. (kube/labels.h
// reads the ?labelSelector= string form for the client's informers.)
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scanners/status.h"

namespace modelgate::policy {

using Labels = std::map<std::string, std::string>;

class LabelSelector {
 public:
  enum class Op { kIn, kNotIn, kExists, kDoesNotExist };
  struct Requirement {
    std::string key;
    Op op = Op::kIn;
    std::vector<std::string> values;  // In/NotIn only; matchLabels k: v is "k In (v)"
  };

  // The empty selector `{}`: matches every label set.
  LabelSelector() = default;

  // Parses {matchLabels, matchExpressions}. A null selector matches everything here;
  // callers that give "absent" another meaning check for null first. Errors carry the
  // field path under `path`, e.g. "spec.podSelector.matchExpressions[0].operator:
  // unknown operator \"Equals\"".
  static Result<LabelSelector> FromJson(const nlohmann::json& selector, const std::string& path);

  // True when every requirement holds (the empty selector matches everything).
  // In: key present with one of the values. NotIn: key absent or value not listed.
  // Exists / DoesNotExist: presence of the key.
  bool Matches(const Labels& labels) const;

  bool Empty() const { return reqs_.empty(); }
  const std::vector<Requirement>& requirements() const { return reqs_; }
  void Add(Requirement r) { reqs_.push_back(std::move(r)); }

 private:
  std::vector<Requirement> reqs_;
};

}  // namespace modelgate::policy
