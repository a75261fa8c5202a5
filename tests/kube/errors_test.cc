// Mapping API responses and transport failures to Status values.
#include "kube/errors.h"

#include <gtest/gtest.h>

#include "kube/client.h"
#include "kube/resource.h"

namespace modelgate::kube {
namespace {

TEST(ApiErrorTest, UsesTheServersStatusReasonAndMessage) {
  const std::string body =
      R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"configmaps \"x\" not found","reason":"NotFound","code":404})";
  Status s = ApiError(404, body, "GET /api/v1/namespaces/a/configmaps/x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), 404);
  EXPECT_TRUE(IsNotFound(s));
  EXPECT_FALSE(IsConflict(s));
  EXPECT_EQ(s.message().rfind("NotFound: configmaps \"x\" not found", 0), 0u) << s.message();
  EXPECT_NE(s.message().find("GET /api/v1/namespaces/a/configmaps/x"), std::string::npos);
}

TEST(ApiErrorTest, AlreadyExistsIsAlsoAConflict) {
  Status s = ApiError(409, R"({"kind":"Status","reason":"AlreadyExists","message":"exists"})", "POST");
  EXPECT_TRUE(IsAlreadyExists(s));
  EXPECT_TRUE(IsConflict(s));
  Status c = ApiError(409, R"({"kind":"Status","reason":"Conflict","message":"modified"})", "PUT");
  EXPECT_TRUE(IsConflict(c));
  EXPECT_FALSE(IsAlreadyExists(c));
}

TEST(ApiErrorTest, GoneMeansRelist) {
  Status s = ApiError(410, R"j({"kind":"Status","reason":"Expired","message":"too old resource version: 1 (5)"})j", "GET");
  EXPECT_TRUE(IsGone(s));
  EXPECT_EQ(s.message().rfind("Expired: too old", 0), 0u);
}

TEST(ApiErrorTest, NonStatusBodyIsQuotedTruncatedWithAReasonFromTheCode) {
  const std::string html = "<html>" + std::string(1000, 'x') + "</html>";
  Status s = ApiError(503, html, "GET /readyz");
  EXPECT_EQ(s.code(), 503);
  EXPECT_EQ(s.message().rfind("InternalError: <html>", 0), 0u);
  EXPECT_LT(s.message().size(), 300u);
  Status f = ApiError(403, "not json {", "GET");
  EXPECT_TRUE(IsForbidden(f));
  EXPECT_EQ(f.message().rfind("Forbidden: not json {", 0), 0u);
}

TEST(ApiErrorTest, TransportErrorsHaveCodeZero) {
  Status s = TransportError("Connection refused", "GET /api");
  EXPECT_TRUE(IsTransport(s));
  EXPECT_FALSE(IsNotFound(s));
  EXPECT_FALSE(IsTransport(Status::Ok()));
}

TEST(ResourceTest, PathsForCoreGroupsNamespacesAndSubresources) {
  EXPECT_EQ(ConfigMaps().Path("a", "b"), "/api/v1/namespaces/a/configmaps/b");
  EXPECT_EQ(ConfigMaps().Path(), "/api/v1/configmaps");
  EXPECT_EQ(Leases().Path("ns"), "/apis/coordination.k8s.io/v1/namespaces/ns/leases");
  EXPECT_EQ(Namespaces().Path("ignored", "x"), "/api/v1/namespaces/x");
  Resource ma{"modelgate.io", "v1alpha1", "modeladmissions", true};
  EXPECT_EQ(ma.Path("n", "m", "status"), "/apis/modelgate.io/v1alpha1/namespaces/n/modeladmissions/m/status");
}

TEST(ClientCreateTest, RefusesPlainHttpAndBadPem) {
  Config c;
  c.server = "http://127.0.0.1:8080";
  auto r = Client::Create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("https"), std::string::npos);
  c.server = "https://127.0.0.1:1";
  c.ca_pem = "not a certificate";
  r = Client::Create(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("certificate authority"), std::string::npos);
}

TEST(ClientCreateTest, ConnectionRefusedIsATransportErrorWithinTheTimeout) {
  Config c;
  c.server = "https://127.0.0.1:1";  // nothing listens on port 1
  c.timeout = std::chrono::seconds(5);
  auto client = Client::Create(c);
  ASSERT_TRUE(client.ok()) << client.status().message();
  auto got = (*client)->Get(ConfigMaps(), "default", "x");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(IsTransport(got.status())) << got.status().message();
}

}  // namespace
}  // namespace modelgate::kube
