// WorkQueue: dedup, re-add while processing, backoff holds.
#include "controller/work_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace modelgate::controller {
namespace {

using namespace std::chrono_literals;

TEST(WorkQueue, DedupsWaitingKeys) {
  WorkQueue q;
  q.Add("a");
  q.Add("a");
  q.Add("b");
  EXPECT_EQ(q.Pending(), 2u);
  std::string k;
  ASSERT_TRUE(q.Get(&k));
  q.Done(k);
  ASSERT_TRUE(q.Get(&k));
  q.Done(k);
  EXPECT_EQ(q.Pending(), 0u);
}

TEST(WorkQueue, ReAddWhileProcessingRunsOnceMoreAfterDone) {
  WorkQueue q;
  q.Add("a");
  std::string k;
  ASSERT_TRUE(q.Get(&k));
  q.Add("a");
  q.Add("a");
  EXPECT_EQ(q.Processing(), 1u);
  q.Done("a");
  EXPECT_EQ(q.Pending(), 1u);
  ASSERT_TRUE(q.Get(&k));
  EXPECT_EQ(k, "a");
  q.Done(k);
  EXPECT_EQ(q.Pending(), 0u);
}

TEST(WorkQueue, HoldDelaysEvenPlainAdds) {
  WorkQueue q;
  q.AddAfter("a", 300ms);
  q.Add("a");  // e.g. the informer saw our own status write
  q.Add("b");
  std::string k;
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(q.Get(&k));
  EXPECT_EQ(k, "b");
  q.Done(k);
  ASSERT_TRUE(q.Get(&k));
  EXPECT_EQ(k, "a");
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 250ms);
  q.Done(k);
  q.Forget("a");
  q.Add("a");
  ASSERT_TRUE(q.Get(&k));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST(WorkQueue, ShutDownWakesGetters) {
  WorkQueue q;
  std::thread t([&] {
    std::string k;
    EXPECT_FALSE(q.Get(&k));
  });
  std::this_thread::sleep_for(50ms);
  q.ShutDown();
  t.join();
  q.Add("x");
  EXPECT_EQ(q.Pending(), 0u) << "adds after shutdown are ignored";
  q.Reset();
  q.Add("x");
  EXPECT_EQ(q.Pending(), 1u);
}

}  // namespace
}  // namespace modelgate::controller
