#include "scanners/signing/json_fields.h"

#include <cctype>
#include <charconv>

#include "scanners/signing/encoding.h"

namespace modelgate::signing::json_fields {

const nlohmann::json* Find(const nlohmann::json& obj, const std::string& camel) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(camel);
  if (it != obj.end()) return &*it;
  std::string snake;
  for (char c : camel) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      snake += '_';
      snake += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      snake += c;
    }
  }
  it = obj.find(snake);
  return it == obj.end() ? nullptr : &*it;
}

Result<std::optional<std::string>> String(const nlohmann::json& obj, const std::string& camel,
                                          const std::string& where) {
  const nlohmann::json* v = Find(obj, camel);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return Status::Error(where + "." + camel + " must be a string");
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::optional<std::string>> Bytes(const nlohmann::json& obj, const std::string& camel,
                                         const std::string& where) {
  auto s = String(obj, camel, where);
  if (!s.ok()) return s.status();
  if (!s->has_value()) return std::optional<std::string>();
  auto raw = Base64Decode(**s);
  if (!raw) return Status::Error(where + "." + camel + " is not valid base64");
  return std::optional<std::string>(std::move(*raw));
}

Result<std::optional<int64_t>> Int64(const nlohmann::json& obj, const std::string& camel,
                                     const std::string& where) {
  const nlohmann::json* v = Find(obj, camel);
  if (!v || v->is_null()) return std::optional<int64_t>();
  if (v->is_number_integer()) return std::optional<int64_t>(v->get<int64_t>());
  if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    int64_t out = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return std::optional<int64_t>(out);
  }
  return Status::Error(where + "." + camel + " must be an int64");
}

}  // namespace modelgate::signing::json_fields
