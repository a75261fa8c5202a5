#include "webhook/validator.h"

#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace modelgate::webhook {
namespace {
using nlohmann::json;

json PodReview(const std::string& uid, json pod, bool dry_run = false) {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", uid},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
            {"namespace", "ml"},
            {"name", pod["metadata"]["name"]},
            {"operation", "CREATE"},
            {"dryRun", dry_run},
            {"userInfo", {{"username", "dev@example.com"}}},
            {"object", pod}}}};
}

// A pod that mounts /models from hostPath and breaks the root-dropping rules.
json RootPodWithUnregisteredModel() {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", "llm"}, {"namespace", "ml"}, {"labels", {{"app", "llm"}}}}},
          {"spec",
           {{"containers",
             {{{"name", "server"},
               {"image", "vllm:1"},
               {"volumeMounts", {{{"name", "weights"}, {"mountPath", "/models"}}}}}}},
            {"volumes", {{{"name", "weights"}, {"hostPath", {{"path", "/mnt/models/llama"}}}}}}}}};
}

json PlainPod() {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", "web"}, {"namespace", "ml"}}},
          {"spec", {{"containers", {{{"name", "nginx"}, {"image", "nginx"}}}}}}};
}

HttpRequest Post(const json& body) { return {"POST", "/validate", "", "application/json", body.dump()}; }

// The audit lines Handle logs while `fn` runs (spdlog's default logger redirected).
std::vector<json> AuditLines(const std::function<void()>& fn) {
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("audit-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->set_pattern("%v");
  spdlog::set_default_logger(logger);
  fn();
  spdlog::set_default_logger(previous);
  std::vector<json> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) {
    json j = json::parse(line, nullptr, false);
    if (j.is_object() && j.value("audit", "") == "admission") lines.push_back(j);
  }
  return lines;
}

TEST(ValidatorAudit, OneLinePerDecisionWithUserObjectRulesAndNotes) {
  policy::InMemoryClusterView view;
  ValidatorOptions opts;
  opts.evaluate.scanner_image = "registry.example/modelgate@sha256:" + std::string(64, 'a');
  Validator v(view, [] { return true; }, opts, nullptr, nullptr);
  // The operator's scan pod shape (controller/job.cc): model rules are not applied, and
  // the audit line says why.
  json scan_pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", "mg-scan-1"}, {"namespace", "ml"}}},
      {"spec",
       {{"automountServiceAccountToken", false},
        {"securityContext", {{"runAsNonRoot", true}, {"runAsUser", 65532}}},
        {"containers",
         {{{"name", "scan"},
           {"image", opts.evaluate.scanner_image},
           {"args", {"scan", "/model", "--output", "json", "--no-progress"}},
           {"securityContext",
            {{"allowPrivilegeEscalation", false}, {"privileged", false}, {"capabilities", {{"drop", {"ALL"}}}}}},
           {"volumeMounts", {{{"name", "model"}, {"mountPath", "/model"}, {"readOnly", true}}}}}}},
        {"volumes", {{{"name", "model"}, {"hostPath", {{"path", "/mnt/models/llama"}}}}}}}}};
  std::vector<json> lines = AuditLines([&] {
    v.Handle(Post(PodReview("uid-a", RootPodWithUnregisteredModel())));
    v.Handle(Post(PodReview("uid-b", scan_pod)));
  });
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["uid"], "uid-a");
  EXPECT_EQ(lines[0]["user"], "dev@example.com");
  EXPECT_EQ(lines[0]["object"], "Pod ml/llm");
  EXPECT_EQ(lines[0]["decision"], "denied");
  EXPECT_NE(lines[0]["rules"].dump().find("MG001"), std::string::npos) << lines[0].dump();
  EXPECT_FALSE(lines[0].contains("notes"));
  EXPECT_EQ(lines[1]["uid"], "uid-b");
  ASSERT_TRUE(lines[1].contains("notes")) << lines[1].dump();
  EXPECT_NE(lines[1]["notes"].dump().find("scanner"), std::string::npos) << lines[1].dump();
  EXPECT_EQ(lines[1]["rules"].dump().find("MG001"), std::string::npos) << "model rules skipped: " << lines[1].dump();
}

TEST(ValidatorAudit, NeverAffectedNamespaceSaysWhyNothingWasJudged) {
  policy::InMemoryClusterView view;
  Validator v(view, [] { return true; }, ValidatorOptions{}, nullptr, nullptr);
  json review = PodReview("uid-k", RootPodWithUnregisteredModel());
  review["request"]["namespace"] = "kube-system";
  review["request"]["object"]["metadata"]["namespace"] = "kube-system";
  std::vector<json> lines = AuditLines([&] { v.Handle(Post(review)); });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0]["allowed"].get<bool>()) << lines[0].dump();
  ASSERT_TRUE(lines[0].contains("skipReason")) << lines[0].dump();
  EXPECT_EQ(lines[0]["skipReason"], "namespace \"kube-system\" is never affected") << lines[0].dump();
}

TEST(Validator, DeniesAnUnregisteredModelVolumeWithRuleIdsAndEchoesUid) {
  policy::InMemoryClusterView view;
  Validator v(view, [] { return true; }, {}, nullptr, nullptr);
  HttpResponse r = v.Handle(Post(PodReview("uid-1", RootPodWithUnregisteredModel())));
  ASSERT_EQ(r.status, 200);
  json out = json::parse(r.body);
  EXPECT_EQ(out["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(out["kind"], "AdmissionReview");
  EXPECT_EQ(out["response"]["uid"], "uid-1");
  EXPECT_EQ(out["response"]["allowed"], false);
  EXPECT_EQ(out["response"]["status"]["code"], 403);
  std::string msg = out["response"]["status"]["message"];
  EXPECT_NE(msg.find("MG001"), std::string::npos) << msg;
  EXPECT_NE(msg.find("MG009"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"server\""), std::string::npos) << msg;
}

TEST(Validator, AllowsAPodWithoutModels) {
  policy::InMemoryClusterView view;
  Validator v(view, [] { return true; }, {}, nullptr, nullptr);
  json out = json::parse(v.Handle(Post(PodReview("uid-2", PlainPod()))).body);
  EXPECT_EQ(out["response"]["allowed"], true);
}

TEST(Validator, NotSyncedCachesDenyInsteadOfGuessing) {
  policy::InMemoryClusterView view;
  Validator v(view, [] { return false; }, {}, nullptr, nullptr);
  json out = json::parse(v.Handle(Post(PodReview("uid-3", PlainPod()))).body);
  EXPECT_EQ(out["response"]["allowed"], false);
  EXPECT_NE(out["response"]["status"]["message"].get<std::string>().find("not synced"), std::string::npos);
}

TEST(Validator, BrokenReviewsAreRejectedWithoutCrashing) {
  policy::InMemoryClusterView view;
  Validator v(view, [] { return true; }, {}, nullptr, nullptr);
  EXPECT_EQ(v.Handle({"POST", "/validate", "", "application/json", "{not json"}).status, 400);
  EXPECT_EQ(v.Handle({"GET", "/validate", "", "", ""}).status, 405);
  json wrong = PodReview("uid-4", PlainPod());
  wrong["apiVersion"] = "admission.k8s.io/v1beta1";
  HttpResponse r = v.Handle(Post(wrong));
  // The uid was readable, so the API server gets a denial it can show.
  if (r.status == 200) {
    json out = json::parse(r.body);
    EXPECT_EQ(out["response"]["uid"], "uid-4");
    EXPECT_EQ(out["response"]["allowed"], false);
  } else {
    EXPECT_EQ(r.status, 400);
  }
  json no_uid = PodReview("", PlainPod());
  EXPECT_EQ(v.Handle(Post(no_uid)).status, 400);
  std::string deep(200, '[');
  EXPECT_EQ(v.Handle({"POST", "/validate", "", "application/json", deep + std::string(200, ']')}).status, 400);
}

TEST(Validator, ScanRequestsAreNeverMadeOnDryRun) {
  policy::InMemoryClusterView view;
  policy::ModelAdmission ma;
  ma.name = "llama";
  ma.namespace_name = "ml";
  ma.generation = 3;
  ma.source.kind = policy::ModelSource::Kind::kHostPath;
  ma.source.host_path = "/mnt/models/llama";
  ma.files.push_back({"model.safetensors", std::string(64, 'a')});
  view.AddModelAdmission(ma);  // no status: not scanned yet -> MG002
  std::atomic<int> requests{0};
  int64_t seen_generation = 0;
  Validator v(view, [] { return true; }, {}, nullptr, [&](const std::string&, const std::string& name, int64_t g) {
    EXPECT_EQ(name, "llama");
    seen_generation = g;
    ++requests;
  });
  json dry = json::parse(v.Handle(Post(PodReview("uid-5", RootPodWithUnregisteredModel(), true))).body);
  EXPECT_EQ(dry["response"]["allowed"], false);
  EXPECT_NE(dry["response"]["status"]["message"].get<std::string>().find("MG002"), std::string::npos)
      << dry["response"]["status"]["message"];
  EXPECT_EQ(requests.load(), 0);
  v.Handle(Post(PodReview("uid-6", RootPodWithUnregisteredModel(), false)));
  EXPECT_EQ(requests.load(), 1);
  EXPECT_EQ(seen_generation, 3);
}

TEST(Validator, ConcurrentRequestsAreIndependent) {
  policy::InMemoryClusterView view;
  WebhookMetrics metrics;
  Validator v(view, [] { return true; }, {}, &metrics, nullptr);
  std::atomic<int> denied{0}, allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        bool bad = (i + t) % 2 == 0;
        json out = json::parse(
            v.Handle(Post(PodReview("u" + std::to_string(t * 100 + i), bad ? RootPodWithUnregisteredModel() : PlainPod())))
                .body);
        (out["response"]["allowed"].get<bool>() ? allowed : denied)++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(denied.load(), 100);
  EXPECT_EQ(allowed.load(), 100);
}

}  // namespace
}  // namespace modelgate::webhook
