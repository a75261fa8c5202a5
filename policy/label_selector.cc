#include "policy/label_selector.h"

#include <algorithm>

#include "policy/json_fields.h"

namespace modelgate::policy {

using internal::FieldErrors;
using internal::Join;

Result<LabelSelector> LabelSelector::FromJson(const nlohmann::json& selector, const std::string& path) {
  LabelSelector sel;
  if (selector.is_null()) return sel;
  FieldErrors errs;
  if (!selector.is_object()) {
    errs.Add(path, "expected a label selector object");
    return errs.ToStatus("invalid label selector");
  }
  for (const auto& [k, v] : internal::StringMapAt(selector, "matchLabels", path, errs))
    sel.reqs_.push_back({k, Op::kIn, {v}});
  for (const auto& [item, where] : internal::ObjectsAt(selector, "matchExpressions", path, errs)) {
    const auto& e = *item;
    auto key = internal::StringAt(e, "key", where, errs);
    auto op = internal::StringAt(e, "operator", where, errs);
    auto values = internal::StringsAt(e, "values", where, errs);
    if (!key || key->empty()) {
      errs.Add(Join(where, "key"), "required");
      continue;
    }
    if (!op) {
      errs.Add(Join(where, "operator"), "required");
      continue;
    }
    Requirement r{*key, Op::kIn, values};
    if (*op == "In") r.op = Op::kIn;
    else if (*op == "NotIn") r.op = Op::kNotIn;
    else if (*op == "Exists") r.op = Op::kExists;
    else if (*op == "DoesNotExist") r.op = Op::kDoesNotExist;
    else {
      errs.Add(Join(where, "operator"), "unknown operator \"" + *op + "\" (In, NotIn, Exists, DoesNotExist)");
      continue;
    }
    const bool set_op = r.op == Op::kIn || r.op == Op::kNotIn;
    if (set_op && r.values.empty()) {
      errs.Add(Join(where, "values"), "must be non-empty for " + *op);
      continue;
    }
    if (!set_op && !r.values.empty()) {
      errs.Add(Join(where, "values"), "must be empty for " + *op);
      continue;
    }
    std::sort(r.values.begin(), r.values.end());
    sel.reqs_.push_back(std::move(r));
  }
  if (!errs.empty()) return errs.ToStatus("invalid label selector");
  return sel;
}

bool LabelSelector::Matches(const Labels& labels) const {
  for (const auto& r : reqs_) {
    auto it = labels.find(r.key);
    const bool has = it != labels.end();
    switch (r.op) {
      case Op::kIn:
        if (!has || std::find(r.values.begin(), r.values.end(), it->second) == r.values.end()) return false;
        break;
      case Op::kNotIn:
        if (has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end()) return false;
        break;
      case Op::kExists:
        if (!has) return false;
        break;
      case Op::kDoesNotExist:
        if (has) return false;
        break;
    }
  }
  return true;
}

}  // namespace modelgate::policy
