#include "scanners/json_file.h"

#include <string>

#include "scanners/json_parse.h"
#include "scanners/json_printable.h"
#include "scanners/keras.h"
#include "scanners/template_audit.h"

namespace modelgate::scanners {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "AutoModel -> modeling_x.MyModel, ..." from an auto_map object, bounded.
std::string DescribeAutoMap(const nlohmann::json& map) {
  std::string out;
  int shown = 0;
  for (const auto& [k, v] : map.items()) {
    if (shown == 4) {
      out += ", ...";
      break;
    }
    std::string target;
    if (v.is_string()) target = v.get<std::string>();
    if (v.is_array() && !v.empty() && v[0].is_string()) target = v[0].get<std::string>();
    out += (shown++ ? ", " : "") + Printable(k, 40) + " -> " + Printable(target, 80);
  }
  return out;
}

void CheckRemoteCode(const nlohmann::json& root, std::string_view name, ScanContext& ctx) {
  auto am = root.find("auto_map");
  if (am != root.end() && !am->is_null()) {
    std::string what = am->is_object() ? DescribeAutoMap(*am) : "non-object value";
    ctx.Add("hf/remote-code", Severity::kHigh,
            Printable(name, 80) + " auto_map loads model code shipped with the repository " +
                "(needs trust_remote_code): " + what);
    return;
  }
  auto cp = root.find("custom_pipelines");
  if (name == "config.json" && cp != root.end() && !cp->is_null()) {
    ctx.Add("hf/remote-code", Severity::kHigh,
            "config.json custom_pipelines loads pipeline code shipped with the repository "
            "(needs trust_remote_code)");
  }
}

void CheckChatTemplates(const nlohmann::json& root, ScanContext& ctx) {
  auto ct = root.find("chat_template");
  if (ct == root.end() || ct->is_null()) return;
  if (ct->is_string()) {
    AuditChatTemplate(ct->get_ref<const std::string&>(), "chat_template", ctx);
    return;
  }
  if (!ct->is_array()) {
    ctx.Undecide("chat_template is neither a string nor a list of named templates");
    return;
  }
  for (const auto& entry : *ct) {
    auto n = entry.is_object() ? entry.find("name") : entry.end();
    auto t = entry.is_object() ? entry.find("template") : entry.end();
    if (!entry.is_object() || n == entry.end() || t == entry.end() || !n->is_string() ||
        !t->is_string()) {
      ctx.Undecide("chat_template list entry is not {\"name\": string, \"template\": string}");
      return;
    }
    AuditChatTemplate(t->get_ref<const std::string&>(),
                      "chat_template." + Printable(n->get<std::string>(), 60), ctx);
  }
}

}  // namespace

void AnalyzeJson(const ByteSource& src, std::string_view name, ScanContext& ctx) {
  const ScanLimits& lim = ctx.limits();
  if (src.size() > lim.max_json_bytes) {
    ctx.Undecide("JSON file of " + std::to_string(src.size()) + " bytes over the bound of " +
                 std::to_string(lim.max_json_bytes));
    return;
  }
  std::string text;
  if (!src.ReadAt(0, src.size(), &text) || text.size() != src.size()) {
    ctx.Undecide("read error");
    return;
  }
  auto parsed = ParseJsonBounded(text, lim.max_json_depth);
  if (!parsed.ok()) {
    ctx.Undecide(Printable(name, 80) + ": " + parsed.status().message());
    return;
  }
  if (!parsed->duplicate_keys.empty()) {
    ctx.Add("json/duplicate-key", Severity::kMedium,
            Printable(name, 80) + " repeats key '" + Printable(parsed->duplicate_keys.front(), 60) +
                "'; parsers disagree on which value counts");
  }
  const nlohmann::json& root = parsed->value;
  if (!root.is_object()) return;
  if (EndsWith(name, "config.json")) CheckRemoteCode(root, name, ctx);
  if (name == "tokenizer_config.json" || name == "chat_template.json" ||
      name == "processor_config.json") {
    CheckChatTemplates(root, ctx);
  }
  if (name == "config.json" && ctx.depth() == 0 && root.contains("class_name") &&
      root.contains("config")) {
    AuditKerasConfig(text, ctx);
  }
}

}  // namespace modelgate::scanners
