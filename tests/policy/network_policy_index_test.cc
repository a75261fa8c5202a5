// NetworkPolicyIndex: the per-namespace copy-on-write lists the webhook's informer view
// (and the benchmark's IndexedClusterView) hand out on every admission review.
#include "policy/network_policy_index.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "helpers.h"

namespace modelgate::policy {
namespace {

Ptr<NetworkPolicy> Np(const std::string& ns, const std::string& name, bool egress = false) {
  NetworkPolicy np;
  np.namespace_name = ns;
  np.name = name;
  np.egress = egress;
  return std::make_shared<const NetworkPolicy>(std::move(np));
}

TEST(NetworkPolicyIndex, ListsAreOrderedByNameAndPerNamespace) {
  NetworkPolicyIndex index;
  index.Put(Np("ml", "zeta"));
  index.Put(Np("m", "gamma"));  // a prefix of "ml" must not leak in
  index.Put(Np("ml", "alpha"));
  index.Put(Np("mlx", "delta"));
  EXPECT_EQ(testing::PolicyNames(*index.In("ml")), (std::vector<std::string>{"alpha", "zeta"}));
  EXPECT_EQ(testing::PolicyNames(*index.In("m")), (std::vector<std::string>{"gamma"}));
  EXPECT_EQ(index.size(), 4u);
  EXPECT_EQ(index.namespace_count(), 3u);
}

TEST(NetworkPolicyIndex, UnknownNamespaceIsEmptyNotNull) {
  NetworkPolicyIndex index;
  auto none = index.In("ml");
  ASSERT_NE(none, nullptr);
  EXPECT_TRUE(none->empty());
}

TEST(NetworkPolicyIndex, ReadsShareOneListUntilTheNamespaceChanges) {
  NetworkPolicyIndex index;
  index.Put(Np("ml", "a"));
  index.Put(Np("other", "x"));
  const auto first = index.In("ml");
  EXPECT_EQ(index.In("ml"), first);  // the same list, not a copy
  index.Put(Np("other", "y"));       // another namespace: ml's list is kept
  EXPECT_EQ(index.In("ml"), first);
  index.Put(Np("ml", "b"));
  EXPECT_NE(index.In("ml"), first);
}

TEST(NetworkPolicyIndex, SnapshotIsUnchangedByPutReplaceAndErase) {
  NetworkPolicyIndex index;
  index.Put(Np("ml", "b"));
  index.Put(Np("ml", "c"));
  const auto before = index.In("ml");

  index.Put(Np("ml", "a"));
  index.Put(Np("ml", "b", /*egress=*/true));  // replaces ml/b
  index.Erase("ml", "c");

  EXPECT_EQ(testing::PolicyNames(*before), (std::vector<std::string>{"b", "c"}));
  EXPECT_FALSE((*before)[0]->egress);
  const auto after = index.In("ml");
  EXPECT_EQ(testing::PolicyNames(*after), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE((*after)[1]->egress);
}

TEST(NetworkPolicyIndex, LastEraseDropsTheNamespaceAndKeepsTheSnapshot) {
  NetworkPolicyIndex index;
  index.Put(Np("ml", "a"));
  const auto before = index.In("ml");
  index.Erase("ml", "missing");  // no-op
  EXPECT_EQ(index.In("ml"), before);
  index.Erase("ml", "a");
  EXPECT_EQ(index.namespace_count(), 0u);
  EXPECT_EQ(index.size(), 0u);
  auto now = index.In("ml");
  ASSERT_NE(now, nullptr);
  EXPECT_TRUE(now->empty());
  EXPECT_EQ(testing::PolicyNames(*before), (std::vector<std::string>{"a"}));
  index.Put(Np("ml", "b"));  // the namespace comes back with a new list
  EXPECT_EQ(testing::PolicyNames(*index.In("ml")), (std::vector<std::string>{"b"}));
}

}  // namespace
}  // namespace modelgate::policy
