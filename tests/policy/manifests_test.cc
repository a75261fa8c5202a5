// Manifest loading for `modelgate check`: YAML typing, multi-document, Lists, bounds;
// and the manifest set / cluster view built from them.
#include "helpers.h"
#include "policy/manifests.h"

namespace modelgate::policy {
namespace {

using namespace testing;

TEST(Load, MultiDocumentAndTypes) {
  auto objs = LoadManifests(R"(---
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
data:
  quoted: "true"
  plain: true
  num: 3
  flops: 1.0e+25
  nothing: ~
  hex: "0x10"
---
---
kind: Pod
metadata: {name: b}
)", "x.yaml");
  ASSERT_TRUE(objs.ok()) << objs.status().message();
  ASSERT_EQ(objs->size(), 2u);
  const json& data = (*objs)[0].object["data"];
  EXPECT_EQ(data["quoted"], "true");
  EXPECT_EQ(data["plain"], true);
  EXPECT_EQ(data["num"], 3);
  EXPECT_EQ(data["flops"], 1e25);
  EXPECT_TRUE(data["nothing"].is_null());
  EXPECT_EQ(data["hex"], "0x10");
  EXPECT_EQ((*objs)[1].origin, "x.yaml#3");  // the empty document counts
}

TEST(Load, ListsAreExpanded) {
  auto objs = LoadManifests(R"({"apiVersion": "v1", "kind": "List", "items": [
      {"kind": "Pod", "metadata": {"name": "a"}},
      {"kind": "DeploymentList", "items": [{"kind": "Deployment", "metadata": {"name": "b"}}]}]})",
                            "list.json");
  ASSERT_TRUE(objs.ok()) << objs.status().message();
  ASSERT_EQ(objs->size(), 2u);
  EXPECT_EQ((*objs)[1].object["metadata"]["name"], "b");
  EXPECT_EQ((*objs)[1].origin, "list.json#1 items[1] items[0]");
}

TEST(Load, Errors) {
  auto bad = LoadManifests("a: [1, 2\n", "bad.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.yaml: invalid YAML"), std::string::npos);
  auto scalar = LoadManifests("just text\n", "s.yaml");
  ASSERT_FALSE(scalar.ok());
  EXPECT_NE(scalar.status().message().find("s.yaml#1: expected a mapping"), std::string::npos);
  auto deep = LoadManifests(std::string(100, '[') + std::string(100, ']'), "d.yaml");
  EXPECT_FALSE(deep.ok());
}

TEST(Load, AliasBombIsBounded) {
  std::string y = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c, ++prev)
    y += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
         ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  auto r = LoadManifests(y, "bomb.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("alias bomb"), std::string::npos);
}

TEST(ManifestSetTest, SortsObjectsIntoViewAndWorkloads) {
  ManifestSet set;
  std::vector<json> objs = {CompliantPod(), AdmittedModel(), DenyAllEgress(),
                            json::parse(R"({"kind": "Service", "metadata": {"name": "s"}})"),
                            json::parse(R"({"kind": "PersistentVolumeClaim", "metadata": {"name": "models"}})"),
                            json::parse(R"({"kind": "ModelAdmissionPolicy", "metadata": {"name": "p"}, "spec": {"enforcement": "Warn"}})")};
  for (size_t i = 0; i < objs.size(); ++i) AddToManifestSet({objs[i], "m#" + std::to_string(i)}, "ml", true, set);
  EXPECT_TRUE(set.errors.empty());
  ASSERT_EQ(set.workloads.size(), 1u);
  EXPECT_EQ(set.ignored, 1u);
  EXPECT_TRUE(set.cluster.FindModelAdmission("ml", "llama"));
  EXPECT_TRUE(set.cluster.FindPvc("ml", "models"));  // namespace filled in
  EXPECT_EQ(set.cluster.Policies().size(), 1u);
  Decision d = Evaluate(set.workloads[0].first, set.cluster);
  EXPECT_TRUE(d.allowed) << Lines(d);
}

TEST(ManifestSetTest, BadObjectsAreErrors) {
  ManifestSet set;
  AddToManifestSet({json::parse(R"({"kind": "ModelAdmissionPolicy", "metadata": {"name": "p"}, "spec": {"enforcement": "Nope"}})"), "p.yaml#1"},
                   "default", true, set);
  ASSERT_EQ(set.errors.size(), 1u);
  EXPECT_NE(set.errors[0].find("p.yaml#1: invalid ModelAdmissionPolicy \"p\": spec.enforcement"), std::string::npos)
      << set.errors[0];
}

TEST(Snippet, MG001SnippetIsAValidModelAdmissionForTheVolume) {
  json pod = CompliantPod();
  pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] = "weights-pvc";
  InMemoryClusterView cluster = Cluster();
  Decision d = Evaluate(W(pod), cluster);
  ASSERT_TRUE(HasRule(d, "MG001"));
  auto objs = LoadManifests(d.violations[0].snippet, "snippet");
  ASSERT_TRUE(objs.ok()) << objs.status().message();
  auto ma = ParseModelAdmission((*objs)[0].object);
  ASSERT_TRUE(ma.ok()) << ma.status().message();
  // Registering it makes the volume bound (MG001 gone; MG002 until scanned).
  cluster.AddModelAdmission(*ma);
  Decision after = Evaluate(W(pod), cluster);
  EXPECT_FALSE(HasRule(after, "MG001")) << Lines(after);
  EXPECT_TRUE(HasRule(after, "MG002")) << Lines(after);
}

}  // namespace
}  // namespace modelgate::policy
