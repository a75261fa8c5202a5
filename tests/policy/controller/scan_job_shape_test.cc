// The operator's real scan Job (controller::BuildScanJob) has the shape the webhook
// recognises as a scanner pod (policy/scanner_pod.h), for every source kind, both as
// the Job and as the pod the Job controller creates from its template. When someone
// changes one side and not the other, this test fails instead of every Job-mode scan
// in an Enforce namespace.
// (In tests/policy/controller/ so that it links mg_controller as well as mg_policy.)
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "controller/job.h"
#include "policy/evaluate.h"
#include "policy/scanner_pod.h"
#include "policy/workload.h"

namespace modelgate::policy {
namespace {

using nlohmann::json;

const std::string kScanner = "registry.example/modelgate@sha256:" + std::string(64, 'e');

ModelAdmission Unscanned(ModelSource::Kind kind) {
  ModelAdmission ma;
  ma.name = "llama";
  ma.namespace_name = "ml";
  ma.uid = "0f8fad5b-d9cb-469f-a165-70867728950e";
  ma.generation = 1;
  ma.source.kind = kind;
  switch (kind) {
    case ModelSource::Kind::kPvc:
      ma.source.claim_name = "models";
      ma.source.sub_path = "llama-3-8b";
      break;
    case ModelSource::Kind::kHostPath:
      ma.source.host_path = "/mnt/models/llama";
      break;
    case ModelSource::Kind::kImage:
      ma.source.image_reference = "reg.example/llama@sha256:" + std::string(64, 'a');
      break;
    case ModelSource::Kind::kNone:
      break;
  }
  ma.files.push_back({"model.safetensors", std::string(64, 'a')});
  return ma;  // no scan status: every ordinary pod using it is denied MG002
}

// The chart's scan-job isolation NetworkPolicy in the model's namespace.
InMemoryClusterView ClusterWith(const ModelAdmission& ma) {
  InMemoryClusterView view;
  view.AddModelAdmission(ma);
  NetworkPolicy np;
  np.name = "modelgate-scan-job-isolation";
  np.namespace_name = "ml";
  np.egress = true;
  auto sel = LabelSelector::FromJson({{"matchLabels", {{controller::kScanJobLabel, "true"}}}}, "spec.podSelector");
  EXPECT_TRUE(sel.ok());
  np.pod_selector = sel.value();
  view.AddNetworkPolicy(np);
  return view;
}

json RealJob(const ModelAdmission& ma, const std::string& image) {
  controller::ControllerOptions opts;
  opts.scan_mode = controller::ScanMode::kJob;
  opts.scanner_image = image;
  auto job = controller::BuildScanJob(ma, "", opts);
  EXPECT_TRUE(job.ok()) << job.status().message();
  return job.ok() ? job.value() : json::object();
}

// The pod the Job controller creates, with the fields the API server defaults before
// a validating webhook sees it.
json PodOf(const json& job) {
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", job["spec"]["template"]["metadata"]},
              {"spec", job["spec"]["template"]["spec"]}};
  pod["metadata"]["name"] = job["metadata"]["name"].get<std::string>() + "-x7k2p";
  pod["metadata"]["namespace"] = job["metadata"]["namespace"];
  pod["spec"]["dnsPolicy"] = "ClusterFirst";
  pod["spec"]["schedulerName"] = "default-scheduler";
  pod["spec"]["serviceAccountName"] = "default";
  pod["spec"]["terminationGracePeriodSeconds"] = 30;
  pod["spec"]["tolerations"] = {{{"key", "node.kubernetes.io/not-ready"}, {"operator", "Exists"},
                                 {"effect", "NoExecute"}, {"tolerationSeconds", 300}}};
  json& c = pod["spec"]["containers"][0];
  c["terminationMessagePath"] = "/dev/termination-log";
  if (!c.contains("terminationMessagePolicy")) c["terminationMessagePolicy"] = "File";
  return pod;
}

class RealScanJob : public ::testing::TestWithParam<ModelSource::Kind> {};

// Also with a declared signature, which adds `--embed-signature PATH` to the args.
TEST_P(RealScanJob, JobAndItsPodAreRecognisedAndAdmitted) {
  for (const char* signature : {"", "model.sig", "sigs/model.sig"}) {
    SCOPED_TRACE(std::string("signature: ") + signature);
    ModelAdmission ma = Unscanned(GetParam());
    ma.signature_declared = *signature != '\0';
    ma.signature_path = signature;
    InMemoryClusterView view = ClusterWith(ma);
    EvaluateOptions opts;
    opts.scanner_image = kScanner;
    const json job = RealJob(ma, kScanner);
    const json& args = job["spec"]["template"]["spec"]["containers"][0]["args"];
    EXPECT_EQ(std::find(args.begin(), args.end(), "--embed-signature") != args.end(), ma.signature_declared);
    for (const json& obj : {job, PodOf(job)}) {
      SCOPED_TRACE(obj["kind"].get<std::string>());
      auto w = WorkloadFromObject(obj);
      ASSERT_TRUE(w.ok()) << w.status().message();
      const ScannerPodCheck check = CheckScannerPod(w.value(), kScanner);
      EXPECT_TRUE(check.recognised) << check.reason;
      Decision d = Evaluate(w.value(), view, opts);
      EXPECT_TRUE(d.allowed) << d.DenialMessage();
      EXPECT_TRUE(d.violations.empty()) << d.DenialMessage();
      EXPECT_EQ(d.notes.size(), 1u);
      EXPECT_TRUE(d.scan_requests.empty());
    }
  }
}

TEST_P(RealScanJob, ThePodIsDeniedWhenTheWebhookHasAnotherScannerImage) {
  const ModelAdmission ma = Unscanned(GetParam());
  InMemoryClusterView view = ClusterWith(ma);
  EvaluateOptions opts;
  opts.scanner_image = "registry.example/modelgate:other";
  auto w = WorkloadFromObject(PodOf(RealJob(ma, kScanner)));
  ASSERT_TRUE(w.ok()) << w.status().message();
  Decision d = Evaluate(w.value(), view, opts);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.Rules(), std::vector<std::string>{"MG002"});
}

INSTANTIATE_TEST_SUITE_P(Sources, RealScanJob,
                         ::testing::Values(ModelSource::Kind::kPvc, ModelSource::Kind::kHostPath,
                                           ModelSource::Kind::kImage),
                         [](const ::testing::TestParamInfo<ModelSource::Kind>& i) {
                           switch (i.param) {
                             case ModelSource::Kind::kPvc: return std::string("Pvc");
                             case ModelSource::Kind::kHostPath: return std::string("HostPath");
                             case ModelSource::Kind::kImage: return std::string("Image");
                             case ModelSource::Kind::kNone: break;
                           }
                           return std::string("None");
                         });

}  // namespace
}  // namespace modelgate::policy
