// NormalizePath (the key every hostPath/subPath/file comparison goes through),
// SourceKey, and InMemoryClusterView's NetworkPoliciesIn contract.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "helpers.h"

#include "policy/cluster_view.h"

namespace modelgate::policy {
namespace {

struct PathCase {
  const char* in;
  const char* want;
};

TEST(NormalizePath, CollapsesSlashesAndDots) {
  const PathCase cases[] = {
      {"", ""},
      {"/", "/"},
      {"//", "/"},
      {"/./", "/"},
      {".", ""},
      {"./", ""},
      {"a", "a"},
      {"a/", "a"},
      {"./a/./b/", "a/b"},
      {"/a//b/./c/", "/a/b/c"},
      {"/models/llama", "/models/llama"},
      {"///models///llama///", "/models/llama"},
      {"a/../b", "a/../b"},  // ".." is kept: callers treat it as unresolvable
      {"/a/..", "/a/.."},
      {"..a/.b/c.", "..a/.b/c."},
  };
  for (const auto& c : cases) EXPECT_EQ(NormalizePath(c.in), c.want) << "input \"" << c.in << "\"";
}

TEST(SourceKey, HostPathIsNormalisedOthersAreVerbatim) {
  ModelSource s;
  s.kind = ModelSource::Kind::kHostPath;
  s.host_path = "/models//llama/";
  EXPECT_EQ(SourceKey(s), "/models/llama");
  s.kind = ModelSource::Kind::kPvc;
  s.claim_name = "weights";
  EXPECT_EQ(SourceKey(s), "weights");
  s.kind = ModelSource::Kind::kNone;
  EXPECT_EQ(SourceKey(s), "");
}

NetworkPolicy Np(const std::string& ns, const std::string& name) {
  NetworkPolicy np;
  np.namespace_name = ns;
  np.name = name;
  return np;
}

TEST(InMemoryClusterView, NetworkPoliciesInIsOrderedByNameAndPerNamespace) {
  InMemoryClusterView view;
  view.AddNetworkPolicy(Np("ml", "zeta"));
  view.AddNetworkPolicy(Np("other", "beta"));
  view.AddNetworkPolicy(Np("ml", "alpha"));
  view.AddNetworkPolicy(Np("m", "gamma"));  // a prefix of "ml" must not leak in
  auto ml = view.NetworkPoliciesIn("ml");
  ASSERT_NE(ml, nullptr);
  EXPECT_EQ(testing::PolicyNames(*ml), (std::vector<std::string>{"alpha", "zeta"}));
  EXPECT_EQ(testing::PolicyNames(*view.NetworkPoliciesIn("other")), (std::vector<std::string>{"beta"}));
}

TEST(InMemoryClusterView, NetworkPoliciesInANamespaceWithoutAnyIsEmptyNotNull) {
  InMemoryClusterView view;
  auto none = view.NetworkPoliciesIn("ml");
  ASSERT_NE(none, nullptr);
  EXPECT_TRUE(none->empty());
  view.AddNetworkPolicy(Np("other", "a"));
  none = view.NetworkPoliciesIn("ml");
  ASSERT_NE(none, nullptr);
  EXPECT_TRUE(none->empty());
}

TEST(InMemoryClusterView, NetworkPoliciesSnapshotIsUnchangedByLaterAdds) {
  InMemoryClusterView view;
  view.AddNetworkPolicy(Np("ml", "b"));
  const auto before = view.NetworkPoliciesIn("ml");
  const NetworkPolicy* b_before = (*before)[0].get();
  view.AddNetworkPolicy(Np("ml", "a"));
  NetworkPolicy replaced = Np("ml", "b");
  replaced.egress = true;
  view.AddNetworkPolicy(std::move(replaced));  // replaces ml/b
  EXPECT_EQ(testing::PolicyNames(*before), (std::vector<std::string>{"b"}));
  EXPECT_EQ((*before)[0].get(), b_before);
  EXPECT_FALSE((*before)[0]->egress);
  const auto after = view.NetworkPoliciesIn("ml");
  EXPECT_EQ(testing::PolicyNames(*after), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE((*after)[1]->egress);
}

TEST(InMemoryClusterView, NetworkPoliciesReadsShareOneListUntilTheNamespaceChanges) {
  InMemoryClusterView view;
  view.AddNetworkPolicy(Np("ml", "a"));
  const auto first = view.NetworkPoliciesIn("ml");
  EXPECT_EQ(view.NetworkPoliciesIn("ml").get(), first.get());
  view.AddNetworkPolicy(Np("other", "x"));  // another namespace keeps ml's list
  EXPECT_EQ(view.NetworkPoliciesIn("ml").get(), first.get());
  view.AddNetworkPolicy(Np("ml", "b"));
  EXPECT_NE(view.NetworkPoliciesIn("ml").get(), first.get());
}

}  // namespace
}  // namespace modelgate::policy
