#include "controller/conditions.h"

namespace modelgate::controller {

using nlohmann::json;

const json* FindCondition(const json& conditions, const std::string& type) {
  if (!conditions.is_array()) return nullptr;
  for (const json& c : conditions) {
    if (c.is_object() && c.value("type", "") == type) return &c;
  }
  return nullptr;
}

void SetCondition(json& conditions, const Condition& c, int64_t observed_generation, TimePoint now) {
  if (!conditions.is_array()) conditions = json::array();
  json* existing = nullptr;
  for (json& e : conditions) {
    if (e.is_object() && e.value("type", "") == c.type) {
      existing = &e;
      break;
    }
  }
  std::string transition = FormatTime(now);
  if (existing != nullptr && existing->value("status", "") == c.status &&
      existing->contains("lastTransitionTime") && (*existing)["lastTransitionTime"].is_string()) {
    transition = (*existing)["lastTransitionTime"].get<std::string>();
  }
  json entry = {{"type", c.type},
                {"status", c.status},
                {"observedGeneration", observed_generation},
                {"lastTransitionTime", transition},
                {"reason", c.reason},
                {"message", c.message}};
  if (existing != nullptr) {
    *existing = std::move(entry);
  } else {
    conditions.push_back(std::move(entry));
  }
}

}  // namespace modelgate::controller
