// Internal: typed reads of JSON members that record field-path errors
// ("spec.containers[0].securityContext.runAsUser: expected an integer") instead of
// throwing. Absent and null members are "not set" everywhere, as in the API.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "scanners/status.h"

namespace modelgate::policy::internal {

using nlohmann::json;

// Collects "<path>: <message>" errors; order is the order of discovery.
class FieldErrors {
 public:
  void Add(const std::string& path, const std::string& message) {
    list_.push_back(path.empty() ? message : path + ": " + message);
  }
  bool empty() const { return list_.empty(); }
  const std::vector<std::string>& list() const { return list_; }
  // OK when empty; else one error "<what>: e1; e2; ...".
  Status ToStatus(std::string_view what) const;

 private:
  std::vector<std::string> list_;
};

std::string Join(const std::string& path, std::string_view key);  // "a.b"
std::string Index(const std::string& path, size_t i);             // "a[3]"

// The member `key` of `obj` when `obj` is an object and the member is present and
// not null; nullptr otherwise.
const json* Member(const json& obj, std::string_view key);

// Typed members: nullopt/nullptr/empty when absent; an error (and the same "absent"
// value) when present with the wrong type. `path` is the path of `obj`.
const json* ObjectAt(const json& obj, std::string_view key, const std::string& path, FieldErrors& errs);
const json* ArrayAt(const json& obj, std::string_view key, const std::string& path, FieldErrors& errs);
std::optional<std::string> StringAt(const json& obj, std::string_view key, const std::string& path,
                                    FieldErrors& errs);
std::optional<bool> BoolAt(const json& obj, std::string_view key, const std::string& path, FieldErrors& errs);
std::optional<int64_t> IntAt(const json& obj, std::string_view key, const std::string& path, FieldErrors& errs);
std::optional<double> NumberAt(const json& obj, std::string_view key, const std::string& path,
                               FieldErrors& errs);
std::vector<std::string> StringsAt(const json& obj, std::string_view key, const std::string& path,
                                   FieldErrors& errs);
std::map<std::string, std::string> StringMapAt(const json& obj, std::string_view key, const std::string& path,
                                               FieldErrors& errs);

// One element of a list of objects, with its path ("spec.volumes[2]").
struct Element {
  const json* value;
  std::string path;
};

// The object elements of the list member `key` of `obj`, in order. An element that is
// not an object is recorded ("<path>.<key>[i]: expected an object") and left out;
// absent/null = empty; a member that is not a list is an error as in ArrayAt.
std::vector<Element> ObjectsAt(const json& obj, std::string_view key, const std::string& path, FieldErrors& errs);

}  // namespace modelgate::policy::internal
