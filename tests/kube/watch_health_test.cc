// A watch cache (webhook or operator) must say, promptly and without flooding the log,
// when the API server cannot be reached. Regression: with the kubeconfig pointing at an
// unreachable server the informers retried silently; /readyz said only "caches not
// synced" and nothing was logged.
#include "kube/watch_health.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/informer.h"
#include "tests/log_capture.h"

namespace modelgate::kube {
namespace {
using namespace std::chrono_literals;

using test_support::CountOf;

class WatchHealthTest : public ::testing::Test {
 protected:
  std::string Log() const { return log_.Text(); }

  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
  WatchHealth::Clock clock_ = [this] { return now_; };
  test_support::LogCapture log_{"watch-health-test"};
};

TEST_F(WatchHealthTest, FirstFailureIsLoggedAtOnceThenAtMostOncePerInterval) {
  WatchHealth h("namespaces", 30s, clock_);
  const Status refused = Status::Error("transport: connection refused (GET /api/v1/namespaces)");
  h.Failed(refused);
  EXPECT_EQ(CountOf(Log(), "[warning] watch cache namespaces: cannot list/watch"), 1) << Log();
  EXPECT_NE(Log().find("connection refused (GET /api/v1/namespaces)"), std::string::npos) << Log();

  for (int i = 0; i < 5; ++i) {  // retries within the interval: held back
    now_ += 5s;
    h.Failed(refused);
  }
  EXPECT_EQ(CountOf(Log(), "[warning]"), 1) << Log();

  now_ += 5s;  // 30 s after the first line
  h.Failed(refused);
  EXPECT_EQ(CountOf(Log(), "[warning]"), 2) << Log();
  EXPECT_NE(Log().find("still cannot list/watch from the API server (7 failed attempts, 6 since the last line)"),
            std::string::npos)
      << Log();
  EXPECT_EQ(h.failures(), 7);
  EXPECT_EQ(h.last_error(), refused.message());
}

TEST_F(WatchHealthTest, SuccessAfterFailuresIsLoggedAndStartsANewEpisode) {
  WatchHealth h("modeladmissions.modelgate.io", 30s, clock_);
  h.Failed(Status::Error("forbidden", 403));
  h.Failed(Status::Error("forbidden", 403));
  h.Succeeded();
  EXPECT_NE(Log().find("[info] watch cache modeladmissions.modelgate.io: in step with the API server again after 2 "
                       "failed attempts"),
            std::string::npos)
      << Log();
  EXPECT_EQ(h.failures(), 0);
  EXPECT_EQ(h.last_error(), "");
  // The next outage is news again, however soon it comes.
  h.Failed(Status::Error("transport: timeout"));
  EXPECT_EQ(CountOf(Log(), "cannot list/watch from the API server, retrying"), 2) << Log();
}

TEST_F(WatchHealthTest, SuccessWithoutFailuresAndGoneAreSilent) {
  WatchHealth h("namespaces", 30s, clock_);
  h.Succeeded();
  h.Failed(Status::Error("watch ERROR event: too old resource version", 410));  // relists, as designed
  EXPECT_EQ(h.failures(), 0);
  EXPECT_EQ(Log(), "");
}

TEST_F(WatchHealthTest, DescribeNamesTheCacheAndItsLastErrorUntilASuccess) {
  WatchHealth h("pods", 30s, clock_);
  EXPECT_EQ(h.Describe(), "pods");
  h.Failed(Status::Error("transport: connection refused"));
  h.Failed(Status::Error("forbidden", 403));
  EXPECT_EQ(h.Describe(), "pods (last error: forbidden)");
  h.Succeeded();
  EXPECT_EQ(h.Describe(), "pods");
}

TEST(ResourceName, NamesResourcesAsKubectlDoes) {
  EXPECT_EQ(ResourceName(Namespaces()), "namespaces");
  EXPECT_EQ(ResourceName(Pods()), "pods");
  EXPECT_EQ(ResourceName({"modelgate.io", "v1alpha1", "modeladmissions", true}), "modeladmissions.modelgate.io");
}

// End to end through a real informer wired as its owners wire it: nothing listens on
// port 1, so the first list fails at once and must be logged and kept.
TEST_F(WatchHealthTest, UnreachableApiServerReachesWatchHealthThroughOnError) {
  Config c;
  c.server = "https://127.0.0.1:1";
  c.timeout = 2s;
  auto client = Client::Create(c);
  ASSERT_TRUE(client.ok()) << client.status().message();
  WatchHealth health(ResourceName(Pods()));
  InformerHandlers h;
  h.on_error = [&health](const Status& error) { health.Failed(error); };
  Informer informer(client.value(), Pods(), "", {}, h);
  informer.Start();
  for (auto until = std::chrono::steady_clock::now() + 20s;
       health.failures() == 0 && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(20ms);
  informer.Stop();
  EXPECT_FALSE(informer.HasSynced());
  EXPECT_GE(health.failures(), 1);
  EXPECT_FALSE(health.last_error().empty());
  EXPECT_EQ(CountOf(Log(), "[warning] watch cache pods: cannot list/watch"), 1) << Log();
}

}  // namespace
}  // namespace modelgate::kube
