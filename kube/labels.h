// Label selectors in the string form of ?labelSelector= ("a=b,c in (x,y),!d"), for
// filtering an informer's cache the way the API server filters a list. The
// metav1.LabelSelector object form ({matchLabels, matchExpressions}) that policies and
// NetworkPolicies carry is policy::LabelSelector (policy/label_selector.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scanners/status.h"

namespace modelgate::kube {

using Labels = std::map<std::string, std::string>;

class LabelSelector {
 public:
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;  // one value for (Not)Equals; none for (DoesNot)Exist
  };

  // The empty selector: matches everything.
  LabelSelector() = default;

  // Parses the string form the API accepts in ?labelSelector=:
  // "a=b,c==d,e!=f,g in (x,y),h notin (z),i,!j". Errors name the offending term.
  static Result<LabelSelector> Parse(const std::string& text);

  // True when every requirement holds for `labels`.
  bool Matches(const Labels& labels) const;
  // Same over an object's metadata.labels (missing labels = empty map).
  bool MatchesObject(const nlohmann::json& object) const;

  bool Empty() const { return reqs_.empty(); }
  const std::vector<Requirement>& requirements() const { return reqs_; }
  // Canonical string form, accepted by Parse and by the API server.
  std::string ToString() const;

 private:
  std::vector<Requirement> reqs_;
};

// metadata.labels of an object as a map (non-string values are skipped).
Labels ObjectLabels(const nlohmann::json& object);

}  // namespace modelgate::kube
