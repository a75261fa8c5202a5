#include "scanners/json_file.h"

#include <gtest/gtest.h>

#include <string>

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {
namespace {

struct Outcome {
  FileReport report;
  bool Has(const std::string& rule) const {
    for (const auto& f : report.findings) {
      if (f.rule == rule) return true;
    }
    return false;
  }
  std::string Reason() const { return report.undecided.empty() ? "" : report.undecided[0].reason; }
  bool HasFact(const std::string& key) const {
    for (const auto& [k, v] : report.facts) {
      if (k == key) return true;
    }
    return false;
  }
};

Outcome Scan(const std::string& json, const std::string& name, ScanLimits limits = {}) {
  Outcome o;
  o.report.path = name;
  ScanContext ctx(limits, &o.report);
  MemorySource src(json);
  AnalyzeJson(src, name, ctx);
  return o;
}

TEST(JsonFile, ConfigWithAutoMapIsRemoteCode) {
  Outcome o = Scan(R"({"model_type":"x","auto_map":{"AutoModelForCausalLM":"modeling_x.XModel",
                    "AutoConfig":"configuration_x.XConfig"}})",
                   "config.json");
  ASSERT_TRUE(o.Has("hf/remote-code"));
  EXPECT_EQ(o.report.findings[0].severity, Severity::kHigh);
  EXPECT_NE(o.report.findings[0].detail.find("modeling_x.XModel"), std::string::npos);
}

TEST(JsonFile, TokenizerAutoMapAndCustomPipelines) {
  EXPECT_TRUE(Scan(R"({"auto_map":{"AutoTokenizer":["tok.T",null]}})", "tokenizer_config.json")
                  .Has("hf/remote-code"));
  EXPECT_TRUE(Scan(R"({"custom_pipelines":{"x":{"impl":"p.P"}}})", "config.json")
                  .Has("hf/remote-code"));
}

TEST(JsonFile, PlainConfigIsClean) {
  Outcome o = Scan(R"({"architectures":["LlamaForCausalLM"],"hidden_size":4096})", "config.json");
  EXPECT_TRUE(o.report.findings.empty());
  EXPECT_TRUE(o.report.undecided.empty());
}

TEST(JsonFile, OtherJsonIgnoresAutoMapKeysOfUnknownRoles) {
  EXPECT_TRUE(Scan(R"({"auto_map":{"a":"b"}})", "data.json").report.findings.empty());
}

TEST(JsonFile, TokenizerConfigWithHostileTemplate) {
  Outcome o = Scan(
      R"({"bos_token":"<s>","chat_template":"{{ ''.__class__.__mro__[1].__subclasses__() }}"})",
      "tokenizer_config.json");
  EXPECT_TRUE(o.Has("template/dunder-access"));
  EXPECT_TRUE(o.HasFact("chat_template_sha256"));
}

TEST(JsonFile, TokenizerConfigBenignTemplateIsClean) {
  Outcome o = Scan(
      R"({"chat_template":"{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"})",
      "tokenizer_config.json");
  EXPECT_TRUE(o.report.findings.empty());
  EXPECT_TRUE(o.HasFact("chat_template_sha256"));
}

TEST(JsonFile, NamedTemplateListAuditedEach) {
  Outcome o = Scan(R"({"chat_template":[{"name":"default","template":"{{ x }}"},
                    {"name":"tool_use","template":"{{ x|attr('y') }}"}]})",
                   "tokenizer_config.json");
  EXPECT_TRUE(o.Has("template/attr-filter"));
  EXPECT_TRUE(o.HasFact("chat_template.default_sha256"));
  EXPECT_TRUE(o.HasFact("chat_template.tool_use_sha256"));
}

TEST(JsonFile, WrongTemplateTypeUndecided) {
  EXPECT_NE(Scan(R"({"chat_template":42})", "tokenizer_config.json").Reason().find("neither"),
            std::string::npos);
  EXPECT_NE(Scan(R"({"chat_template":[{"name":1}]})", "tokenizer_config.json").Reason().find("entry"),
            std::string::npos);
}

TEST(JsonFile, MalformedJsonUndecided) {
  Outcome o = Scan(R"({"auto_map": )", "config.json");
  EXPECT_NE(o.Reason().find("invalid JSON"), std::string::npos) << o.Reason();
  EXPECT_TRUE(o.report.findings.empty());
}

TEST(JsonFile, OverSizeAndDepthUndecided) {
  ScanLimits small;
  small.max_json_bytes = 10;
  EXPECT_NE(Scan(R"({"a": "long enough"})", "config.json", small).Reason().find("over the bound"),
            std::string::npos);
  std::string deep = std::string(1000, '[') + std::string(1000, ']');
  EXPECT_NE(Scan(deep, "config.json").Reason().find("nested deeper"), std::string::npos);
}

TEST(JsonFile, DuplicateChatTemplateKeyIsFinding) {
  Outcome o = Scan(R"({"chat_template":"{{ x }}","chat_template":"{{ y }}"})",
                   "tokenizer_config.json");
  EXPECT_TRUE(o.Has("json/duplicate-key"));
}

TEST(JsonFile, KerasConfigJsonOnDiskIsAudited) {
  Outcome o = Scan(R"({"module":"keras.src.models.functional","class_name":"Functional",
    "config":{"layers":[{"module":"keras.layers","class_name":"Lambda",
    "config":{"name":"evil","function":{"class_name":"__lambda__","config":{"code":"YQ=="}}}}]}})",
                   "config.json");
  EXPECT_TRUE(o.Has("keras/lambda-layer"));
}

}  // namespace
}  // namespace modelgate::scanners
