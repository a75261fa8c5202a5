// The webhook's five watch caches must each log an unreachable API server and name it in
// UnsyncedCaches() (/readyz's 503 body). Regression: with the kubeconfig pointing at an
// unreachable server the informers retried silently; /readyz said only "caches not
// synced" and nothing was logged. WatchHealth itself: tests/kube/watch_health_test.cc.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include "kube/client.h"
#include "kube/config.h"
#include "webhook/informer_view.h"
#include "tests/log_capture.h"

namespace modelgate::webhook {
namespace {
using namespace std::chrono_literals;

using test_support::CountOf;

class InformerViewHealthTest : public ::testing::Test {
 protected:
  std::string Log() const { return log_.Text(); }

  test_support::LogCapture log_{"watch-health-test"};
};

// End to end through the real informers: nothing listens on port 1.
TEST_F(InformerViewHealthTest, UnreachableApiServerIsLoggedAndNamedByUnsyncedCaches) {
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
    EXPECT_EQ(CountOf(Log(), std::string("[warning] watch cache ") + r + ": cannot list/watch"), 1) << Log();
  }
}

}  // namespace
}  // namespace modelgate::webhook
