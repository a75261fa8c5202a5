// The operator's watch caches must log an unreachable API server and name it, with the
// last error, in /readyz's 503 body. Regression: with the kubeconfig pointing at an
// unreachable server the ModelAdmission and Pod informers retried silently and the
// operator never became ready without saying why.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cpprest/http_client.h>

#include <sstream>
#include <thread>

#include "controller/controller.h"
#include "kube/client.h"
#include "kube/config.h"
#include "tests/log_capture.h"

namespace modelgate::controller {
namespace {
using namespace std::chrono_literals;

using test_support::CountOf;

class ControllerWatchHealthTest : public ::testing::Test {
 protected:
  std::string Log() const { return log_.Text(); }

  test_support::LogCapture log_{"controller-watch-health-test"};
};

// End to end through the controller's real informers: nothing listens on port 1.
TEST_F(ControllerWatchHealthTest, UnreachableApiServerIsLoggedAndNamedByReadyz) {
  kube::Config c;
  c.server = "https://127.0.0.1:1";
  c.timeout = 2s;
  auto client = kube::Client::Create(c);
  ASSERT_TRUE(client.ok()) << client.status().message();
  ControllerOptions o;
  o.metrics_addr = "";
  o.health_addr = "127.0.0.1:0";
  o.events = false;
  o.identity = "watch-health-test";
  o.lease_namespace = "default";  // leader election on: Start() must not wait for the cache
  auto ctl = Controller::Create(client.value(), o);
  ASSERT_TRUE(ctl.ok()) << ctl.status().message();
  Controller& controller = *ctl.value();
  ASSERT_TRUE(controller.Start().ok());

  // A connection refusal takes milliseconds; the bound is generous.
  auto both_failed = [&] {
    const std::vector<std::string> u = controller.UnsyncedCaches();
    if (u.size() != 2) return false;
    for (const std::string& e : u)
      if (e.find("(last error: ") == std::string::npos) return false;
    return true;
  };
  for (auto until = std::chrono::steady_clock::now() + 20s; !both_failed() && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(20ms);

  EXPECT_FALSE(controller.Ready());
  const std::vector<std::string> unsynced = controller.UnsyncedCaches();
  ASSERT_EQ(unsynced.size(), 2u);
  EXPECT_EQ(unsynced[0].rfind("modeladmissions.modelgate.io (last error: ", 0), 0u) << unsynced[0];
  EXPECT_EQ(unsynced[1].rfind("pods (last error: ", 0), 0u) << unsynced[1];

  web::http::client::http_client http("http://127.0.0.1:" + std::to_string(controller.health_port()));
  web::http::http_response r = http.request(web::http::methods::GET, "/readyz").get();
  EXPECT_EQ(r.status_code(), 503);
  const std::string body = r.extract_string().get();
  EXPECT_EQ(body.rfind("caches not synced: modeladmissions.modelgate.io (last error: ", 0), 0u) << body;
  EXPECT_NE(body.find("; pods (last error: "), std::string::npos) << body;
  controller.Stop();

  for (const char* r : {"modeladmissions.modelgate.io", "pods"})
    EXPECT_EQ(CountOf(Log(), std::string("[warning] watch cache ") + r + ": cannot list/watch"), 1) << Log();
}

}  // namespace
}  // namespace modelgate::controller
