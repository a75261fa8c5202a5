// MG002 on a workload template warns instead of denying (the pods it creates are
// still denied until the scan is done): the GitOps "apply everything at once" case.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "policy/evaluate.h"
#include "policy/workload.h"

namespace modelgate::policy {
namespace {
using nlohmann::json;

json PodSpec() {
  return {{"securityContext", {{"runAsNonRoot", true}}},
          {"containers",
           {{{"name", "server"},
             {"image", "vllm"},
             {"securityContext", {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"ALL"}}}}}},
             {"volumeMounts", {{{"name", "w"}, {"mountPath", "/models"}}}}}}},
          {"volumes", {{{"name", "w"}, {"hostPath", {{"path", "/m/late"}}}}}}};
}

InMemoryClusterView ClusterWithUnscannedModel() {
  InMemoryClusterView view;
  ModelAdmission ma;
  ma.name = "late";
  ma.namespace_name = "ml";
  ma.generation = 1;
  ma.source.kind = ModelSource::Kind::kHostPath;
  ma.source.host_path = "/m/late";
  ma.files.push_back({"model.safetensors", std::string(64, 'a')});
  view.AddModelAdmission(ma);
  NetworkPolicy np;
  np.name = "deny-egress";
  np.namespace_name = "ml";
  np.egress = true;  // no rules: all egress denied
  view.AddNetworkPolicy(np);
  return view;
}

bool HasRule(const std::vector<std::string>& lines, const std::string& rule) {
  for (const auto& l : lines)
    if (l.find(rule) != std::string::npos) return true;
  return false;
}

TEST(Mg002OnWorkloads, PodIsDeniedDeploymentIsWarned) {
  InMemoryClusterView view = ClusterWithUnscannedModel();
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "p"}, {"namespace", "ml"}, {"annotations", {{"modelgate.io/models", "late"}}}}},
              {"spec", PodSpec()}};
  auto w = WorkloadFromObject(pod);
  ASSERT_TRUE(w.ok()) << w.status().message();
  Decision d = Evaluate(w.value(), view);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.Rules(), std::vector<std::string>{"MG002"});

  json dep = {{"apiVersion", "apps/v1"},
              {"kind", "Deployment"},
              {"metadata", {{"name", "d"}, {"namespace", "ml"}}},
              {"spec",
               {{"selector", {{"matchLabels", {{"app", "d"}}}}},
                {"template",
                 {{"metadata", {{"labels", {{"app", "d"}}}, {"annotations", {{"modelgate.io/models", "late"}}}}},
                  {"spec", PodSpec()}}}}}};
  auto wd = WorkloadFromObject(dep);
  ASSERT_TRUE(wd.ok()) << wd.status().message();
  Decision dd = Evaluate(wd.value(), view);
  EXPECT_TRUE(dd.allowed) << dd.DenialMessage();
  EXPECT_TRUE(HasRule(dd.warnings, "MG002"));
  EXPECT_FALSE(dd.scan_requests.empty());  // the scan is still requested
}

}  // namespace
}  // namespace modelgate::policy
