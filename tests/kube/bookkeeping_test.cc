// StripBookkeeping: what a read-only cache drops, and what it must keep.
#include <gtest/gtest.h>

#include "kube/bookkeeping.h"

namespace modelgate::kube {
namespace {

TEST(StripBookkeeping, DropsManagedFieldsAndLastAppliedOnly) {
  Json o = Json::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "a", "namespace": "ns", "resourceVersion": "42", "uid": "u",
                 "labels": {"app": "x"},
                 "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"big\":1}\n",
                                 "modelgate.io/models": "llama"},
                 "managedFields": [{"manager": "kubectl", "operation": "Apply", "fieldsV1": {"f:data": {}}}]},
    "data": {"k": "v"}})");
  StripBookkeeping(o);
  EXPECT_FALSE(o["metadata"].contains("managedFields"));
  EXPECT_EQ(o["metadata"]["annotations"], Json({{"modelgate.io/models", "llama"}}));
  EXPECT_EQ(o["metadata"]["name"], "a");
  EXPECT_EQ(o["metadata"]["namespace"], "ns");
  EXPECT_EQ(o["metadata"]["resourceVersion"], "42");
  EXPECT_EQ(o["metadata"]["labels"]["app"], "x");
  EXPECT_EQ(o["data"]["k"], "v");
}

TEST(StripBookkeeping, RemovesAnAnnotationsMapLeftEmpty) {
  Json o = {{"metadata", {{"name", "a"}, {"annotations", {{kLastAppliedAnnotation, "{}"}}}}}};
  StripBookkeeping(o);
  EXPECT_EQ(o, Json({{"metadata", {{"name", "a"}}}}));
}

TEST(StripBookkeeping, LeavesOddShapesAlone) {
  for (const char* text : {"null", "[]", "{}", R"({"metadata": 3})", R"({"metadata": {"annotations": []}})",
                           R"({"metadata": {"name": "a", "annotations": {}}})"}) {
    Json o = Json::parse(text);
    const Json before = o;
    StripBookkeeping(o);
    EXPECT_EQ(o, before) << text;
  }
}

TEST(MetadataStub, KeepsOnlyTheKeyAndVersion) {
  Json o = Json::parse(R"({"apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "a", "namespace": "ns", "uid": "u", "resourceVersion": "7", "labels": {"x": "y"}},
    "data": {"k": "v"}})");
  EXPECT_EQ(MetadataStub(o), Json::parse(R"({"metadata": {"name": "a", "namespace": "ns", "resourceVersion": "7"}})"));
  EXPECT_EQ(MetadataStub(Json::parse(R"({"metadata": {"name": "cluster-scoped"}})")),
            Json::parse(R"({"metadata": {"name": "cluster-scoped"}})"));
  EXPECT_EQ(MetadataStub(Json(nullptr)), Json::parse(R"({"metadata": {}})"));
}

}  // namespace
}  // namespace modelgate::kube
