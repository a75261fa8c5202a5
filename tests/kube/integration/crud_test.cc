// CRUD against a real API server: ConfigMaps and a test CustomResourceDefinition.
#include "tests/kube/integration/cluster_fixture.h"

namespace modelgate::kube::testing {
namespace {

class CrudTest : public ClusterTest {};

TEST_F(CrudTest, ConfigMapCreateGetUpdateDelete) {
  auto created = client_->Create(ConfigMaps(), ns_, ConfigMap("a", {{"k", "v1"}}));
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_EQ((*created)["metadata"]["namespace"], ns_);

  auto again = client_->Create(ConfigMaps(), ns_, ConfigMap("a"));
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(IsAlreadyExists(again.status())) << again.status().message();

  auto got = client_->Get(ConfigMaps(), ns_, "a");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ((*got)["data"]["k"], "v1");

  Json updated = *got;
  updated["data"]["k"] = "v2";
  auto put = client_->Update(ConfigMaps(), ns_, updated);
  ASSERT_TRUE(put.ok()) << put.status().message();
  EXPECT_EQ((*put)["data"]["k"], "v2");

  // Optimistic concurrency: the stale resourceVersion loses with 409 Conflict.
  auto stale = client_->Update(ConfigMaps(), ns_, updated);
  ASSERT_FALSE(stale.ok());
  EXPECT_TRUE(IsConflict(stale.status())) << stale.status().message();
  EXPECT_FALSE(IsAlreadyExists(stale.status()));

  auto del = client_->Delete(ConfigMaps(), ns_, "a");
  ASSERT_TRUE(del.ok()) << del.status().message();
  auto gone = client_->Get(ConfigMaps(), ns_, "a");
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(IsNotFound(gone.status()));
  EXPECT_NE(gone.status().message().find("not found"), std::string::npos) << gone.status().message();
  EXPECT_TRUE(IsNotFound(client_->Delete(ConfigMaps(), ns_, "a").status()));
}

TEST_F(CrudTest, PatchMergeJsonAndServerSideApply) {
  ASSERT_TRUE(client_->Create(ConfigMaps(), ns_, ConfigMap("p", {{"a", "1"}, {"b", "2"}})).ok());

  auto merged = client_->Patch(ConfigMaps(), ns_, "p", PatchType::kMerge,
                               {{"data", {{"a", "10"}, {"b", nullptr}}}});
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ((*merged)["data"], Json({{"a", "10"}}));

  auto jp = client_->Patch(ConfigMaps(), ns_, "p", PatchType::kJson,
                           Json::array({{{"op", "add"}, {"path", "/data/c"}, {"value", "3"}},
                                        {{"op", "test"}, {"path", "/data/a"}, {"value", "10"}}}));
  ASSERT_TRUE(jp.ok()) << jp.status().message();
  EXPECT_EQ((*jp)["data"]["c"], "3");

  // A failing JSON-patch test op is rejected by the server, not applied.
  auto failing = client_->Patch(ConfigMaps(), ns_, "p", PatchType::kJson,
                                Json::array({{{"op", "test"}, {"path", "/data/a"}, {"value", "nope"}}}));
  EXPECT_FALSE(failing.ok());
  EXPECT_GE(failing.status().code(), 400);

  PatchOptions apply{"modelgate-test", false, ""};
  Json intent = ConfigMap("p", {{"owned", "yes"}});
  auto applied = client_->Patch(ConfigMaps(), ns_, "p", PatchType::kApply, intent, apply);
  ASSERT_TRUE(applied.ok()) << applied.status().message();
  EXPECT_EQ((*applied)["data"]["owned"], "yes");
  EXPECT_EQ((*applied)["data"]["a"], "10");  // fields of other managers stay

  // Another manager changing an owned field conflicts unless it forces.
  PatchOptions other{"someone-else", false, ""};
  auto conflict = client_->Patch(ConfigMaps(), ns_, "p", PatchType::kApply,
                                 ConfigMap("p", {{"owned", "no"}}), other);
  ASSERT_FALSE(conflict.ok());
  EXPECT_TRUE(IsConflict(conflict.status())) << conflict.status().message();
  other.force = true;
  auto forced = client_->Patch(ConfigMaps(), ns_, "p", PatchType::kApply,
                               ConfigMap("p", {{"owned", "no"}}), other);
  ASSERT_TRUE(forced.ok()) << forced.status().message();
  EXPECT_EQ((*forced)["data"]["owned"], "no");

  // Server-side apply also creates.
  auto fresh = client_->Patch(ConfigMaps(), ns_, "q", PatchType::kApply, ConfigMap("q", {{"x", "y"}}), apply);
  ASSERT_TRUE(fresh.ok()) << fresh.status().message();
}

TEST_F(CrudTest, ListPaginatesWithContinueAndListAllMergesPages) {
  for (int i = 0; i < 25; ++i) {
    auto r = client_->Create(ConfigMaps(), ns_,
                             ConfigMap("cm-" + std::to_string(i), {}, {{"parity", i % 2 ? "odd" : "even"}}));
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  ListOptions first;
  first.limit = 10;
  auto page = client_->List(ConfigMaps(), ns_, first);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ((*page)["items"].size(), 10u);
  const std::string cont = (*page)["metadata"].value("continue", "");
  ASSERT_FALSE(cont.empty());

  auto all = client_->ListAll(ConfigMaps(), ns_, {}, 7);
  ASSERT_TRUE(all.ok()) << all.status().message();
  // 25 plus the namespace's kube-root-ca.crt when the controller-manager publishes it.
  std::set<std::string> names;
  for (const auto& item : (*all)["items"]) names.insert(item["metadata"]["name"].get<std::string>());
  for (int i = 0; i < 25; ++i) EXPECT_TRUE(names.count("cm-" + std::to_string(i))) << i;
  EXPECT_FALSE((*all)["metadata"].contains("continue"));

  ListOptions odd;
  odd.label_selector = "parity=odd";
  auto odds = client_->ListAll(ConfigMaps(), ns_, odd, 5);
  ASSERT_TRUE(odds.ok());
  EXPECT_EQ((*odds)["items"].size(), 12u);
}

TEST_F(CrudTest, CustomResourceWithStatusSubresource) {
  const std::string group = "it" + RandomSuffix() + ".modelgate.io";
  const std::string plural = "widgets";
  Json crd = {
      {"apiVersion", "apiextensions.k8s.io/v1"},
      {"kind", "CustomResourceDefinition"},
      {"metadata", {{"name", plural + "." + group}}},
      {"spec",
       {{"group", group},
        {"scope", "Namespaced"},
        {"names", {{"plural", plural}, {"singular", "widget"}, {"kind", "Widget"}}},
        {"versions",
         Json::array({{{"name", "v1"},
                       {"served", true},
                       {"storage", true},
                       {"subresources", {{"status", Json::object()}}},
                       {"schema",
                        {{"openAPIV3Schema",
                          {{"type", "object"},
                           {"properties",
                            {{"spec", {{"type", "object"}, {"properties", {{"size", {{"type", "integer"}}}}}}},
                             {"status",
                              {{"type", "object"}, {"properties", {{"phase", {{"type", "string"}}}}}}}}}}}}}}})}}}};
  auto made = client_->Create(CustomResourceDefinitions(), "", crd);
  ASSERT_TRUE(made.ok()) << made.status().message();
  const std::string crd_name = plural + "." + group;
  ASSERT_TRUE(Eventually([&] {
    auto c = client_->Get(CustomResourceDefinitions(), "", crd_name);
    if (!c.ok() || !(*c).contains("status")) return false;
    for (const auto& cond : (*c)["status"].value("conditions", Json::array()))
      if (cond.value("type", "") == "Established" && cond.value("status", "") == "True") return true;
    return false;
  })) << "CRD never became Established";

  const Resource widgets{group, "v1", plural, true};
  // Discovery of a fresh CRD can lag Established by a moment.
  Result<Json> w = Status::Error("not tried");
  ASSERT_TRUE(Eventually([&] {
    w = client_->Create(widgets, ns_,
                        {{"apiVersion", group + "/v1"}, {"kind", "Widget"},
                         {"metadata", {{"name", "w1"}}}, {"spec", {{"size", 3}}},
                         {"status", {{"phase", "ignored-on-create"}}}});
    return w.ok() || IsAlreadyExists(w.status());
  })) << w.status().message();
  auto got = client_->Get(widgets, ns_, "w1");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ((*got)["spec"]["size"], 3);
  EXPECT_FALSE((*got).contains("status") && (*got)["status"].contains("phase"))
      << "status must be ignored on create when the subresource is enabled";

  Json with_status = *got;
  with_status["status"] = {{"phase", "Ready"}};
  with_status["spec"]["size"] = 99;  // ignored by the status endpoint
  auto st = client_->UpdateStatus(widgets, ns_, with_status);
  ASSERT_TRUE(st.ok()) << st.status().message();
  EXPECT_EQ((*st)["status"]["phase"], "Ready");
  EXPECT_EQ((*st)["spec"]["size"], 3);

  PatchOptions status_patch;
  status_patch.subresource = "status";
  auto patched = client_->Patch(widgets, ns_, "w1", PatchType::kMerge, {{"status", {{"phase", "Done"}}}},
                                status_patch);
  ASSERT_TRUE(patched.ok()) << patched.status().message();
  EXPECT_EQ((*patched)["status"]["phase"], "Done");
  auto status_only = client_->Get(widgets, ns_, "w1", "status");
  ASSERT_TRUE(status_only.ok());
  EXPECT_EQ((*status_only)["status"]["phase"], "Done");

  auto list = client_->List(widgets, ns_);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["items"].size(), 1u);
  ASSERT_TRUE(client_->Delete(widgets, ns_, "w1").ok());
  EXPECT_TRUE(client_->Delete(CustomResourceDefinitions(), "", crd_name).ok());
}

}  // namespace
}  // namespace modelgate::kube::testing
