// Result<T> gives access to its value the same way through value() and operator*.
#include "scanners/status.h"

#include <gtest/gtest.h>

#include <type_traits>
#include <utility>
#include <vector>

namespace modelgate {
namespace {

using R = Result<std::vector<int>>;
static_assert(std::is_same_v<decltype(*std::declval<R&>()), std::vector<int>&>);
static_assert(std::is_same_v<decltype(*std::declval<const R&>()), const std::vector<int>&>);
static_assert(std::is_same_v<decltype(*std::declval<R&&>()), std::vector<int>&&>);

// Regression: operator* was const only, so "moving" out of a Result copied (the informers'
// lists held every object twice).
TEST(Result, MovingThroughOperatorStarMoves) {
  R r(std::vector<int>{1, 2, 3});
  std::vector<int> out = std::move(*r);
  EXPECT_EQ(out, (std::vector<int>{1, 2, 3}));
  EXPECT_TRUE(r->empty()) << "the value was copied, not moved";
}

TEST(Result, ElementsCanBeMovedOutInPlace) {
  Result<std::vector<std::vector<int>>> r(std::vector<std::vector<int>>{{1, 2}, {3}});
  std::vector<std::vector<int>> out;
  for (auto& item : *r) out.push_back(std::move(item));
  EXPECT_EQ(out.size(), 2u);
  EXPECT_TRUE((*r)[0].empty());
}

TEST(Result, ErrorKeepsItsStatus) {
  R r(Status::Error("nope"));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "nope");
}

}  // namespace
}  // namespace modelgate
