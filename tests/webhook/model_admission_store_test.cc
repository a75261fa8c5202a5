// ModelAdmissionStore, the webhook's cache of ModelAdmissions: the decision over a
// cached (slimmed, packed, unpacked) ModelAdmission must be the one over the object as
// the API server returned it, message for message; lookups must never return a version
// older than the one stored, and the unpacked LRU stays bounded. (The informer view over
// a real API server: integration/informer_view_test.cc.)
#include "webhook/model_admission_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "policy/decision.h"
#include "tests/policy/helpers.h"
#include "webhook/packed_model_admission.h"

namespace modelgate::webhook {
namespace {

using namespace policy::testing;  // NOLINT: the policy tests' builders

// The whole decision (violations with messages and fixes, models used, scan requests) as JSON.
std::string Decide(const policy::ModelAdmission& ma) {
  policy::InMemoryClusterView c;
  c.AddModelAdmission(ma);
  c.AddNetworkPolicy(NP(DenyAllEgress()));
  return policy::DecisionToJson(policy::Evaluate(W(CompliantPod()), c)).dump();
}

void ExpectSameDecision(const json& ma_json) {
  const policy::ModelAdmission full = MA(ma_json);
  const policy::ModelAdmission cached = UnpackModelAdmission(PackModelAdmission(SlimForDecision(full)));
  EXPECT_EQ(Decide(cached), Decide(full)) << ma_json.dump(2);
}

json Conditions(const char* text) { return json::parse(text); }

TEST(SlimForDecision, AdmittedModelDecidesTheSame) { ExpectSameDecision(AdmittedModel()); }

TEST(SlimForDecision, ScanErrorMessageSurvives) {
  json ma = AdmittedModel();
  ma["status"]["phase"] = "Error";
  ma["status"]["conditions"] = Conditions(R"([
    {"type": "Ready", "status": "False", "reason": "ScanFailed", "message": "not ready"},
    {"type": "Scanned", "status": "False", "reason": "JobFailed", "message": "PVC not bound"},
    {"type": "Scanned", "status": "False", "message": "a second Scanned is never read"}])");
  ExpectSameDecision(ma);
  const auto slim = SlimForDecision(MA(ma));
  ASSERT_EQ(slim.conditions.size(), 1u);
  EXPECT_EQ(slim.conditions[0].message, "PVC not bound");
  EXPECT_EQ(slim.conditions[0].reason, "");
}

TEST(SlimForDecision, HashesMatchFalseMessageSurvives) {
  json ma = AdmittedModel();
  ma["status"]["conditions"] = Conditions(R"([
    {"type": "SignatureVerified", "status": "True", "message": "ok"},
    {"type": "HashesMatch", "status": "False", "reason": "Mismatch", "message": "digest differs"},
    {"type": "Scanned", "status": "True", "message": "scanned 2 files"}])");
  ExpectSameDecision(ma);
  const auto slim = SlimForDecision(MA(ma));
  ASSERT_EQ(slim.conditions.size(), 2u);
  EXPECT_EQ(slim.conditions[0].type, "HashesMatch");  // listed order kept
  EXPECT_EQ(slim.conditions[1].type, "Scanned");
}

TEST(SlimForDecision, MismatchedPinsAndFindingsDecideTheSame) {
  json ma = AdmittedModel();
  ma["metadata"]["labels"] = {{"team", "search"}};
  ma["spec"]["files"][0]["sha256"] = std::string(64, 'b');  // differs from the scanned hash
  ma["spec"]["digest"] = "sha256:" + std::string(64, '1');
  ma["status"]["scan"]["manifestDigest"] = "sha256:" + std::string(64, '2');
  ma["status"]["scan"]["findings"] = json::parse(R"([{"rule": "pickle/dangerous-global", "severity": "critical",
                                                      "file": "model.bin", "detail": "os.system"}])");
  ma["status"]["scan"]["undecided"] = json::parse(R"([{"file": "x.bin", "reason": "truncated"}])");
  ExpectSameDecision(ma);
  EXPECT_TRUE(SlimForDecision(MA(ma)).labels.empty());
}

TEST(SlimForDecision, StaleAndUnscannedDecideTheSame) {
  json stale = AdmittedModel();
  stale["metadata"]["generation"] = 3;
  ExpectSameDecision(stale);
  json unscanned = AdmittedModel();
  unscanned.erase("status");
  ExpectSameDecision(unscanned);
}

TEST(SlimForDecision, LeavesNoSpareCapacity) {
  json ma = AdmittedModel();
  ma["status"]["conditions"] = Conditions(R"([{"type": "A", "status": "True"}, {"type": "B", "status": "True"},
    {"type": "C", "status": "True"}, {"type": "Scanned", "status": "True"}])");
  const auto slim = SlimForDecision(MA(ma));
  EXPECT_EQ(slim.conditions.size(), 1u);
  EXPECT_EQ(slim.conditions.capacity(), 1u);
  EXPECT_EQ(slim.scan_completed_at.capacity(), std::string().capacity());
}

PackedModelAdmission Packed(const json& ma) { return PackForStore(MA(ma)); }

json WithDigest(json ma, char c) {
  ma["spec"]["digest"] = "sha256:" + std::string(64, c);
  return ma;
}

TEST(ModelAdmissionStore, FindsByNameAndBySource) {
  ModelAdmissionStore store;
  store.Put(Packed(AdmittedModel("llama")));
  json other = AdmittedModel("mistral");
  other["spec"]["source"] = {{"hostPath", {{"path", "/models/mistral"}}}};
  store.Put(Packed(other));
  EXPECT_EQ(store.size(), 2u);
  auto llama = store.Find("ml", "llama");
  ASSERT_NE(llama, nullptr);
  EXPECT_EQ(llama->files.at(0).sha256, kSha);
  EXPECT_EQ(store.Find("ml", "nope"), nullptr);
  EXPECT_EQ(store.Find("other-ns", "llama"), nullptr);
  auto by_pvc = store.BySource("ml", policy::ModelSource::Kind::kPvc, policy::SourceKey(llama->source));
  ASSERT_EQ(by_pvc.size(), 1u);
  EXPECT_EQ(by_pvc[0]->name, "llama");
  EXPECT_TRUE(store.BySource("ml", policy::ModelSource::Kind::kHostPath, "/models/llama").empty());
  EXPECT_EQ(store.BySource("ml", policy::ModelSource::Kind::kHostPath, "/models/mistral").size(), 1u);
}

TEST(ModelAdmissionStore, AnUpdateIsSeenAtOnceEvenWhenTheOldOneWasUnpacked) {
  ModelAdmissionStore store;
  store.Put(Packed(WithDigest(AdmittedModel(), '1')));
  auto first = store.Find("ml", "llama");
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(store.unpacked_size(), 1u);
  json moved = WithDigest(AdmittedModel(), '2');
  moved["spec"]["source"] = {{"hostPath", {{"path", "/models/llama"}}}};
  store.Put(Packed(moved));
  EXPECT_EQ(store.unpacked_size(), 0u);  // the stale unpacked copy is gone
  auto second = store.Find("ml", "llama");
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->digest, "sha256:" + std::string(64, '2'));
  EXPECT_EQ(first->digest, "sha256:" + std::string(64, '1'));  // a holder keeps its own copy
  EXPECT_TRUE(store.BySource("ml", policy::ModelSource::Kind::kPvc, policy::SourceKey(first->source)).empty());
  EXPECT_EQ(store.BySource("ml", policy::ModelSource::Kind::kHostPath, "/models/llama").size(), 1u);
  EXPECT_EQ(store.size(), 1u);
}

TEST(ModelAdmissionStore, EraseForgetsEverything) {
  ModelAdmissionStore store;
  store.Put(Packed(AdmittedModel()));
  auto ma = store.Find("ml", "llama");
  ASSERT_NE(ma, nullptr);
  store.Erase("ml", "llama");
  EXPECT_EQ(store.Find("ml", "llama"), nullptr);
  EXPECT_TRUE(store.BySource("ml", policy::ModelSource::Kind::kPvc, policy::SourceKey(ma->source)).empty());
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.unpacked_size(), 0u);
  store.Erase("ml", "llama");  // erasing what is not there is fine
}

TEST(ModelAdmissionStore, KeepsAtMostCapacityUnpackedAndReusesThem) {
  ModelAdmissionStore store(2);
  for (const char* n : {"a", "b", "c"}) store.Put(Packed(AdmittedModel(n)));
  auto a1 = store.Find("ml", "a");
  auto a2 = store.Find("ml", "a");
  EXPECT_EQ(a1.get(), a2.get());  // unpacked once
  store.Find("ml", "b");
  store.Find("ml", "a");  // a is now the most recent
  store.Find("ml", "c");  // evicts b, the least recent
  EXPECT_EQ(store.unpacked_size(), 2u);
  EXPECT_EQ(store.Find("ml", "a").get(), a1.get());
  ModelAdmissionStore none(0);
  none.Put(Packed(AdmittedModel()));
  auto x = none.Find("ml", "llama");
  ASSERT_NE(x, nullptr);
  EXPECT_NE(none.Find("ml", "llama").get(), x.get());  // unpacked every time
  EXPECT_EQ(none.unpacked_size(), 0u);
}

// Readers racing a writer that flips between two versions only ever see one of them,
// whole (run under TSan/ASan to catch races; here: no torn or unknown values).
TEST(ModelAdmissionStore, ConcurrentLookupsDuringUpdatesSeeWholeVersions) {
  ModelAdmissionStore store(4);
  const PackedModelAdmission v1 = Packed(WithDigest(AdmittedModel(), '1'));
  const PackedModelAdmission v2 = Packed(WithDigest(AdmittedModel(), '2'));
  const std::string d1 = "sha256:" + std::string(64, '1'), d2 = "sha256:" + std::string(64, '2');
  store.Put(v1);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, seen{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop) {
        auto ma = store.Find("ml", "llama");
        if (ma == nullptr || (ma->digest != d1 && ma->digest != d2)) ++bad;
        ++seen;
      }
    });
  }
  // At least 2000 updates, and on until the readers have done some lookups meanwhile.
  for (int i = 0; i < 2000 || seen < 1000; ++i) store.Put(i % 2 ? v1 : v2);
  store.Put(v2);
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(store.Find("ml", "llama")->digest, d2);
}

}  // namespace
}  // namespace modelgate::webhook
