// The webhook's watch caches must say, promptly and without flooding the log, when the
// API server cannot be reached. Regression: with the kubeconfig pointing at an
// unreachable server the informers retried silently; /readyz said only "caches not
// synced" and nothing was logged.
#include "webhook/watch_health.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include "kube/client.h"
#include "kube/config.h"
#include "webhook/informer_view.h"

namespace modelgate::webhook {
namespace {
using namespace std::chrono_literals;

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

class WatchHealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>("watch-health-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_)));
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }
  std::string Log() {
    spdlog::default_logger()->flush();
    return log_.str();
  }

  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
  WatchHealth::Clock clock_ = [this] { return now_; };
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(WatchHealthTest, FirstFailureIsLoggedAtOnceThenAtMostOncePerInterval) {
  WatchHealth h("namespaces", 30s, clock_);
  const Status refused = Status::Error("transport: connection refused (GET /api/v1/namespaces)");
  h.Failed(refused);
  EXPECT_EQ(Count(Log(), "[warning] watch cache namespaces: cannot list/watch"), 1) << Log();
  EXPECT_NE(Log().find("connection refused (GET /api/v1/namespaces)"), std::string::npos) << Log();

  for (int i = 0; i < 5; ++i) {  // retries within the interval: held back
    now_ += 5s;
    h.Failed(refused);
  }
  EXPECT_EQ(Count(Log(), "[warning]"), 1) << Log();

  now_ += 5s;  // 30 s after the first line
  h.Failed(refused);
  EXPECT_EQ(Count(Log(), "[warning]"), 2) << Log();
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
  EXPECT_EQ(Count(Log(), "cannot list/watch from the API server, retrying"), 2) << Log();
}

TEST_F(WatchHealthTest, SuccessWithoutFailuresAndGoneAreSilent) {
  WatchHealth h("namespaces", 30s, clock_);
  h.Succeeded();
  h.Failed(Status::Error("watch ERROR event: too old resource version", 410));  // relists, as designed
  EXPECT_EQ(h.failures(), 0);
  EXPECT_EQ(Log(), "");
}

TEST(ResourceName, NamesResourcesAsKubectlDoes) {
  EXPECT_EQ(ResourceName(kube::Namespaces()), "namespaces");
  EXPECT_EQ(ResourceName(ModelAdmissionsResource()), "modeladmissions.modelgate.io");
}

// End to end through the real informers: nothing listens on port 1.
TEST_F(WatchHealthTest, UnreachableApiServerIsLoggedAndNamedByUnsyncedCaches) {
  kube::Config c;
  c.server = "https://127.0.0.1:1";
  c.timeout = 2s;
  auto client = kube::Client::Create(c);
  ASSERT_TRUE(client.ok()) << client.status().message();
  InformerClusterView view(client.value());
  EXPECT_EQ(view.UnsyncedCaches().size(), 5u);
  view.Start();
  // Each cache's first attempt fails at once; wait for all five (a connection refusal
  // takes milliseconds, the bound is generous).
  auto all_failed = [&] {
    for (const std::string& c : view.UnsyncedCaches())
      if (c.find("(last error: ") == std::string::npos) return false;
    return true;
  };
  for (auto until = std::chrono::steady_clock::now() + 20s; !all_failed() && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(20ms);
  view.Stop();
  const std::vector<std::string> unsynced = view.UnsyncedCaches();
  ASSERT_EQ(unsynced.size(), 5u);
  for (const char* r : {"modeladmissions.modelgate.io", "modeladmissionpolicies.modelgate.io",
                        "networkpolicies.networking.k8s.io", "persistentvolumeclaims", "namespaces"}) {
    bool named = false;
    for (const std::string& u : unsynced) named = named || u.rfind(std::string(r) + " (last error: ", 0) == 0;
    EXPECT_TRUE(named) << r;
    EXPECT_EQ(Count(Log(), std::string("[warning] watch cache ") + r + ": cannot list/watch"), 1) << Log();
  }
}

}  // namespace
}  // namespace modelgate::webhook
