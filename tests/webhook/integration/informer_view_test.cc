// InformerClusterView against the real API server: objects decoded from the first list
// and from watch events, updates and deletes followed, and a relist (forced by
// compaction + an API server restart) that keeps unchanged objects and picks up the
// ones changed while the watch was down. The informers keep only metadata stubs, so
// everything the decision reads must come from the view's own decoded objects.
#include <cstdlib>
#include <string>

#include "kube/bookkeeping.h"
#include "tests/kube/integration/cluster_fixture.h"
#include "webhook/informer_view.h"

namespace modelgate::kube::testing {
namespace {

class InformerViewTest : public ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    if (HasFatalFailure()) return;
    const std::string cmd = "kubectl --kubeconfig '" + std::string(std::getenv("MODELGATE_TEST_KUBECONFIG")) +
                            "' apply -f '" + MODELGATE_SOURCE_DIR + "/crds' >/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    // The CRD may take a moment to be served after it is established.
    ASSERT_TRUE(Eventually([&] { return client_->List(webhook::ModelAdmissionsResource(), ns_).ok(); }));
  }

  // A ModelAdmission as `kubectl apply` leaves it (last-applied annotation), status
  // Admitted written through the status subresource like the operator does.
  void ApplyModel(const std::string& name, const std::string& path, const std::string& sha) {
    Json ma = {{"apiVersion", "modelgate.io/v1alpha1"},
               {"kind", "ModelAdmission"},
               {"metadata", {{"name", name}}},
               {"spec",
                {{"source", {{"hostPath", {{"path", path}}}}},
                 {"files", {{{"path", "model.safetensors"}, {"sha256", sha}}}},
                 {"format", "safetensors"}}}};
    ma["metadata"]["annotations"][kLastAppliedAnnotation] = ma.dump();
    auto created = client_->Create(webhook::ModelAdmissionsResource(), ns_, ma);
    ASSERT_TRUE(created.ok()) << created.status().message();
    Json obj = created.value();
    obj["status"] = {{"phase", "Admitted"}, {"observedGeneration", obj["metadata"]["generation"]}};
    auto st = client_->Update(webhook::ModelAdmissionsResource(), ns_, obj, "status");
    ASSERT_TRUE(st.ok()) << st.status().message();
  }

  Json EgressPolicy(const std::string& name) {
    return {{"apiVersion", "networking.k8s.io/v1"},
            {"kind", "NetworkPolicy"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"podSelector", {{"matchLabels", {{"app", name}}}}},
              {"policyTypes", {"Egress"}},
              {"egress", {{{"to", {{{"ipBlock", {{"cidr", "10.0.0.0/8"}}}}}}}}}}}};
  }
};

const Resource kNetworkPolicies{"networking.k8s.io", "v1", "networkpolicies", true};
const std::string kSha1(64, 'a'), kSha2(64, 'b');

TEST_F(InformerViewTest, DecodesListAndWatchAndSurvivesARelist) {
  ApplyModel("listed", "/mnt/models/listed", kSha1);
  ASSERT_TRUE(client_->Create(kNetworkPolicies, ns_, EgressPolicy("server")).ok());

  webhook::InformerClusterView view(client_);
  view.Start();
  ASSERT_TRUE(view.WaitForSync(std::chrono::seconds(60)));

  // From the first list: decoded, indexed by source, status read.
  auto listed = view.FindModelAdmission(ns_, "listed");
  ASSERT_NE(listed, nullptr);
  EXPECT_EQ(listed->phase, "Admitted");
  ASSERT_EQ(listed->files.size(), 1u);
  EXPECT_EQ(listed->files[0].sha256, kSha1);
  EXPECT_EQ(view.ModelAdmissionsBySource(ns_, policy::ModelSource::Kind::kHostPath, "/mnt/models/listed").size(), 1u);
  const auto listed_nps = view.NetworkPoliciesIn(ns_);
  ASSERT_EQ(listed_nps->size(), 1u);
  EXPECT_TRUE((*listed_nps)[0]->egress);
  ASSERT_NE(view.FindNamespace(ns_), nullptr);

  // From watch events: add, update, delete.
  ApplyModel("watched", "/mnt/models/watched", kSha1);
  ASSERT_TRUE(Eventually([&] {
    auto m = view.FindModelAdmission(ns_, "watched");
    return m && m->phase == "Admitted";
  }));
  ASSERT_TRUE(client_->Patch(webhook::ModelAdmissionsResource(), ns_, "listed", PatchType::kMerge,
                             {{"spec", {{"files", {{{"path", "model.safetensors"}, {"sha256", kSha2}}}}}}})
                  .ok());
  ASSERT_TRUE(Eventually([&] {
    auto m = view.FindModelAdmission(ns_, "listed");
    return m && m->files.size() == 1 && m->files[0].sha256 == kSha2;
  }));
  ASSERT_TRUE(client_->Delete(kNetworkPolicies, ns_, "server").ok());
  ASSERT_TRUE(Eventually([&] { return view.NetworkPoliciesIn(ns_)->empty(); }));
  // The list taken before the delete is a snapshot: it still holds the policy.
  ASSERT_EQ(listed_nps->size(), 1u);
  EXPECT_EQ((*listed_nps)[0]->name, "server");

  // A relist: the watch's version is compacted away while the API server restarts, and a
  // model changes and one is deleted in the meantime.
  ClusterScript("compact");
  ClusterScript("stop-apiserver");
  ClusterScript("start-apiserver");
  ASSERT_TRUE(client_->Patch(webhook::ModelAdmissionsResource(), ns_, "watched", PatchType::kMerge,
                             {{"spec", {{"files", {{{"path", "model.safetensors"}, {"sha256", kSha2}}}}}}})
                  .ok());
  ASSERT_TRUE(client_->Delete(webhook::ModelAdmissionsResource(), ns_, "listed").ok());
  ASSERT_TRUE(client_->Create(kNetworkPolicies, ns_, EgressPolicy("relisted")).ok());
  ClusterScript("compact");
  ASSERT_TRUE(Eventually(
      [&] {
        auto m = view.FindModelAdmission(ns_, "watched");
        const auto nps = view.NetworkPoliciesIn(ns_);
        return m && m->files.size() == 1 && m->files[0].sha256 == kSha2 &&
               view.FindModelAdmission(ns_, "listed") == nullptr && nps->size() == 1 &&
               (*nps)[0]->name == "relisted";
      },
      std::chrono::seconds(90)))
      << "the view did not converge after the API server restart";
  // Unchanged objects keep their decoded form across the relist.
  EXPECT_NE(view.FindNamespace(ns_), nullptr);
  EXPECT_TRUE(view.ModelAdmissionsBySource(ns_, policy::ModelSource::Kind::kHostPath, "/mnt/models/listed").empty());
  EXPECT_EQ(view.ModelAdmissionsBySource(ns_, policy::ModelSource::Kind::kHostPath, "/mnt/models/watched").size(), 1u);
  view.Stop();
}

}  // namespace
}  // namespace modelgate::kube::testing
