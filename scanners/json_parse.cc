#include "scanners/json_parse.h"

#include <unordered_set>

#include "scanners/json_printable.h"

namespace modelgate::scanners {
namespace {

// Thrown from the parser callback to stop at the first nesting violation.
struct TooDeep {};

}  // namespace

Result<ParsedJson> ParseJsonBounded(std::string_view text, int max_depth) {
  ParsedJson out;
  // One key set per open container (empty for arrays), so duplicate keys are
  // seen before nlohmann silently overwrites them.
  std::vector<std::unordered_set<std::string>> open;
  auto callback = [&](int /*depth*/, nlohmann::json::parse_event_t event,
                      nlohmann::json& parsed) -> bool {
    using E = nlohmann::json::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start:
        if (static_cast<int>(open.size()) >= max_depth) throw TooDeep{};
        open.emplace_back();
        break;
      case E::object_end:
      case E::array_end:
        if (!open.empty()) open.pop_back();
        break;
      case E::key:
        if (!open.empty() && parsed.is_string()) {
          const auto& k = parsed.get_ref<const std::string&>();
          if (!open.back().insert(k).second) out.duplicate_keys.push_back(k);
        }
        break;
      case E::value:
        break;
    }
    return true;
  };
  try {
    out.value = nlohmann::json::parse(text.begin(), text.end(), callback,
                                      /*allow_exceptions=*/true, /*ignore_comments=*/false);
  } catch (const TooDeep&) {
    return Status::Error("JSON nested deeper than " + std::to_string(max_depth) + " levels");
  } catch (const nlohmann::json::exception& e) {
    // nlohmann quotes the offending token, which hostile input can make huge.
    return Status::Error("invalid JSON: " + Printable(e.what(), 300));
  } catch (const std::exception& e) {
    return Status::Error("JSON parse failed: " + Printable(e.what(), 300));
  }
  return out;
}

}  // namespace modelgate::scanners
