#include "scanners/json_parse.h"

#include <unordered_set>

#include "scanners/json_printable.h"

namespace modelgate::scanners {
namespace {

using nlohmann::json;

// First pass: a SAX walk that builds nothing, stops at the first nesting
// violation or syntax error, and sees every key before nlohmann's DOM
// builder would silently overwrite a duplicate. (nlohmann's callback parser
// does the same in one pass but is several times slower than plain parse.)
class BoundsSax : public nlohmann::json_sax<json> {
 public:
  explicit BoundsSax(int max_depth) : max_depth_(max_depth) {}

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    if (!Enter()) return false;
    keys_.emplace_back();
    return true;
  }
  bool key(string_t& k) override {
    if (!keys_.empty() && !keys_.back().insert(k).second) duplicates.push_back(k);
    return true;
  }
  bool end_object() override {
    if (!keys_.empty()) keys_.pop_back();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override { return Enter(); }
  bool end_array() override {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    // nlohmann quotes the offending token, which hostile input can make huge.
    error = "invalid JSON: " + Printable(e.what(), 300);
    return false;
  }

  std::string error;
  std::vector<std::string> duplicates;

 private:
  bool Enter() {
    if (depth_ >= max_depth_) {
      error = "JSON nested deeper than " + std::to_string(max_depth_) + " levels";
      return false;
    }
    ++depth_;
    return true;
  }
  int max_depth_;
  int depth_ = 0;
  std::vector<std::unordered_set<std::string>> keys_;
};

}  // namespace

Result<ParsedJson> ParseJsonBounded(std::string_view text, int max_depth) {
  ParsedJson out;
  try {
    BoundsSax sax(max_depth);
    bool ok = json::sax_parse(text.begin(), text.end(), &sax, json::input_format_t::json,
                              /*strict=*/true, /*ignore_comments=*/false);
    if (!ok) return Status::Error(sax.error.empty() ? "invalid JSON" : sax.error);
    out.duplicate_keys = std::move(sax.duplicates);
    // Second pass builds the value; the first proved it parses within bounds.
    out.value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/true,
                            /*ignore_comments=*/false);
  } catch (const std::exception& e) {
    return Status::Error("JSON parse failed: " + Printable(e.what(), 300));
  }
  return out;
}

}  // namespace modelgate::scanners
