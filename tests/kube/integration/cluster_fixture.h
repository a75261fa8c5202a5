// Shared fixture for tests that need a real API server (see e2e/README.md).
//
// The runner (e2e/run-integration.sh) sets MODELGATE_TEST_KUBECONFIG. Without it every
// test FAILS with a message saying how to run them: an integration test that cannot
// reach a cluster has not passed. Each test gets its own namespace, deleted afterwards.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "kube/client.h"
#include "kube/config.h"

namespace modelgate::kube::testing {

inline std::string RandomSuffix() {
  static std::mt19937_64 rng(std::random_device{}() ^ static_cast<uint64_t>(getpid()));
  const char* abc = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (int i = 0; i < 6; ++i) s.push_back(abc[rng() % 36]);
  return s;
}

// Polls `cond` every 50 ms until it holds or `timeout` passes.
inline bool Eventually(const std::function<bool()>& cond,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return cond();
}

// Cancels and joins a background thread when a test returns early (a failed ASSERT),
// so a joinable std::thread never terminates the test binary.
class StopAndJoin {
 public:
  StopAndJoin(CancelToken cancel, std::thread& thread) : cancel_(std::move(cancel)), thread_(thread) {}
  ~StopAndJoin() {
    cancel_.Cancel();
    if (thread_.joinable()) thread_.join();
  }

 private:
  CancelToken cancel_;
  std::thread& thread_;
};

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* path = std::getenv("MODELGATE_TEST_KUBECONFIG");
    if (path == nullptr || *path == '\0') {
      FAIL() << "MODELGATE_TEST_KUBECONFIG is not set: integration tests need a cluster. "
                "Run them with e2e/run-integration.sh (it starts the local control plane, "
                "or uses $KUBECONFIG with MODELGATE_USE_EXISTING=1).";
    }
    auto cfg = LoadKubeconfig(path);
    ASSERT_TRUE(cfg.ok()) << cfg.status().message();
    auto client = Client::Create(*cfg);
    ASSERT_TRUE(client.ok()) << client.status().message();
    client_ = *client;
    ns_ = "mg-it-" + RandomSuffix();
    auto created = client_->Create(Namespaces(), "", {{"apiVersion", "v1"}, {"kind", "Namespace"},
                                                      {"metadata", {{"name", ns_}}}});
    ASSERT_TRUE(created.ok()) << created.status().message();
  }

  void TearDown() override {
    if (client_ && !ns_.empty()) (void)client_->Delete(Namespaces(), "", ns_);
  }

  // Runs e2e/cluster.sh <command> against the cluster the runner started. Fails the
  // test when the runner did not start one (an existing cluster cannot be restarted).
  void ClusterScript(const std::string& command) {
    const char* script = std::getenv("MODELGATE_TEST_CLUSTER_SCRIPT");
    ASSERT_TRUE(script != nullptr && *script != '\0')
        << "this test restarts the API server and needs the local control plane: run it "
           "through e2e/run-integration.sh without MODELGATE_USE_EXISTING";
    const std::string cmd = std::string(script) + " " + command + " >&2";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }

  static Json ConfigMap(const std::string& name, const Json& data = Json::object(),
                        const Json& labels = Json::object()) {
    Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", data}};
    if (!labels.empty()) cm["metadata"]["labels"] = labels;
    return cm;
  }

  std::shared_ptr<Client> client_;
  std::string ns_;
};

}  // namespace modelgate::kube::testing
