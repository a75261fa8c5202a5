// SlimForDecision and the packed form the informer view keeps: the decision over a
// cached ModelAdmission must be the one over the object as the API server returned it,
// message for message. (The view over a real API server: integration/informer_view_test.cc.)
#include "webhook/informer_view.h"

#include <gtest/gtest.h>

#include <string>

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
  ma["spec"]["files"][0]["sha256"] = std::string(64, 'B');  // uppercase, differs
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

}  // namespace
}  // namespace modelgate::webhook
