// The operator in Job mode (--scan-mode job) against the real API server: the operator
// creates a batch/v1 Job per scan, the real Job controller creates its pod, a test node
// agent (fake_kubelet.h: it stands in for the node, never for the API server) binds and
// runs it with the real `modelgate` binary, the operator reads the result through the
// API server's pods/log proxy and deletes the Job. Skipped without a cluster
// (MODELGATE_TEST_KUBECONFIG), like every integration test; the binary is a build
// dependency of this test, so its absence is a failure.
// gtest first: cpprest defines a macro U() that breaks gtest's templates.
#include "fixture.h"

#include <fstream>
#include <sstream>

#include "controller/executor.h"
#include "controller/job.h"
#include "controller/scan_result.h"
#include "controller/sigstore_verifier.h"
#include "policy/objects.h"
#include "tests/controller/integration/fake_kubelet.h"

namespace modelgate::controller::testing {
namespace {

const kube::Resource kJobs{"batch", "v1", "jobs", true};
constexpr const char* kScannerImage = "modelgate.test/scanner:job-mode";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class JobModeIT : public ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(std::filesystem::exists(MODELGATE_BINARY)) << "modelgate binary not built: " << MODELGATE_BINARY;
    // On a cluster with real nodes (MODELGATE_USE_EXISTING=1) a scheduler would race the
    // test node for the scan pods and a kubelet would try to pull the test image: these
    // tests are for the local control plane (see docs/operator.md for real clusters).
    auto nodes = client_->List(kube::Resource{"", "v1", "nodes", false}, "");
    ASSERT_TRUE(nodes.ok()) << nodes.status().message();
    for (const auto& n : nodes.value()["items"])
      if (!n["metadata"].contains("labels") || !n["metadata"]["labels"].contains("modelgate.io/fake-kubelet"))
        GTEST_SKIP() << "cluster has node " << n["metadata"]["name"] << ": Job-mode tests need the local control plane";
  }

  void TearDown() override {
    if (kubelet_) kubelet_->Stop();
    kubelet_.reset();
    ClusterTest::TearDown();
  }

  void StartKubelet(std::map<std::string, std::string> pvc_dirs = {}, const std::string& binary = MODELGATE_BINARY) {
    FakeKubeletOptions ko;
    ko.node_name = "mg-fake-kubelet-" + ns_;
    ko.namespace_name = ns_;
    ko.label_selector = std::string(kScanJobLabel) + "=true";
    ko.binary = binary;
    ko.work_dir = dir_ / "kubelet";
    ko.pvc_dirs = std::move(pvc_dirs);
    std::filesystem::create_directories(ko.work_dir);
    auto k = FakeKubelet::Start(client_, ko);
    ASSERT_TRUE(k.ok()) << k.status().message();
    kubelet_ = std::move(k).value();
  }

  ControllerOptions JobOptions() {
    ControllerOptions o = Options();
    o.scan_mode = ScanMode::kJob;
    o.scanner_image = kScannerImage;
    o.scan_timeout = 60s;
    o.inventory = false;
    return o;
  }

  std::unique_ptr<Executor> JobExecutor(const ControllerOptions& o) { return NewJobExecutor(client_, o, 200ms); }

  int CountScanJobs() {
    kube::ListOptions lo;
    lo.label_selector = std::string(kScanJobLabel) + "=true";
    auto r = client_->List(kJobs, ns_, lo);
    return r.ok() ? static_cast<int>(r.value()["items"].size()) : -1;
  }

  int CountScanPods() {
    kube::ListOptions lo;
    lo.label_selector = std::string(kScanJobLabel) + "=true";
    auto r = client_->List(kube::Pods(), ns_, lo);
    return r.ok() ? static_cast<int>(r.value()["items"].size()) : -1;
  }

  // The pod the agent ran for model `name` (label modelgate.io/model).
  const ObservedPod* RanFor(const std::vector<ObservedPod>& pods, const std::string& name) {
    for (const auto& p : pods)
      if (p.pod["metadata"]["labels"].value("modelgate.io/model", "") == name) return &p;
    return nullptr;
  }

  std::unique_ptr<FakeKubelet> kubelet_;
};

TEST_F(JobModeIT, FourKindsOfModelScannedByJobsOnTheTestNode) {
  const std::string clean = CleanSafetensors();
  const std::string sha = Sha256Hex(clean);
  Write("clean/model.safetensors", clean);
  Write("pickle/pytorch_model.bin", PicklePayload());
  Write("mismatch/model.safetensors", clean);
  Write("malformed/model.safetensors", MalformedSafetensors());
  Apply(Model("clean", (dir_ / "clean").string(), {{{"path", "model.safetensors"}, {"sha256", sha}}}));
  Apply(Model("pickle", (dir_ / "pickle").string(),
              {{{"path", "pytorch_model.bin"}, {"sha256", Sha256Hex(PicklePayload())}}}));
  Apply(Model("mismatch", (dir_ / "mismatch").string(),
              {{{"path", "model.safetensors"}, {"sha256", std::string(64, '0')}}}));
  Apply(Model("malformed", (dir_ / "malformed").string()));
  // Declared signatures (model-transparency's v1.1.0 elliptic-key vector): the Job embeds
  // the bundle, the operator verifies it against the Job's file hashes. "tampered" has one
  // signed file changed after signing.
  const std::string vector = std::string(MODELGATE_SHARED_DIR) + "/testdata/sigstore/model-signing/v1.1.0-elliptic-key/";
  for (const char* name : {"signed", "tampered"}) {
    for (const char* f : {"signme-1", "signme-2", "ignore-me", "model.sig"})
      Write(std::string(name) + "/" + f, ReadAll(vector + f));
    json ma = Model(name, (dir_ / name).string());
    ma["spec"]["signature"] = {{"path", "model.sig"},
                               {"publicKey", {{"configMapRef", {{"name", "signing-key"}, {"key", "key.pem"}}}}}};
    Apply(ma);
  }
  Write("tampered/signme-2", ReadAll(vector + "signme-2") + "!");

  StartKubelet();
  ControllerOptions o = JobOptions();
  SigstoreVerifierOptions vo;
  vo.fetch_key = [](const std::string&, const policy::KeyRef& ref) -> Result<std::string> {
    if (ref.name != "signing-key") return Status::Error("no such key");
    return ReadAll(std::string(MODELGATE_SHARED_DIR) + "/testdata/sigstore/model-signing/keys/certificate/signing-key-pub.pem");
  };
  auto verifier = MakeSigstoreVerifier(vo);
  ASSERT_TRUE(verifier.ok());
  o.signature_verifier = verifier.value();
  auto c = StartController(o, JobExecutor(o));
  ASSERT_TRUE(c);
  for (const char* n : {"clean", "pickle", "mismatch", "malformed", "signed", "tampered"})
    EXPECT_TRUE(WaitFor([&] { auto p = Phase(n); return p == "Admitted" || p == "Rejected"; }, 90s))
        << n << ": " << Get(n).dump(2);

  json o1 = Get("clean");
  EXPECT_EQ(o1["status"]["phase"], "Admitted") << o1.dump(2);
  EXPECT_EQ(Condition(o1, "HashesMatch")["status"], "True");
  EXPECT_EQ(Condition(o1, "Ready")["status"], "True");
  ASSERT_EQ(o1["status"]["scan"]["files"].size(), 1u) << o1["status"]["scan"].dump(2);
  EXPECT_EQ(o1["status"]["scan"]["files"][0]["path"], "model.safetensors") << "relative to the model root";
  EXPECT_EQ(o1["status"]["scan"]["files"][0]["sha256"], sha);
  EXPECT_EQ(o1["status"]["scan"]["format"], "safetensors");

  json o2 = Get("pickle");
  EXPECT_EQ(o2["status"]["phase"], "Rejected") << o2.dump(2);
  EXPECT_EQ(Condition(o2, "Ready")["reason"], "UnsafeContent");
  bool saw_global = false;
  for (const auto& f : o2["status"]["scan"]["findings"])
    saw_global |= f["rule"] == "pickle/dangerous-global" && f["file"] == "pytorch_model.bin";
  EXPECT_TRUE(saw_global) << o2["status"]["scan"].dump(2);

  json o3 = Get("mismatch");
  EXPECT_EQ(o3["status"]["phase"], "Rejected") << o3.dump(2);
  EXPECT_EQ(Condition(o3, "HashesMatch")["reason"], "HashMismatch");
  EXPECT_NE(Condition(o3, "HashesMatch")["message"].get<std::string>().find("model.safetensors: sha256"),
            std::string::npos);

  // Undecided is reported exactly as inline mode reports it, not as a failed scan.
  json o4 = Get("malformed");
  EXPECT_EQ(o4["status"]["phase"], "Rejected") << o4.dump(2);
  EXPECT_EQ(Condition(o4, "Ready")["reason"], "Undecided");
  EXPECT_EQ(Condition(o4, "Scanned")["status"], "True");

  json o5 = Get("signed");
  EXPECT_EQ(o5["status"]["signature"]["status"], "Verified") << o5.dump(2);
  EXPECT_EQ(o5["status"]["phase"], "Admitted");
  EXPECT_EQ(Condition(o5, "SignatureVerified")["status"], "True");
  EXPECT_EQ(Condition(o5, "SignatureVerified")["reason"], "Verified");
  EXPECT_EQ(Condition(o5, "SignatureVerified")["message"].get<std::string>().rfind("signed by key sha256:", 0), 0u)
      << Condition(o5, "SignatureVerified").dump();
  json o6 = Get("tampered");
  EXPECT_EQ(o6["status"]["signature"]["status"], "Invalid") << o6.dump(2);
  EXPECT_EQ(o6["status"]["phase"], "Rejected");
  EXPECT_EQ(Condition(o6, "SignatureVerified")["reason"], "SignatureInvalid");
  EXPECT_EQ(Condition(o6, "SignatureVerified")["message"], "model does not match its signature: modified signme-2");
  EXPECT_EQ(Condition(o1, "SignatureVerified")["reason"], "Unsigned") << "no signature declared";

  // Every Job is deleted once its result is in; the garbage collector removes the pods.
  EXPECT_TRUE(WaitFor([&] { return CountScanJobs() == 0; }, 30s)) << CountScanJobs() << " scan Jobs left";
  EXPECT_TRUE(WaitFor([&] { return CountScanPods() == 0; }, 30s)) << CountScanPods() << " scan pods left";
  EXPECT_GE(kubelet_->log_requests(), 6) << "results are read through the API server's pods/log proxy";
  c->Stop();

  // What the node saw: the Job's pod, created by the Job controller, locked down.
  const std::vector<ObservedPod> ran = kubelet_->Observed();
  EXPECT_EQ(ran.size(), 6u) << "one pod per scan, no retries";
  const std::map<std::string, int> exit_codes = {{"clean", 0},     {"pickle", 1}, {"mismatch", 0},
                                                 {"malformed", 2}, {"signed", 0}, {"tampered", 0}};
  for (const auto& [name, code] : exit_codes) {
    const ObservedPod* p = RanFor(ran, name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->error, "") << name;
    EXPECT_EQ(p->exit_code, code) << name << " log:\n" << p->log;
    std::vector<std::string> argv = {"/modelgate", "scan", "/model", "--output", "json", "--no-progress"};
    if (name == "signed" || name == "tampered") argv.insert(argv.end(), {"--embed-signature", "model.sig"});
    EXPECT_EQ(p->argv, argv) << name;
    EXPECT_EQ(p->uid, 65532) << name;
    EXPECT_EQ(p->gid, 65532) << name;
    ASSERT_EQ(p->mounts.size(), 1u);
    EXPECT_EQ(p->mounts.at("/model"), (dir_ / name).string());
    // The scanner saw the model at /model (which exists only in the container's root).
    auto report = ParseScanJson(p->log);
    ASSERT_TRUE(report.ok()) << name << ": " << report.status().message() << "\n" << p->log;
    EXPECT_EQ(report.value().roots, std::vector<std::string>{"/model"});
    ASSERT_FALSE(report.value().files.empty());
    EXPECT_EQ(report.value().files[0].path.rfind("/model/", 0), 0u) << report.value().files[0].path;
    const json& pod = p->pod;
    EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["kind"], "Job") << "created by the Job controller";
    const json& spec = pod["spec"];
    EXPECT_EQ(spec["nodeName"], "mg-fake-kubelet-" + ns_);
    EXPECT_EQ(spec["automountServiceAccountToken"], false);
    EXPECT_EQ(spec["restartPolicy"], "Never");
    EXPECT_EQ(spec["securityContext"]["runAsNonRoot"], true);
    ASSERT_EQ(spec["containers"].size(), 1u);
    const json& ctr = spec["containers"][0];
    EXPECT_EQ(ctr["image"], kScannerImage);
    for (const auto& m : ctr["volumeMounts"]) {
      EXPECT_EQ(m.value("readOnly", false), true) << m.dump();
      EXPECT_EQ(m["mountPath"].get<std::string>().find("/var/run/secrets"), std::string::npos)
          << "no service-account token: " << m.dump();
    }
    for (const auto& v : spec["volumes"]) EXPECT_FALSE(v.contains("projected")) << v.dump();
    EXPECT_EQ(ctr["securityContext"]["runAsNonRoot"], true);
    EXPECT_EQ(ctr["securityContext"]["readOnlyRootFilesystem"], true);
    EXPECT_EQ(ctr["securityContext"]["allowPrivilegeEscalation"], false);
    EXPECT_EQ(ctr["securityContext"]["capabilities"]["drop"], json({"ALL"}));
    EXPECT_TRUE(ctr["resources"]["limits"].contains("memory"));
  }
}

// The same ModelAdmission scanned by the inline executor and by a Job gives the same
// report (paths, hashes, formats, findings, undecided), including a PVC with subPath.
TEST_F(JobModeIT, JobAndInlineScansAgree) {
  // Inline mode reads PVCs at <pvc_root>/<namespace>/<claim>/<subPath>; the test node
  // maps claim "models" to the same directory.
  const auto pvc_root = dir_ / "pvcs";
  const std::string base = "pvcs/" + ns_ + "/models/";
  const auto models_dir = pvc_root / ns_ / "models";
  Write(base + "clean/model.safetensors", CleanSafetensors());
  Write(base + "clean/config.json", R"({"architectures":["LlamaForCausalLM"]})");
  Write(base + "pickle/pytorch_model.bin", PicklePayload());
  Write(base + "malformed/model.safetensors", MalformedSafetensors());
  StartKubelet({{"models", models_dir.string()}});

  ControllerOptions o = JobOptions();
  o.pvc_root = pvc_root.string();
  auto job = JobExecutor(o);
  auto inl = NewInlineExecutor(o);
  std::vector<json> models;
  for (const char* n : {"clean", "pickle", "malformed"})
    models.push_back(Model(std::string("host-") + n, (models_dir / n).string()));
  // hostPath naming a single file (inline: reported by its base name).
  models.push_back(Model("host-file", (models_dir / "clean" / "model.safetensors").string()));
  models.push_back(Model("host-file-pickle", (models_dir / "pickle" / "pytorch_model.bin").string()));
  json pvc = Model("pvc-clean", "");
  pvc["spec"]["source"] = {{"pvc", {{"claimName", "models"}, {"subPath", "clean"}}}};
  models.push_back(pvc);

  for (json m : models) {
    const std::string name = m["metadata"]["name"];
    Apply(m);
    auto parsed = policy::ParseModelAdmission(Get(name));
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    std::atomic<bool> stop{false};
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    auto a = inl->Scan(parsed.value(), "", deadline, stop);
    auto b = job->Scan(parsed.value(), "", deadline, stop);
    ASSERT_TRUE(a.ok()) << name << ": " << a.status().message();
    ASSERT_TRUE(b.ok()) << name << ": " << b.status().message();
    const auto& ra = a.value().report;
    const auto& rb = b.value().report;
    ASSERT_EQ(ra.files.size(), rb.files.size()) << name;
    for (size_t i = 0; i < ra.files.size(); ++i) {
      EXPECT_EQ(ra.files[i].path, rb.files[i].path) << name;
      EXPECT_EQ(ra.files[i].sha256, rb.files[i].sha256) << name;
      EXPECT_EQ(ra.files[i].size, rb.files[i].size) << name;
      EXPECT_EQ(ra.files[i].format, rb.files[i].format) << name;
      ASSERT_EQ(ra.files[i].findings.size(), rb.files[i].findings.size()) << name;
      for (size_t k = 0; k < ra.files[i].findings.size(); ++k) {
        EXPECT_EQ(ra.files[i].findings[k].rule, rb.files[i].findings[k].rule) << name;
        EXPECT_EQ(ra.files[i].findings[k].file, rb.files[i].findings[k].file) << name;
        EXPECT_EQ(ra.files[i].findings[k].severity, rb.files[i].findings[k].severity) << name;
      }
      ASSERT_EQ(ra.files[i].undecided.size(), rb.files[i].undecided.size()) << name;
      for (size_t k = 0; k < ra.files[i].undecided.size(); ++k) {
        EXPECT_EQ(ra.files[i].undecided[k].file, rb.files[i].undecided[k].file) << name;
        EXPECT_EQ(ra.files[i].undecided[k].reason, rb.files[i].undecided[k].reason) << name;
      }
    }
    EXPECT_EQ(ra.errors.size(), rb.errors.size()) << name;
    EXPECT_EQ(b.value().model_root, "") << "no local model directory in Job mode";
  }
  EXPECT_TRUE(WaitFor([&] { return CountScanJobs() == 0; }, 30s));
  const auto ran = kubelet_->Observed();
  const ObservedPod* p = RanFor(ran, "pvc-clean");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->mounts.at("/model"), (models_dir / "clean").string()) << "PVC subPath mounted";
  EXPECT_EQ(p->pod["spec"]["volumes"][0]["persistentVolumeClaim"]["readOnly"], true);
}

// The test node itself: a pod's container runs as its runAsUser, with the volume
// read-only, a read-only root, no network but loopback, no service-account token and
// none of the test process's environment; its output is the log served through the
// API server and its exit code lands in pods/status. /bin/sh stands in for the image.
TEST_F(JobModeIT, TestNodeRunsContainersLockedDown) {
  Write("vol/weights.bin", "weights");
  StartKubelet({}, "/bin/sh");
  const std::string script =
      "id -u; id -g; cat /model/weights.bin; echo; "
      "touch /model/x 2>/dev/null && echo volume-writable || echo volume-read-only; "
      "touch /x 2>/dev/null && echo root-writable || echo root-read-only; "
      "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; "
      "ls /var/run/secrets 2>/dev/null || echo no-token; echo kubeconfig=${KUBECONFIG:-unset}; exit 3";
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "probe"}, {"labels", {{kScanJobLabel, "true"}}}}},
              {"spec",
               {{"restartPolicy", "Never"},
                {"automountServiceAccountToken", false},
                {"securityContext", {{"runAsNonRoot", true}, {"runAsUser", 65532}, {"runAsGroup", 65532}}},
                {"containers",
                 {{{"name", "probe"},
                   {"image", "probe:1"},
                   {"args", {"-c", script}},
                   {"securityContext", {{"readOnlyRootFilesystem", true}, {"allowPrivilegeEscalation", false}}},
                   {"volumeMounts", {{{"name", "m"}, {"mountPath", "/model"}, {"readOnly", true}}}}}}},
                {"volumes", {{{"name", "m"}, {"hostPath", {{"path", (dir_ / "vol").string()}}}}}}}}};
  ASSERT_TRUE(WaitFor([&] { return client_->Get(kube::Resource{"", "v1", "serviceaccounts", true}, ns_, "default").ok(); },
                      30s));
  auto created = client_->Create(kube::Pods(), ns_, pod);
  ASSERT_TRUE(created.ok()) << created.status().message();
  ASSERT_TRUE(WaitFor([&] {
    auto p = client_->Get(kube::Pods(), ns_, "probe");
    return p.ok() && p.value()["status"].value("phase", "") == "Failed";
  }, 30s));
  auto p = client_->Get(kube::Pods(), ns_, "probe");
  EXPECT_EQ(p.value()["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"], 3);
  auto log = client_->Raw("GET", kube::Pods().Path(ns_, "probe", "log") + "?container=probe");
  ASSERT_TRUE(log.ok()) << log.status().message();
  EXPECT_EQ(log.value(),
            "65532\n65532\nweights\nvolume-read-only\nroot-read-only\nlo\nno-token\nkubeconfig=unset\n");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "vol" / "x"));
}

// Killing the operator mid-scan keeps its Job; the next operator adopts that Job (same
// deterministic name) instead of starting a second scan.
TEST_F(JobModeIT, RestartedOperatorAdoptsItsRunningJob) {
  Write("clean/model.safetensors", CleanSafetensors());
  Apply(Model("adopted", (dir_ / "clean").string()));
  const ControllerOptions o = JobOptions();
  auto first = StartController(o, JobExecutor(o));
  ASSERT_TRUE(first);
  // No node yet: the Job's pod waits unscheduled, the scan is in flight.
  ASSERT_TRUE(WaitFor([&] { return CountScanJobs() == 1; }, 30s));
  kube::ListOptions lo;
  lo.label_selector = std::string(kScanJobLabel) + "=true";
  const json job = client_->List(kJobs, ns_, lo).value()["items"][0];
  EXPECT_EQ(Phase("adopted"), "Scanning");
  first.reset();  // stopped mid-scan: the Job is kept
  ASSERT_EQ(CountScanJobs(), 1);

  StartKubelet();
  auto second = StartController(o, JobExecutor(o));
  ASSERT_TRUE(second);
  EXPECT_TRUE(WaitFor([&] { return Phase("adopted") == "Admitted"; }, 60s)) << Get("adopted").dump(2);
  EXPECT_TRUE(WaitFor([&] { return CountScanJobs() == 0; }, 30s));
  const auto ran = kubelet_->Observed();
  ASSERT_EQ(ran.size(), 1u) << "one scan, not two";
  EXPECT_EQ(ran[0].pod["metadata"]["ownerReferences"][0]["uid"], job["metadata"]["uid"])
      << "the pod belongs to the Job the first operator created";
  EXPECT_EQ(CountEvents("adopted", "ScanCompleted"), 1);
}

// A Job that never finishes (no node runs it) is deleted at the scan timeout and the
// model goes to Error, to be retried.
TEST_F(JobModeIT, TimedOutJobIsDeletedAndReportedAsError) {
  Write("clean/model.safetensors", CleanSafetensors());
  Apply(Model("stuck", (dir_ / "clean").string()));
  ControllerOptions o = JobOptions();
  o.scan_timeout = 3s;
  o.retry_min = 30s;  // one attempt within the test
  o.retry_max = 30s;
  auto c = StartController(o, JobExecutor(o));
  ASSERT_TRUE(c);
  EXPECT_TRUE(WaitFor([&] { return Phase("stuck") == "Error"; }, 30s)) << Get("stuck").dump(2);
  const json s = Condition(Get("stuck"), "Scanned");
  EXPECT_EQ(s["reason"], "ScanFailed");
  // The operator's deadline and the Job's activeDeadlineSeconds are the same: either
  // may fire first ("timed out" / "DeadlineExceeded"); both name the Job.
  EXPECT_NE(s["message"].get<std::string>().find("scan Job mg-scan-"), std::string::npos) << s.dump();
  EXPECT_TRUE(WaitFor([&] { return CountScanJobs() == 0; }, 10s)) << "the timed-out Job is deleted";
  c->Stop();
}

}  // namespace
}  // namespace modelgate::controller::testing
