// Inventory rows, filters and renderings.
#include "controller/inventory.h"

#include <gtest/gtest.h>

#include "controller/job.h"
#include "controller/workloads.h"
#include "policy/objects.h"

namespace modelgate::controller {
namespace {

using nlohmann::json;

const std::string kA(64, 'a'), kB(64, 'b');

json Ma(const std::string& ns, const std::string& name, const std::string& sha) {
  return {{"apiVersion", "modelgate.io/v1alpha1"},
          {"kind", "ModelAdmission"},
          {"metadata", {{"namespace", ns}, {"name", name}}},
          {"spec",
           {{"source", {{"pvc", {{"claimName", "models"}, {"subPath", name}}}}},
            {"origin", {{"huggingFace", {{"repo", "org/" + name}, {"revision", std::string(40, '1')}}}}},
            {"files", {{{"path", "model.safetensors"}, {"sha256", sha}}}},
            {"digest", "sha256:" + kB}}},
          {"status",
           {{"phase", "Admitted"},
            {"scan", {{"format", "safetensors"}}},
            {"signature", {{"status", "Unsigned"}}},
            {"workloads",
             {{{"kind", "Deployment"}, {"name", "web, \"v2\""}, {"firstSeen", "2024-01-01T00:00:00Z"}},
              {{"kind", "Pod"}, {"name", "debug"}, {"firstSeen", "2024-01-02T00:00:00Z"}}}}}}};
}

json List() { return {{"items", {Ma("team-b", "mistral", kB), Ma("team-a", "llama", kA)}}}; }

TEST(Inventory, RowFields) {
  InventoryRow r = InventoryRowFromObject(Ma("ns", "llama", kA));
  EXPECT_EQ(r.source, "pvc:models/llama");
  EXPECT_EQ(r.origin, "hf:org/llama@" + std::string(40, '1'));
  EXPECT_EQ(r.format, "safetensors");
  EXPECT_EQ(r.digest, "sha256:" + kB);
  EXPECT_EQ(r.signature, "Unsigned");
  EXPECT_EQ(r.sha256, std::vector<std::string>{kA});
  ASSERT_EQ(r.workloads.size(), 2u);
}

TEST(Inventory, MissingFieldsNeverFail) {
  InventoryRow r = InventoryRowFromObject(json::object());
  EXPECT_EQ(r.name, "");
  r = InventoryRowFromObject({{"spec", 3}, {"status", "x"}});
  EXPECT_EQ(r.source, "");
}

TEST(Inventory, FilterBySha256FindsWhereAHashRuns) {
  InventoryFilter f;
  f.sha256 = std::string(64, 'A');  // case-insensitive
  auto rows = BuildInventory(List(), f);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "llama");
  f.sha256 = "sha256:" + kB;  // the digest, or mistral's file
  EXPECT_EQ(BuildInventory(List(), f).size(), 2u);
  f = {};
  f.model = "mistral";
  EXPECT_EQ(BuildInventory(List(), f).size(), 1u);
  f.sha256 = std::string(64, 'c');
  EXPECT_TRUE(BuildInventory(List(), f).empty());
}

TEST(Inventory, SortedTable) {
  const std::string t = InventoryTable(BuildInventory(List(), {}));
  EXPECT_EQ(t.rfind("NAMESPACE", 0), 0u) << t;
  const size_t a = t.find("team-a"), b = t.find("team-b");
  ASSERT_NE(a, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_NE(t.find("Deployment/web, \"v2\",Pod/debug"), std::string::npos) << t;
  EXPECT_NE(t.find("sha256:bbbbbbbbbbbb "), std::string::npos) << "digest shortened: " << t;
  // Columns are aligned: every line has SOURCE at the same offset.
  const size_t col = t.find("SOURCE");
  EXPECT_EQ(t.substr(t.find('\n') + 1 + col, 4), "pvc:");
}

TEST(Inventory, JsonCarriesFullValues) {
  json j = InventoryJson(BuildInventory(List(), {}));
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["namespace"], "team-a");
  EXPECT_EQ(j[0]["digest"], "sha256:" + kB);
  EXPECT_EQ(j[0]["sha256"][0], kA);
  EXPECT_EQ(j[0]["workloads"][0]["kind"], "Deployment");
}

TEST(Inventory, CsvQuotesPerRfc4180) {
  const std::string csv = InventoryCsv(BuildInventory(List(), {}));
  EXPECT_EQ(csv.rfind("namespace,name,source,origin,revision,phase,format,digest,signature,workloads\n", 0), 0u);
  EXPECT_NE(csv.find("\"Deployment/web, \"\"v2\"\";Pod/debug\""), std::string::npos) << csv;
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
}

TEST(MergeWorkloads, KeepsFirstSeenDropsGoneBoundsOldest) {
  const TimePoint now = TimePoint(std::chrono::seconds(1'800'000'000));
  json prev = {{{"kind", "Deployment"}, {"name", "old"}, {"firstSeen", "2024-01-01T00:00:00Z"}},
               {{"kind", "Deployment"}, {"name", "gone"}, {"firstSeen", "2023-01-01T00:00:00Z"}}};
  std::set<WorkloadRef> cur = {{"Deployment", "old"}, {"StatefulSet", "new"}};
  json next = MergeWorkloads(prev, cur, 50, now);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0]["name"], "old");
  EXPECT_EQ(next[0]["firstSeen"], "2024-01-01T00:00:00Z");
  EXPECT_EQ(next[1]["name"], "new");
  EXPECT_EQ(next[1]["firstSeen"], FormatTime(now));
  EXPECT_EQ(MergeWorkloads(prev, cur, 1, now).size(), 1u);
  EXPECT_EQ(MergeWorkloads(prev, cur, 1, now)[0]["name"], "old");
}

TEST(ModelsUsedByPod, AnnotationAndMatchingPvcVolume) {
  json models = json::array({Ma("ml", "llama", kA), Ma("ml", "mistral", kB)});
  std::vector<json> ms(models.begin(), models.end());
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "p"}, {"namespace", "ml"}, {"annotations", {{"modelgate.io/models", "llama"}}}}},
              {"spec",
               {{"containers",
                 {{{"name", "c"},
                   {"image", "srv"},
                   {"volumeMounts", {{{"name", "w"}, {"mountPath", "/w"}, {"subPath", "mistral"}}}}}}},
                {"volumes", {{{"name", "w"}, {"persistentVolumeClaim", {{"claimName", "models"}}}}}}}}};
  EXPECT_EQ(ModelsUsedByPod(pod, ms), (std::vector<std::string>{"llama", "mistral"}));
  pod["metadata"].erase("annotations");
  pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] = "other";
  EXPECT_TRUE(ModelsUsedByPod(pod, ms).empty());
}

// The operator's own scan Job pod mounts the model it scans; it is not a user of it.
// Recognised by shape for the operator's scanner image only, never by its label.
TEST(ModelsUsedByPod, ScanJobPodsAreNotUsers) {
  json ma = Ma("ml", "llama", kA);
  std::vector<json> ms{ma};
  auto parsed = policy::ParseModelAdmission(ma);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ControllerOptions opts;
  opts.scanner_image = "registry.example/modelgate@sha256:" + kA;
  auto job = BuildScanJob(parsed.value(), "token", opts);
  ASSERT_TRUE(job.ok()) << job.status().message();
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", job.value()["spec"]["template"]["metadata"]},
              {"spec", job.value()["spec"]["template"]["spec"]}};
  pod["metadata"]["name"] = "mg-scan-x";
  pod["metadata"]["namespace"] = "ml";
  pod["metadata"]["annotations"]["modelgate.io/models"] = "llama";  // ties it like a user would
  EXPECT_TRUE(ModelsUsedByPod(pod, ms, opts.scanner_image).empty());
  // Another scanner image, or the feature off: an ordinary pod that uses the model.
  EXPECT_EQ(ModelsUsedByPod(pod, ms, "other/image:1"), std::vector<std::string>{"llama"});
  EXPECT_EQ(ModelsUsedByPod(pod, ms), std::vector<std::string>{"llama"});
  // The scan-job label alone hides nothing: a writable mount makes it an ordinary pod.
  pod["spec"]["containers"][0]["volumeMounts"][0]["readOnly"] = false;
  EXPECT_EQ(ModelsUsedByPod(pod, ms, opts.scanner_image), std::vector<std::string>{"llama"});
}

}  // namespace
}  // namespace modelgate::controller
