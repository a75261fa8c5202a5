// Label selector parsing and matching, in both the string and the JSON form.
#include "kube/labels.h"

#include <gtest/gtest.h>

namespace modelgate::kube {
namespace {

LabelSelector MustParse(const std::string& s) {
  auto r = LabelSelector::Parse(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().message();
  return r.ok() ? *r : LabelSelector();
}

TEST(LabelSelectorTest, EqualityAndInequality) {
  auto sel = MustParse("app=web, tier==front,env!=prod");
  EXPECT_TRUE(sel.Matches({{"app", "web"}, {"tier", "front"}}));
  EXPECT_TRUE(sel.Matches({{"app", "web"}, {"tier", "front"}, {"env", "dev"}}));
  EXPECT_FALSE(sel.Matches({{"app", "web"}, {"tier", "front"}, {"env", "prod"}}));
  EXPECT_FALSE(sel.Matches({{"app", "api"}, {"tier", "front"}}));
  EXPECT_FALSE(sel.Matches({{"tier", "front"}}));
}

TEST(LabelSelectorTest, SetBasedAndExistence) {
  auto sel = MustParse("env in (dev, staging),team notin (x),modelgate.io/model,!legacy");
  EXPECT_TRUE(sel.Matches({{"env", "dev"}, {"modelgate.io/model", "m"}}));
  EXPECT_TRUE(sel.Matches({{"env", "staging"}, {"team", "y"}, {"modelgate.io/model", ""}}));
  EXPECT_FALSE(sel.Matches({{"env", "prod"}, {"modelgate.io/model", "m"}}));
  EXPECT_FALSE(sel.Matches({{"env", "dev"}, {"team", "x"}, {"modelgate.io/model", "m"}}));
  EXPECT_FALSE(sel.Matches({{"env", "dev"}}));
  EXPECT_FALSE(sel.Matches({{"env", "dev"}, {"modelgate.io/model", "m"}, {"legacy", "1"}}));
}

TEST(LabelSelectorTest, EmptySelectorMatchesEverything) {
  auto sel = MustParse("  ");
  EXPECT_TRUE(sel.Empty());
  EXPECT_TRUE(sel.Matches({}));
  EXPECT_TRUE(sel.MatchesObject(nlohmann::json::object()));
}

TEST(LabelSelectorTest, ToStringRoundTrips) {
  auto sel = MustParse("b in (z,y),a=1,!c,d,e!=2,f notin (q)");
  EXPECT_EQ(sel.ToString(), "b in (y,z),a=1,!c,d,e!=2,f notin (q)");
  auto again = MustParse(sel.ToString());
  EXPECT_EQ(again.ToString(), sel.ToString());
}

TEST(LabelSelectorTest, MalformedSelectorsAreErrors) {
  for (const char* bad : {"a in (x", "a in ()", "a)", "a=b,,c", "a foo (x)", "=x", "a=b c", "!"}) {
    EXPECT_FALSE(LabelSelector::Parse(bad).ok()) << bad;
  }
}

TEST(LabelSelectorTest, NonStringLabelValuesInObjectsAreIgnored) {
  auto sel = MustParse("a");
  EXPECT_FALSE(sel.MatchesObject(nlohmann::json::parse(R"({"metadata":{"labels":{"a":5}}})")));
  EXPECT_FALSE(sel.MatchesObject(nlohmann::json::parse(R"({"metadata":{"labels":"a"}})")));
}

}  // namespace
}  // namespace modelgate::kube
