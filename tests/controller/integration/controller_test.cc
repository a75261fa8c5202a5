// The operator against a real API server: status, conditions and events for clean,
// malicious, mismatching and malformed models; restart mid-way; two replicas; inventory;
// metrics and health.
// gtest first: cpprest defines a macro U() that breaks gtest's templates.
#include "fixture.h"

#include <cpprest/http_client.h>

#include <atomic>

#include "controller/executor.h"

namespace modelgate::controller::testing {
namespace {

std::string HttpGet(int port, const std::string& path, int* code) {
  try {
    web::http::client::http_client c("http://127.0.0.1:" + std::to_string(port));
    auto resp = c.request(web::http::methods::GET, path).get();
    *code = resp.status_code();
    return resp.extract_string().get();
  } catch (const std::exception& e) {
    *code = 0;
    return e.what();
  }
}

// Wraps the inline executor and makes every scan take at least `delay`, so a test can
// catch the operator mid-scan.
class SlowExecutor : public Executor {
 public:
  SlowExecutor(const ControllerOptions& o, std::chrono::milliseconds delay, std::atomic<int>* count)
      : inner_(NewInlineExecutor(o)), delay_(delay), count_(count) {}
  Result<ExecutorResult> Scan(const policy::ModelAdmission& ma, const std::string& token,
                              std::chrono::steady_clock::time_point deadline, const std::atomic<bool>& stop) override {
    if (count_) count_->fetch_add(1);
    const auto end = std::chrono::steady_clock::now() + delay_;
    while (std::chrono::steady_clock::now() < end) {
      if (stop.load()) return Status::Error("stopped");
      std::this_thread::sleep_for(20ms);
    }
    return inner_->Scan(ma, token, deadline, stop);
  }

 private:
  std::unique_ptr<Executor> inner_;
  std::chrono::milliseconds delay_;
  std::atomic<int>* count_;
};

class ControllerIT : public ClusterTest {};

TEST_F(ControllerIT, StatusConditionsAndEventsForFourKindsOfModel) {
  const std::string clean = CleanSafetensors();
  Write("clean/model.safetensors", clean);
  Write("pickle/pytorch_model.bin", PicklePayload());
  Write("mismatch/model.safetensors", clean);
  Write("malformed/model.safetensors", MalformedSafetensors());
  const std::string sha = Sha256Hex(clean);
  // As `kubectl apply` leaves it: the operator's cache drops this copy, and its status
  // writes (status subresource) must not drop it on the server.
  json clean_ma = Model("clean", (dir_ / "clean").string(), {{{"path", "model.safetensors"}, {"sha256", sha}}});
  clean_ma["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = clean_ma.dump();
  Apply(clean_ma);
  Apply(Model("pickle", (dir_ / "pickle").string(),
              {{{"path", "pytorch_model.bin"}, {"sha256", Sha256Hex(PicklePayload())}}}));
  Apply(Model("mismatch", (dir_ / "mismatch").string(),
              {{{"path", "model.safetensors"}, {"sha256", std::string(64, '0')}}}));
  Apply(Model("malformed", (dir_ / "malformed").string()));
  Apply(Model("missing", (dir_ / "does-not-exist").string()));

  auto c = StartController(Options());
  ASSERT_TRUE(c);
  EXPECT_TRUE(WaitFor([&] { return c->Ready(); }, 30s));
  for (const char* n : {"clean", "pickle", "mismatch", "malformed"})
    EXPECT_TRUE(WaitFor([&] { auto p = Phase(n); return p == "Admitted" || p == "Rejected"; }, 60s)) << n;
  // Kept as seen in Error. Its retries (every few hundred ms here) leave it in Error.
  json missing;
  EXPECT_TRUE(WaitFor([&] {
    missing = Get("missing");
    return missing.contains("status") && missing["status"].value("phase", "") == "Error";
  }, 30s));

  json o = Get("clean");
  EXPECT_EQ(o["status"]["phase"], "Admitted") << o.dump(2);
  EXPECT_EQ(o["status"]["observedGeneration"], o["metadata"]["generation"]);
  EXPECT_EQ(Condition(o, "HashesMatch")["status"], "True");
  EXPECT_EQ(Condition(o, "Ready")["status"], "True");
  EXPECT_EQ(Condition(o, "SignatureVerified")["reason"], "Unsigned");
  EXPECT_EQ(o["status"]["scan"]["files"][0]["sha256"], sha);
  EXPECT_EQ(o["status"]["scan"]["format"], "safetensors");
  EXPECT_EQ(o["status"]["signature"]["status"], "Unsigned");
  EXPECT_EQ(o["metadata"]["annotations"].value("kubectl.kubernetes.io/last-applied-configuration", ""),
            clean_ma["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
      << "status writes from the stripped cache kept kubectl's annotation";
  EXPECT_TRUE(o["metadata"].contains("managedFields")) << "and the server's managedFields";

  o = Get("pickle");
  EXPECT_EQ(o["status"]["phase"], "Rejected") << o.dump(2);
  EXPECT_EQ(Condition(o, "Ready")["reason"], "UnsafeContent");
  EXPECT_EQ(Condition(o, "FormatAllowed")["status"], "False");
  bool saw_global = false;
  for (const auto& f : o["status"]["scan"]["findings"]) saw_global |= f["rule"] == "pickle/dangerous-global";
  EXPECT_TRUE(saw_global) << o["status"]["scan"].dump(2);

  o = Get("mismatch");
  EXPECT_EQ(o["status"]["phase"], "Rejected");
  EXPECT_EQ(Condition(o, "HashesMatch")["reason"], "HashMismatch");
  EXPECT_NE(Condition(o, "HashesMatch")["message"].get<std::string>().find("model.safetensors: sha256"),
            std::string::npos);

  o = Get("malformed");
  EXPECT_EQ(o["status"]["phase"], "Rejected") << o.dump(2);
  EXPECT_EQ(Condition(o, "Ready")["reason"], "Undecided");

  o = missing;
  EXPECT_EQ(Condition(o, "Scanned")["reason"], "ScanFailed") << o.dump(2);
  EXPECT_NE(Condition(o, "Scanned")["message"].get<std::string>().find("does not exist"), std::string::npos);

  EXPECT_TRUE(WaitFor([&] { return CountEvents("clean", "ScanCompleted") >= 1; }, 10s));
  EXPECT_GE(CountEvents("clean", "ScanStarted"), 1);
  EXPECT_GE(CountEvents("pickle", "ScanCompleted"), 1);
  EXPECT_TRUE(WaitFor([&] { return CountEvents("missing", "ScanFailed") >= 3; }, 20s)) << "retried with backoff";
  EXPECT_EQ(Phase("missing"), "Error") << "a retry does not flip the phase to Scanning and back";
  EXPECT_EQ(CountEvents("missing", "ScanStarted"), 1) << "only the first attempt announces a scan";

  // Fix the missing model: the retry picks it up.
  Write("does-not-exist/model.safetensors", clean);
  EXPECT_TRUE(WaitFor([&] { return Phase("missing") == "Admitted"; }, 30s)) << Get("missing").dump(2);

  // A spec change rescans (new generation), transition times follow the flips.
  json m = Get("clean");
  const std::string ready_since = Condition(m, "Ready")["lastTransitionTime"];
  m["spec"]["files"][0]["sha256"] = std::string(64, 'f');
  ASSERT_TRUE(client_->Update(ModelAdmissions(), ns_, m).ok());
  EXPECT_TRUE(WaitFor([&] {
    json x = Get("clean");
    return x["status"].value("observedGeneration", 0) == x["metadata"].value("generation", 0) &&
           x["status"].value("phase", "") == "Rejected";
  }, 30s)) << Get("clean").dump(2);
  // Rescan on request, without a spec change.
  m = Get("pickle");
  m["metadata"]["annotations"][kRescanAnnotation] = "please-1";
  ASSERT_TRUE(client_->Update(ModelAdmissions(), ns_, m).ok());
  EXPECT_TRUE(WaitFor([&] { return RescanAnswered(Get("pickle")) == "please-1"; }, 30s));
  EXPECT_TRUE(WaitFor([&] { return CountEvents("pickle", "ScanStarted") >= 2; }, 10s));
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(CountEvents("pickle", "ScanStarted"), 2) << "one rescan per request, not a loop";

  // Metrics and health.
  int code = 0;
  const std::string metrics = HttpGet(c->metrics_port(), "/metrics", &code);
  EXPECT_EQ(code, 200);
  EXPECT_NE(metrics.find("modelgate_scans_total{result=\"admitted\"}"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("modelgate_scan_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(metrics.find("modelgate_bytes_hashed_total"), std::string::npos);
  EXPECT_NE(metrics.find("modelgate_models{phase=\"Rejected\"}"), std::string::npos);
  EXPECT_GE(c->metrics().ScansTotal("rejected"), 3);
  EXPECT_GE(c->metrics().ScansTotal("error"), 1);
  HttpGet(c->health_port(), "/readyz", &code);
  EXPECT_EQ(code, 200);
  HttpGet(c->health_port(), "/healthz", &code);
  EXPECT_EQ(code, 200);
  c->Stop();
}

// A failing model waits out its backoff (up to --retry-max, 1000 s by default), but a
// new rescan request is answered at once: whoever fixed the files need not wait.
TEST_F(ControllerIT, RescanRequestCutsTheRetryBackoffShort) {
  Apply(Model("late", (dir_ / "late").string()));
  ControllerOptions o = Options();
  o.retry_min = 1h;
  o.retry_max = 1h;
  auto c = StartController(o);
  ASSERT_TRUE(c);
  ASSERT_TRUE(WaitFor([&] { return Phase("late") == "Error"; }, 30s));
  Write("late/model.safetensors", CleanSafetensors());
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(Phase("late"), "Error") << "held back by the 1 h backoff";
  json m = Get("late");
  m["metadata"]["annotations"][kRescanAnnotation] = "files-copied";
  ASSERT_TRUE(client_->Update(ModelAdmissions(), ns_, m).ok());
  EXPECT_TRUE(WaitFor([&] { return Phase("late") == "Admitted"; }, 30s)) << Get("late").dump(2);
}

TEST_F(ControllerIT, KilledMidScanConvergesAfterRestart) {
  const std::string clean = CleanSafetensors();
  Write("m/model.safetensors", clean);
  for (int i = 0; i < 6; ++i) Apply(Model("m" + std::to_string(i), (dir_ / "m").string()));
  std::atomic<int> scans{0};
  ControllerOptions o = Options("first");
  o.max_concurrent_scans = 2;
  auto first = StartController(o, std::make_unique<SlowExecutor>(o, 1500ms, &scans));
  ASSERT_TRUE(first);
  ASSERT_TRUE(WaitFor([&] { return Phase("m0") == "Scanning" || Phase("m1") == "Scanning" ||
                                   Phase("m2") == "Scanning"; }, 30s));
  first.reset();  // destroyed mid-scan: running scans are abandoned, nothing written
  int scanning = 0;
  for (int i = 0; i < 6; ++i) scanning += Phase("m" + std::to_string(i)) == "Scanning";
  EXPECT_GE(scanning, 1) << "the kill happened mid-scan";

  auto second = StartController(Options("second"));
  ASSERT_TRUE(second);
  for (int i = 0; i < 6; ++i) {
    const std::string n = "m" + std::to_string(i);
    EXPECT_TRUE(WaitFor([&] { return Phase(n) == "Admitted"; }, 60s)) << n << ": " << Get(n).dump(2);
    json x = Get(n);
    EXPECT_EQ(x["status"]["observedGeneration"], x["metadata"]["generation"]);
  }
}

TEST_F(ControllerIT, TwoReplicasScanEachModelOnce) {
  Write("m/model.safetensors", CleanSafetensors());
  const int kModels = 12;
  auto a = StartController(Options("replica-a"));
  auto b = StartController(Options("replica-b"));
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(WaitFor([&] { return a->IsLeader() || b->IsLeader(); }, 20s));
  EXPECT_FALSE(a->IsLeader() && b->IsLeader());
  for (int i = 0; i < kModels; ++i) Apply(Model("r" + std::to_string(i), (dir_ / "m").string()));
  for (int i = 0; i < kModels; ++i) {
    const std::string n = "r" + std::to_string(i);
    EXPECT_TRUE(WaitFor([&] { return Phase(n) == "Admitted"; }, 60s)) << n;
  }
  std::this_thread::sleep_for(1s);  // let a second scan show up if there were one
  EXPECT_EQ(a->scans_started() + b->scans_started(), kModels)
      << "a=" << a->scans_started() << " b=" << b->scans_started();
  EXPECT_TRUE(a->scans_started() == 0 || b->scans_started() == 0);
  for (int i = 0; i < kModels; ++i) EXPECT_EQ(CountEvents("r" + std::to_string(i), "ScanStarted"), 1);
  // The follower serves metrics and health too.
  Controller* follower = a->IsLeader() ? b.get() : a.get();
  int code = 0;
  HttpGet(follower->health_port(), "/readyz", &code);
  EXPECT_EQ(code, 200);
  HttpGet(follower->metrics_port(), "/metrics", &code);
  EXPECT_EQ(code, 200);

  // Failover: the leader goes away, the other takes over and scans new models.
  Controller* leader = a->IsLeader() ? a.get() : b.get();
  leader->Stop();
  Apply(Model("after-failover", (dir_ / "m").string()));
  EXPECT_TRUE(WaitFor([&] { return Phase("after-failover") == "Admitted"; }, 30s));
  EXPECT_TRUE(follower->IsLeader());
}

TEST_F(ControllerIT, InventoryTracksPodsAndDeployments) {
  Write("m/model.safetensors", CleanSafetensors());
  Apply(Model("llama", (dir_ / "m").string()));
  auto c = StartController(Options());
  ASSERT_TRUE(c);
  ASSERT_TRUE(WaitFor([&] { return Phase("llama") == "Admitted"; }, 30s));
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "debug"}, {"namespace", ns_}, {"annotations", {{"modelgate.io/models", "llama"}}}}},
              {"spec", {{"containers", {{{"name", "c"}, {"image", "busybox"}}}}}}};
  // The namespace's default ServiceAccount appears a moment after the namespace.
  ASSERT_TRUE(WaitFor([&] { return client_->Create(kube::Pods(), ns_, pod).ok(); }, 30s));
  json deploy = {
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", "web"}, {"namespace", ns_}}},
      {"spec",
       {{"replicas", 1},
        {"selector", {{"matchLabels", {{"app", "web"}}}}},
        {"template",
         {{"metadata", {{"labels", {{"app", "web"}}}}},
          {"spec",
           {{"containers", {{{"name", "c"}, {"image", "srv"}, {"volumeMounts", {{{"name", "w"}, {"mountPath", "/w"}}}}}}},
            {"volumes", {{{"name", "w"}, {"hostPath", {{"path", (dir_ / "m").string()}}}}}}}}}}}}};
  ASSERT_TRUE(client_->Create(kube::Resource{"apps", "v1", "deployments", true}, ns_, deploy).ok());
  EXPECT_TRUE(WaitFor([&] {
    json w = Get("llama")["status"].value("workloads", json::array());
    bool pod_seen = false, deploy_seen = false;
    for (const auto& e : w) {
      pod_seen |= e["kind"] == "Pod" && e["name"] == "debug";
      deploy_seen |= e["kind"] == "Deployment" && e["name"] == "web";
    }
    return pod_seen && deploy_seen;
  }, 40s)) << Get("llama")["status"].dump(2);
  EXPECT_EQ(Phase("llama"), "Admitted") << "the inventory never disturbs the scan result";
  // Gone pods leave the inventory.
  ASSERT_TRUE(client_->Delete(kube::Pods(), ns_, "debug").ok());
  EXPECT_TRUE(WaitFor([&] {
    for (const auto& e : Get("llama")["status"].value("workloads", json::array()))
      if (e["name"] == "debug") return false;
    return true;
  }, 30s));
}

}  // namespace
}  // namespace modelgate::controller::testing
