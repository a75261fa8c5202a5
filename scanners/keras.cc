#include "scanners/keras.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "scanners/json_parse.h"
#include "scanners/json_printable.h"

namespace modelgate::scanners {
namespace {

bool HasPrefix(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string TopPackage(std::string_view module) {
  return std::string(module.substr(0, module.find('.')));
}

// Packages whose objects a Keras config may name without bringing new code.
bool IsKerasModule(std::string_view module) {
  for (std::string_view p : {"keras", "keras_hub", "keras_nlp", "keras_cv", "tf_keras"}) {
    if (module == p || (HasPrefix(module, p) && module.size() > p.size() && module[p.size()] == '.')) {
      return true;
    }
  }
  return false;
}

bool IsDangerousModule(std::string_view module) {
  static const std::set<std::string> kModules = {
      "os",   "posix",  "nt",       "subprocess", "builtins", "__builtin__", "sys",
      "importlib", "runpy", "shutil", "socket", "pickle", "marshal", "ctypes", "code",
      "pty",  "webbrowser", "requests", "urllib", "commands", "multiprocessing"};
  return kModules.count(TopPackage(module)) > 0;
}

// Counts occurrences per rule and reports each rule once.
class Tally {
 public:
  void Note(const char* rule, Severity sev, std::string what) {
    auto& e = entries_[rule];
    if (e.count++ == 0) {
      e.severity = sev;
      e.first = std::move(what);
    }
  }
  void Flush(ScanContext& ctx) const {
    for (const auto& [rule, e] : entries_) {
      std::string detail = e.first;
      if (e.count > 1) detail += " (and " + std::to_string(e.count - 1) + " more)";
      ctx.Add(rule, e.severity, detail);
    }
  }

 private:
  struct Entry {
    Severity severity = Severity::kInfo;
    uint64_t count = 0;
    std::string first;
  };
  std::map<std::string, Entry> entries_;
};

std::string LayerName(const nlohmann::json& obj) {
  auto c = obj.find("config");
  if (c != obj.end() && c->is_object()) {
    auto n = c->find("name");
    if (n != c->end() && n->is_string()) return "'" + Printable(n->get<std::string>(), 60) + "'";
  }
  auto n = obj.find("name");
  if (n != obj.end() && n->is_string()) return "'" + Printable(n->get<std::string>(), 60) + "'";
  return "(unnamed)";
}

std::string StringField(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void AuditObject(const nlohmann::json& obj, Tally& tally) {
  const std::string class_name = StringField(obj, "class_name");
  const std::string module = StringField(obj, "module");
  const std::string registered = StringField(obj, "registered_name");
  if (class_name == "Lambda" || class_name == "__lambda__" ||
      StringField(obj, "function_type") == "lambda") {
    tally.Note("keras/lambda-layer", Severity::kCritical,
               "Lambda layer " + LayerName(obj) + " carries Python code run at load or call time");
  }
  if (!module.empty() && IsDangerousModule(module)) {
    tally.Note("keras/dangerous-module", Severity::kCritical,
               "object '" + Printable(class_name, 60) + "' from module '" + Printable(module, 60) +
                   "'");
  } else if (!module.empty() && !IsKerasModule(module)) {
    tally.Note("keras/custom-object", Severity::kHigh,
               "object '" + Printable(class_name, 60) + "' from non-Keras module '" +
                   Printable(module, 60) + "' (custom code must be installed and trusted)");
  }
  size_t gt = registered.find('>');
  if (gt != std::string::npos && !IsKerasModule(registered.substr(0, gt))) {
    tally.Note("keras/custom-object", Severity::kHigh,
               "custom registered object '" + Printable(registered, 60) + "'");
  }
  std::string fn = class_name == "function" ? StringField(obj, "config") : class_name;
  if (fn == "get_file" || fn == "load_model") {
    tally.Note("keras/dangerous-function", Severity::kHigh,
               "config calls keras '" + fn + "', which fetches or loads other files");
  }
}

// Finds a JSON object starting at text[begin] ('{') and returns its length,
// honouring strings; 0 when it does not close before the end.
size_t BalancedObject(std::string_view text, size_t begin) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = begin; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{') ++depth;
    else if (c == '}' && --depth == 0) return i - begin + 1;
  }
  return 0;
}

}  // namespace

void AuditKerasConfig(std::string_view config_json, ScanContext& ctx) {
  auto parsed = ParseJsonBounded(config_json, ctx.limits().max_json_depth);
  if (!parsed.ok()) {
    ctx.Undecide("keras config: " + parsed.status().message());
    return;
  }
  Tally tally;
  // Walk every object iteratively (depth is already bounded by the parse).
  std::vector<const nlohmann::json*> stack = {&parsed->value};
  while (!stack.empty()) {
    const nlohmann::json* j = stack.back();
    stack.pop_back();
    if (j->is_object()) {
      AuditObject(*j, tally);
      for (const auto& [k, v] : j->items()) {
        if (v.is_structured()) stack.push_back(&v);
      }
    } else if (j->is_array()) {
      for (const auto& v : *j) {
        if (v.is_structured()) stack.push_back(&v);
      }
    }
  }
  tally.Flush(ctx);
}

void AnalyzeHdf5(const ByteSource& src, ScanContext& ctx) {
  const uint64_t window = std::min<uint64_t>(src.size(), ctx.limits().max_json_bytes);
  std::string head;
  if (!src.ReadAt(0, window, &head)) {
    ctx.Undecide("read error");
    return;
  }
  // h5py stores Keras' model_config as a fixed-length string attribute: the
  // name, then datatype/dataspace messages, then the JSON. Try the JSON
  // objects that follow each occurrence of the name.
  constexpr size_t kNear = 64 * 1024;
  size_t audited = 0;
  for (size_t at = head.find("model_config"); at != std::string::npos && audited == 0;
       at = head.find("model_config", at + 1)) {
    std::string_view after = std::string_view(head).substr(at, kNear);
    size_t rel = after.find("{\"");
    if (rel == std::string_view::npos) continue;
    size_t begin = at + rel;
    size_t len = BalancedObject(head, begin);
    if (len == 0) continue;
    std::string_view json = std::string_view(head).substr(begin, len);
    if (json.find("\"class_name\"") == std::string_view::npos) continue;
    AuditKerasConfig(json, ctx);
    ++audited;
  }
  if (audited == 0) {
    ctx.Undecide("HDF5 contents not analysed: no Keras model_config attribute found in the first " +
                 std::to_string(window) + " bytes (only Keras .h5 model configs are inspected)");
  }
}

}  // namespace modelgate::scanners
