#include "policy/json_fields.h"

namespace modelgate::policy::internal {

Status FieldErrors::ToStatus(std::string_view what) const {
  if (list_.empty()) return Status::Ok();
  std::string msg(what);
  msg += ": ";
  for (size_t i = 0; i < list_.size(); ++i) msg += (i ? "; " : "") + list_[i];
  return Status::Error(msg);
}

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

const json* Member(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);  // heterogeneous lookup (std::less<>): no string built per read
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

namespace {
const json* Typed(const json& obj, std::string_view key, const std::string& path, FieldErrors& errs,
                  bool (json::*is)() const noexcept, const char* expected) {
  const json* m = Member(obj, key);
  if (m == nullptr) return nullptr;
  if (!((*m).*is)()) {
    errs.Add(Join(path, key), std::string("expected ") + expected);
    return nullptr;
  }
  return m;
}
}  // namespace

const json* ObjectAt(const json& obj, std::string_view key, const std::string& path, FieldErrors& errs) {
  return Typed(obj, key, path, errs, &json::is_object, "an object");
}

const json* ArrayAt(const json& obj, std::string_view key, const std::string& path, FieldErrors& errs) {
  return Typed(obj, key, path, errs, &json::is_array, "a list");
}

std::vector<Element> ObjectsAt(const json& obj, std::string_view key, const std::string& path, FieldErrors& errs) {
  std::vector<Element> out;
  const json* list = ArrayAt(obj, key, path, errs);
  if (list == nullptr) return out;
  out.reserve(list->size());
  const std::string list_path = Join(path, key);
  for (size_t i = 0; i < list->size(); ++i) {
    std::string p = Index(list_path, i);
    if ((*list)[i].is_object()) out.push_back({&(*list)[i], std::move(p)});
    else errs.Add(p, "expected an object");
  }
  return out;
}

std::optional<std::string> StringAt(const json& obj, std::string_view key, const std::string& path,
                                    FieldErrors& errs) {
  const json* m = Typed(obj, key, path, errs, &json::is_string, "a string");
  if (m == nullptr) return std::nullopt;
  return m->get<std::string>();
}

std::optional<bool> BoolAt(const json& obj, std::string_view key, const std::string& path, FieldErrors& errs) {
  const json* m = Typed(obj, key, path, errs, &json::is_boolean, "a boolean");
  if (m == nullptr) return std::nullopt;
  return m->get<bool>();
}

std::optional<int64_t> IntAt(const json& obj, std::string_view key, const std::string& path, FieldErrors& errs) {
  const json* m = Member(obj, key);
  if (m == nullptr) return std::nullopt;
  if (m->is_number_integer()) return m->get<int64_t>();
  if (m->is_number_unsigned()) {
    errs.Add(Join(path, key), "integer out of range");
    return std::nullopt;
  }
  errs.Add(Join(path, key), "expected an integer");
  return std::nullopt;
}

std::optional<double> NumberAt(const json& obj, std::string_view key, const std::string& path,
                               FieldErrors& errs) {
  const json* m = Typed(obj, key, path, errs, &json::is_number, "a number");
  if (m == nullptr) return std::nullopt;
  return m->get<double>();
}

std::vector<std::string> StringsAt(const json& obj, std::string_view key, const std::string& path,
                                   FieldErrors& errs) {
  std::vector<std::string> out;
  const json* a = ArrayAt(obj, key, path, errs);
  if (a == nullptr) return out;
  for (size_t i = 0; i < a->size(); ++i) {
    if ((*a)[i].is_string()) {
      out.push_back((*a)[i].get<std::string>());
    } else {
      errs.Add(Index(Join(path, key), i), "expected a string");
    }
  }
  return out;
}

std::map<std::string, std::string> StringMapAt(const json& obj, std::string_view key, const std::string& path,
                                               FieldErrors& errs) {
  std::map<std::string, std::string> out;
  const json* m = ObjectAt(obj, key, path, errs);
  if (m == nullptr) return out;
  for (const auto& [k, v] : m->items()) {
    if (v.is_string()) {
      out.emplace(k, v.get<std::string>());
    } else {
      errs.Add(Join(Join(path, key), k), "expected a string");
    }
  }
  return out;
}

}  // namespace modelgate::policy::internal
