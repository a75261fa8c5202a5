// Shared fixture of the controller integration tests: a client for the cluster named by
// MODELGATE_TEST_KUBECONFIG (tests skip without it), the CRDs from crds/*.yaml applied
// (or, while crds/ has no ModelAdmission CRD yet, a minimal stand-in with the same group,
// names and status subresource), a fresh namespace per test, and model files written
// byte by byte into a temporary directory.
#pragma once

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "controller/controller.h"
#include "controller/reconciler.h"
#include "kube/client.h"
#include "kube/config.h"

namespace modelgate::controller::testing {

using nlohmann::json;
using namespace std::chrono_literals;

inline std::string Sha256Hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

// u64 LE header length + header + data: a valid one-tensor SafeTensors file.
inline std::string CleanSafetensors() {
  const std::string header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  return out + header + std::string(8, '\0');
}

// Protocol 2 pickle: posix.system("id") via GLOBAL + REDUCE.
inline std::string PicklePayload() {
  return std::string("\x80\x02" "cposix\nsystem\n" "q\x00" "X\x02\x00\x00\x00id" "q\x01" "\x85" "q\x02" "R" "q\x03" ".", 32);
}

// A SafeTensors header whose length points far past the end of the file.
inline std::string MalformedSafetensors() {
  std::string out;
  const uint64_t n = 5000;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + R"({"w":{"dtype":"F32","shape":[2],"data_off)";
}

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* kc = std::getenv("MODELGATE_TEST_KUBECONFIG");
    if (kc == nullptr || !*kc) GTEST_SKIP() << "MODELGATE_TEST_KUBECONFIG not set (see e2e/run-integration.sh)";
    kubeconfig_ = kc;
    auto cfg = kube::LoadKubeconfig(kubeconfig_);
    ASSERT_TRUE(cfg.ok()) << cfg.status().message();
    auto c = kube::Client::Create(cfg.value());
    ASSERT_TRUE(c.ok()) << c.status().message();
    client_ = c.value();
    EnsureCrds();
    std::random_device rd;
    ns_ = "mgc-" + std::to_string(rd() % 1000000);
    auto r = client_->Create(kube::Namespaces(), "", {{"apiVersion", "v1"}, {"kind", "Namespace"},
                                                      {"metadata", {{"name", ns_}}}});
    ASSERT_TRUE(r.ok()) << r.status().message();
    dir_ = std::filesystem::temp_directory_path() / ("mgc-" + ns_ + "-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }

  void TearDown() override {
    if (client_ && !ns_.empty()) client_->Delete(kube::Namespaces(), "", ns_);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Applies crds/*.yaml with kubectl when the ModelAdmission CRD is there, else creates
  // the stand-in; waits until the resource is served.
  void EnsureCrds() {
    const std::string crds = std::string(MODELGATE_SOURCE_DIR) + "/crds";
    bool have_ma_crd = false;
    if (std::filesystem::exists(crds)) {
      for (const auto& e : std::filesystem::directory_iterator(crds)) {
        if (e.path().extension() != ".yaml") continue;
        std::ifstream in(e.path());
        std::string text((std::istreambuf_iterator<char>(in)), {});
        if (text.find("kind: CustomResourceDefinition") != std::string::npos &&
            text.find("ModelAdmission\n") != std::string::npos)
          have_ma_crd = true;
      }
    }
    if (have_ma_crd) {
      const std::string cmd = "kubectl --kubeconfig '" + kubeconfig_ + "' apply -f '" + crds + "' >/dev/null";
      ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    } else if (!client_->Get(kube::CustomResourceDefinitions(), "", "modeladmissions.modelgate.io").ok()) {
      json crd = {
          {"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", "modeladmissions.modelgate.io"}}},
          {"spec",
           {{"group", "modelgate.io"},
            {"scope", "Namespaced"},
            {"names", {{"plural", "modeladmissions"}, {"singular", "modeladmission"}, {"kind", "ModelAdmission"},
                       {"shortNames", {"ma"}}}},
            {"versions",
             {{{"name", "v1alpha1"},
               {"served", true},
               {"storage", true},
               {"subresources", {{"status", json::object()}}},
               {"schema",
                {{"openAPIV3Schema",
                  {{"type", "object"},
                   {"properties",
                    {{"spec", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}},
                     {"status", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}}}}}}}}}}}}}};
      auto r = client_->Create(kube::CustomResourceDefinitions(), "", crd);
      ASSERT_TRUE(r.ok() || kube::IsAlreadyExists(r.status())) << r.status().message();
    }
    kube::ListOptions one;
    one.limit = 1;
    ASSERT_TRUE(WaitFor([&] { return client_->List(ModelAdmissions(), "", one).ok(); }, 60s))
        << "modeladmissions.modelgate.io is not served";
  }

  std::string Write(const std::string& rel, const std::string& bytes) {
    const auto p = dir_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }

  json Model(const std::string& name, const std::string& host_path, const json& files = json::array()) {
    json spec = {{"source", {{"hostPath", {{"path", host_path}}}}}};
    if (!files.empty()) spec["files"] = files;
    return {{"apiVersion", "modelgate.io/v1alpha1"},
            {"kind", "ModelAdmission"},
            {"metadata", {{"name", name}, {"namespace", ns_}}},
            {"spec", spec}};
  }

  void Apply(const json& ma) {
    auto r = client_->Create(ModelAdmissions(), ns_, ma);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }

  json Get(const std::string& name) {
    auto r = client_->Get(ModelAdmissions(), ns_, name);
    return r.ok() ? r.value() : json();
  }

  std::string Phase(const std::string& name) {
    json o = Get(name);
    return o.contains("status") ? o["status"].value("phase", "") : "";
  }

  json Condition(const json& o, const std::string& type) {
    if (o.contains("status") && o["status"].contains("conditions"))
      for (const auto& c : o["status"]["conditions"])
        if (c.value("type", "") == type) return c;
    return json();
  }

  // Occurrences of Events about `name` in the test namespace with `reason`: the sum of
  // their counts (the operator updates one Event's count for a repeat).
  int CountEvents(const std::string& name, const std::string& reason) {
    kube::ListOptions lo;
    lo.field_selector = "involvedObject.name=" + name;
    auto r = client_->List(kube::Resource{"", "v1", "events", true}, ns_, lo);
    if (!r.ok()) return -1;
    int n = 0;
    for (const auto& e : r.value()["items"])
      if (e.value("reason", "") == reason) n += e.value("count", 1);
    return n;
  }

  static bool WaitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return pred();
  }

  ControllerOptions Options(const std::string& identity = "test") {
    ControllerOptions o;
    o.identity = identity;
    o.lease_namespace = ns_;
    o.lease_name = "modelgate-controller";
    o.metrics_addr = "127.0.0.1:0";
    o.health_addr = "127.0.0.1:0";
    o.lease_duration = 3s;
    o.renew_deadline = 2s;
    o.retry_period = 500ms;
    o.retry_min = 200ms;
    o.retry_max = 2s;
    o.inventory_flush = 300ms;
    return o;
  }

  std::unique_ptr<Controller> StartController(ControllerOptions o, std::unique_ptr<Executor> ex = nullptr) {
    auto c = Controller::Create(client_, std::move(o), std::move(ex));
    EXPECT_TRUE(c.ok()) << c.status().message();
    if (!c.ok()) return nullptr;
    Status s = c.value()->Start();
    EXPECT_TRUE(s.ok()) << s.message();
    return std::move(c).value();
  }

  std::string kubeconfig_;
  std::shared_ptr<kube::Client> client_;
  std::string ns_;
  std::filesystem::path dir_;
};

}  // namespace modelgate::controller::testing
