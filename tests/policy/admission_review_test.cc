// AdmissionReview decoding (bounded, precise errors), encoding, and the Review path.
#include "helpers.h"
#include "policy/admission_review.h"
#include "policy/request.h"

namespace modelgate::policy {
namespace {

using namespace testing;

json ReviewJson(const json& object, const std::string& op = "CREATE") {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
            {"namespace", "ml"},
            {"operation", op},
            {"userInfo", {{"username", "alice"}, {"groups", {"dev"}}}},
            {"object", object},
            {"dryRun", false}}}};
}

std::string DecodeError(const std::string& body, DecodeLimits limits = {}) {
  auto r = DecodeAdmissionReview(body, limits);
  return r.ok() ? "" : r.status().message();
}

TEST(Decode, ValidReview) {
  auto r = DecodeAdmissionReview(ReviewJson(CompliantPod()).dump());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(r->kind.kind, "Pod");
  EXPECT_EQ(r->resource.kind, "pods");
  EXPECT_EQ(r->operation, "CREATE");
  EXPECT_EQ(r->username, "alice");
  EXPECT_EQ(r->groups, std::vector<std::string>{"dev"});
  EXPECT_FALSE(r->dry_run);
  EXPECT_EQ(r->object["metadata"]["name"], "server");
}

// What the API server adds and no decision reads is left out of the decoded objects;
// everything else (including fields named like the skipped ones elsewhere) is kept.
TEST(Decode, LeavesOutStatusAndManagedFields) {
  json pod = CompliantPod();
  pod["metadata"]["managedFields"] = json::parse(R"([{"manager": "kubectl", "operation": "Update",
      "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:containers": {"k:{\"name\":\"server\"}": {".": {}}}}}}])");
  pod["status"] = {{"phase", "Running"}, {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}};
  pod["spec"]["containers"][0]["env"] = {{{"name", "status"}, {"value", "managedFields"}}};
  pod["metadata"]["labels"]["status"] = "kept";
  json review = ReviewJson(pod, "UPDATE");
  review["request"]["oldObject"] = pod;
  review["request"]["status"] = "a request field of that name stays";
  auto r = DecodeAdmissionReview(review.dump());
  ASSERT_TRUE(r.ok()) << r.status().message();
  for (const json* o : {&r->object, &r->old_object}) {
    EXPECT_FALSE(o->contains("status")) << o->dump();
    EXPECT_FALSE((*o)["metadata"].contains("managedFields"));
    json expected = pod;
    expected.erase("status");
    expected["metadata"].erase("managedFields");
    EXPECT_EQ(*o, expected);  // nothing else lost or reordered
  }
}

TEST(DecodeErrors, SkippedPartsAreStillChecked) {
  json pod = CompliantPod();
  pod["metadata"]["managedFields"] = json::array();
  std::string body = ReviewJson(pod).dump();
  // Nesting over the limit inside managedFields is refused like anywhere else...
  std::string deep = body;
  deep.replace(deep.find("\"managedFields\":[]"), 18,
               "\"managedFields\":" + std::string(70, '[') + std::string(70, ']'));
  EXPECT_NE(DecodeError(deep).find("nesting deeper than 64"), std::string::npos) << DecodeError(deep);
  // ...and so is bad syntax.
  std::string bad = body;
  bad.replace(bad.find("\"managedFields\":[]"), 18, "\"managedFields\":[1,]");
  EXPECT_NE(DecodeError(bad).find("malformed JSON"), std::string::npos) << DecodeError(bad);
}

TEST(DecodeErrors, MalformedJson) {
  EXPECT_NE(DecodeError("{\"apiVersion\": ").find("malformed JSON"), std::string::npos);
  EXPECT_NE(DecodeError("").find("malformed JSON"), std::string::npos);
  EXPECT_NE(DecodeError("[1,2]").find("expected a JSON object"), std::string::npos);
}

TEST(DecodeErrors, WrongApiVersion) {
  json r = ReviewJson(CompliantPod());
  r["apiVersion"] = "admission.k8s.io/v1beta1";
  EXPECT_NE(DecodeError(r.dump()).find("apiVersion must be admission.k8s.io/v1, got \"admission.k8s.io/v1beta1\""),
            std::string::npos);
}

TEST(DecodeErrors, WrongKind) {
  json r = ReviewJson(CompliantPod());
  r["kind"] = "TokenReview";
  EXPECT_NE(DecodeError(r.dump()).find("kind must be AdmissionReview"), std::string::npos);
}

TEST(DecodeErrors, MissingUid) {
  json r = ReviewJson(CompliantPod());
  r["request"].erase("uid");
  EXPECT_NE(DecodeError(r.dump()).find("request.uid: required"), std::string::npos);
  r["request"]["uid"] = 42;
  EXPECT_NE(DecodeError(r.dump()).find("request.uid: expected a string"), std::string::npos);
}

TEST(DecodeErrors, MissingRequestAndObject) {
  json r = ReviewJson(CompliantPod());
  r.erase("request");
  EXPECT_NE(DecodeError(r.dump()).find("request: required"), std::string::npos);
  r = ReviewJson(CompliantPod());
  r["request"].erase("object");
  EXPECT_NE(DecodeError(r.dump()).find("request.object: required for CREATE"), std::string::npos);
}

TEST(DecodeErrors, UnknownOperation) {
  json r = ReviewJson(CompliantPod(), "PATCH");
  EXPECT_NE(DecodeError(r.dump()).find("request.operation: must be CREATE"), std::string::npos);
}

TEST(DecodeErrors, UidIsReportedWhenReadable) {
  json r = ReviewJson(CompliantPod(), "PATCH");
  std::string uid;
  EXPECT_FALSE(DecodeAdmissionReview(r.dump(), {}, &uid).ok());
  EXPECT_EQ(uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
}

TEST(DecodeErrors, DeepNesting) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(DecodeError(deep).find("nesting deeper than 64"), std::string::npos);
  // Nesting inside the object counts too.
  json r = ReviewJson(CompliantPod());
  std::string body = r.dump();
  std::string nested = std::string(70, '[') + std::string(70, ']');
  body.insert(body.size() - 1, ",\"x\":" + nested);
  EXPECT_NE(DecodeError(body).find("nesting deeper than 64"), std::string::npos);
}

TEST(DecodeErrors, DepthLimitIsExact) {
  // max_depth levels pass the bound (and then fail as "not an object"); one more does not.
  const std::string at = std::string(64, '[') + std::string(64, ']');
  const std::string over = std::string(65, '[') + std::string(65, ']');
  EXPECT_NE(DecodeError(at).find("expected a JSON object"), std::string::npos) << DecodeError(at);
  EXPECT_NE(DecodeError(over).find("nesting deeper than 64"), std::string::npos) << DecodeError(over);
  const std::string objects = "{\"a\":" + std::string(63, '[') + std::string(63, ']') + "}";
  EXPECT_EQ(DecodeError(objects).find("nesting"), std::string::npos) << DecodeError(objects);
}

TEST(DecodeErrors, MalformedJsonNamesTheProblem) {
  EXPECT_NE(DecodeError("{\"apiVersion\": ").find("malformed JSON"), std::string::npos);
  EXPECT_NE(DecodeError("{} trailing").find("malformed JSON"), std::string::npos);
  EXPECT_NE(DecodeError("").find("malformed JSON"), std::string::npos);
}

TEST(DecodeErrors, NestingAtTheLimitIsFine) {
  json r = ReviewJson(CompliantPod());
  std::string body = r.dump();
  body.insert(body.size() - 1, ",\"x\":" + std::string(60, '[') + std::string(60, ']'));
  EXPECT_EQ(DecodeError(body), "");
}

TEST(DecodeErrors, Oversize) {
  std::string big(3 * 1024 * 1024 + 1, ' ');
  EXPECT_NE(DecodeError(big).find("exceeds the limit of 3145728"), std::string::npos);
  DecodeLimits small;
  small.max_body_bytes = 10;
  EXPECT_NE(DecodeError(ReviewJson(CompliantPod()).dump(), small).find("exceeds"), std::string::npos);
}

TEST(Encode, DenialEchoesUidAndStatus) {
  AdmissionResponse r;
  r.uid = "u";
  r.allowed = false;
  r.code = 403;
  r.reason = "Forbidden";
  r.message = "MG009 ...";
  r.warnings = {"w"};
  json j = EncodeAdmissionReview(r);
  EXPECT_EQ(j["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(j["kind"], "AdmissionReview");
  EXPECT_EQ(j["response"]["uid"], "u");
  EXPECT_EQ(j["response"]["allowed"], false);
  EXPECT_EQ(j["response"]["status"]["code"], 403);
  EXPECT_EQ(j["response"]["status"]["reason"], "Forbidden");
  EXPECT_EQ(j["response"]["warnings"][0], "w");
}

TEST(Encode, AllowOmitsStatus) {
  AdmissionResponse r;
  r.uid = "u";
  json j = EncodeAdmissionReview(r);
  EXPECT_EQ(j["response"]["allowed"], true);
  EXPECT_FALSE(j["response"].contains("status"));
  EXPECT_FALSE(j["response"].contains("warnings"));
}

TEST(ReviewPath, DeniesWithMessage) {
  json pod = CompliantPod();
  pod["spec"].erase("securityContext");
  auto req = DecodeAdmissionReview(ReviewJson(pod).dump());
  ASSERT_TRUE(req.ok());
  InMemoryClusterView c = Cluster();
  ReviewOutcome out = Review(*req, c);
  EXPECT_FALSE(out.response.allowed);
  EXPECT_EQ(out.response.code, 403);
  EXPECT_EQ(out.response.uid, req->uid);
  EXPECT_NE(out.response.message.find("modelgate denied Pod \"server\" in namespace \"ml\":\nMG009"), std::string::npos)
      << out.response.message;
}

TEST(ReviewPath, AuditGoesToAnnotations) {
  json pod = CompliantPod();
  pod["spec"].erase("securityContext");
  auto req = DecodeAdmissionReview(ReviewJson(pod).dump());
  InMemoryClusterView c = Cluster();
  AdmissionPolicy p = DefaultPolicy();
  p.name = "audit";
  p.enforcement = Enforcement::kAudit;
  c.AddPolicy(p);
  ReviewOutcome out = Review(*req, c);
  EXPECT_TRUE(out.response.allowed);
  EXPECT_NE(out.response.audit_annotations["modelgate.io/violations"].find("MG009"), std::string::npos);
}

TEST(ReviewPath, UnreadableWorkloadIsDenied) {
  json pod = CompliantPod();
  pod["spec"]["containers"] = "nope";
  auto req = DecodeAdmissionReview(ReviewJson(pod).dump());
  ASSERT_TRUE(req.ok());
  InMemoryClusterView c;
  ReviewOutcome out = Review(*req, c);
  EXPECT_FALSE(out.response.allowed);
  EXPECT_EQ(out.response.code, 400);
  EXPECT_NE(out.response.message.find("spec.containers: expected a list"), std::string::npos);
}

TEST(Plan, SkipsWhatCannotMatter) {
  AdmissionRequest r;
  r.operation = "DELETE";
  EXPECT_FALSE(PlanRequest(r).evaluate);
  r.operation = "CREATE";
  r.kind.kind = "Service";
  r.object = {{"kind", "Service"}};
  EXPECT_FALSE(PlanRequest(r).evaluate);
  r.kind.kind = "Pod";
  r.object = CompliantPod();
  r.sub_resource = "status";
  EXPECT_FALSE(PlanRequest(r).evaluate);
  r.sub_resource = "ephemeralcontainers";
  EXPECT_TRUE(PlanRequest(r).evaluate);
}

TEST(Plan, UpdateOnlyWhenThePodSpecChanges) {
  AdmissionRequest r;
  r.operation = "UPDATE";
  r.kind.kind = "Pod";
  r.object = CompliantPod();
  r.old_object = CompliantPod();
  r.object["metadata"]["labels"]["new"] = "label";
  RequestPlan plan = PlanRequest(r);
  EXPECT_FALSE(plan.evaluate);
  EXPECT_EQ(plan.skip_reason, "pod spec unchanged");
  r.object["spec"]["ephemeralContainers"] = json::parse(R"([{"name": "dbg", "image": "busybox"}])");
  EXPECT_TRUE(PlanRequest(r).evaluate);
}

TEST(Plan, DeploymentScaleIsNotJudged) {
  json dep = {{"kind", "Deployment"},
              {"metadata", {{"name", "d"}}},
              {"spec", {{"replicas", 1}, {"template", {{"spec", CompliantPod()["spec"]}}}}}};
  AdmissionRequest r;
  r.operation = "UPDATE";
  r.kind.kind = "Deployment";
  r.old_object = dep;
  dep["spec"]["replicas"] = 5;
  r.object = dep;
  EXPECT_FALSE(PlanRequest(r).evaluate);
  r.object["spec"]["template"]["spec"]["containers"][0]["image"] = "other";
  EXPECT_TRUE(PlanRequest(r).evaluate);
}

}  // namespace
}  // namespace modelgate::policy
