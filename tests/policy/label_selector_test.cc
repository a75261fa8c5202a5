// metav1.LabelSelector: parsing errors with their field paths, and matching
// (policy/label_selector.h).
#include "policy/label_selector.h"

#include <gtest/gtest.h>

namespace modelgate::policy {
namespace {

using nlohmann::json;

LabelSelector MustParse(const char* text) {
  auto sel = LabelSelector::FromJson(json::parse(text), "spec.podSelector");
  EXPECT_TRUE(sel.ok()) << sel.status().message();
  return sel.ok() ? std::move(sel).value() : LabelSelector();
}

TEST(LabelSelector, MatchLabelsAndExpressionsTogether) {
  const LabelSelector sel = MustParse(R"({
    "matchLabels": {"app": "llm"},
    "matchExpressions": [
      {"key": "tier", "operator": "In", "values": ["gpu", "cpu"]},
      {"key": "stage", "operator": "NotIn", "values": ["canary"]},
      {"key": "owner", "operator": "Exists"},
      {"key": "quarantine", "operator": "DoesNotExist"}
    ]})");
  Labels labels = {{"app", "llm"}, {"tier", "gpu"}, {"owner", "ml"}};
  EXPECT_TRUE(sel.Matches(labels));
  labels["stage"] = "prod";  // NotIn holds for another value...
  EXPECT_TRUE(sel.Matches(labels));
  labels["stage"] = "canary";  // ...not for a listed one
  EXPECT_FALSE(sel.Matches(labels));
  labels.erase("stage");
  labels["quarantine"] = "yes";
  EXPECT_FALSE(sel.Matches(labels));
  EXPECT_FALSE(sel.Matches({{"app", "llm"}, {"tier", "tpu"}, {"owner", "ml"}}));
  EXPECT_FALSE(sel.Matches({}));
}

TEST(LabelSelector, EmptyAndNullSelectAll) {
  EXPECT_TRUE(MustParse("{}").Matches({}));
  EXPECT_TRUE(MustParse("null").Matches({{"a", "b"}}));
}

TEST(LabelSelector, ErrorsNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"matchExpressions":[{"key":"a","operator":"Near","values":["x"]}]})",
       "spec.podSelector.matchExpressions[0].operator: unknown operator \"Near\""},
      {R"({"matchExpressions":[{"key":"a","operator":"In"}]})",
       "spec.podSelector.matchExpressions[0].values: must be non-empty for In"},
      {R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})",
       "spec.podSelector.matchExpressions[0].values: must be empty for Exists"},
      {R"({"matchExpressions":[{"operator":"Exists"}]})", "spec.podSelector.matchExpressions[0].key: required"},
      {R"({"matchExpressions":["a"]})", "spec.podSelector.matchExpressions[0]: expected an object"},
      {R"({"matchLabels":{"a":1}})", "spec.podSelector.matchLabels.a: expected a string"},
      {R"("app=llm")", "spec.podSelector: expected a label selector object"},
  };
  for (const auto& [text, error] : cases) {
    auto sel = LabelSelector::FromJson(json::parse(text), "spec.podSelector");
    ASSERT_FALSE(sel.ok()) << text;
    EXPECT_NE(sel.status().message().find(error), std::string::npos) << text << " -> " << sel.status().message();
  }
}

}  // namespace
}  // namespace modelgate::policy
