// The informer converges on 1,000 objects and keeps following changes.
#include <atomic>

#include "kube/informer.h"
#include "tests/kube/integration/cluster_fixture.h"

namespace modelgate::kube::testing {
namespace {

class InformerTest : public ClusterTest {};

// Creates n ConfigMaps using a few threads (the API server is the bottleneck).
void CreateMany(Client& client, const std::string& ns, int first, int n, int threads) {
  std::vector<std::thread> pool;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = first + t; i < first + n; i += threads) {
        Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                   {"metadata", {{"name", "obj-" + std::to_string(i)},
                                 {"labels", {{"bucket", std::to_string(i % 10)}}}}},
                   {"data", {{"i", std::to_string(i)}}}};
        if (!client.Create(ConfigMaps(), ns, cm).ok()) ++failures;
      }
    });
  }
  for (auto& th : pool) th.join();
  ASSERT_EQ(failures.load(), 0);
}

TEST_F(InformerTest, ConvergesOnAThousandObjectsAndFollowsChanges) {
  // Half before the informer starts (seen by the list), half after (seen by the watch).
  CreateMany(*client_, ns_, 0, 500, 4);
  std::atomic<int> adds{0}, updates{0}, deletes{0}, replaced{0};
  InformerHandlers h;
  h.on_add = [&](const ObjectPtr&) { ++adds; };
  h.on_update = [&](const ObjectPtr&, const ObjectPtr&) { ++updates; };
  h.on_delete = [&](const ObjectPtr&) { ++deletes; };
  h.on_replaced = [&] { ++replaced; };
  ListWatchOptions lo;
  lo.label_selector = "bucket";  // leaves out kube-root-ca.crt
  lo.page_size = 100;
  Informer inf(client_, ConfigMaps(), ns_, lo, h);
  EXPECT_FALSE(inf.HasSynced());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(std::chrono::seconds(30)));
  EXPECT_EQ(inf.Size(), 500u);
  EXPECT_EQ(replaced.load(), 1) << "on_replaced runs once after the first list";
  CreateMany(*client_, ns_, 500, 500, 4);
  ASSERT_TRUE(Eventually([&] { return inf.Size() == 1000; }, std::chrono::seconds(60))) << inf.Size();
  EXPECT_EQ(adds.load(), 1000);

  auto one = inf.Get(ns_, "obj-737");
  ASSERT_NE(one, nullptr);
  EXPECT_EQ((*one)["data"]["i"], "737");
  EXPECT_EQ(inf.Get(ns_, "obj-1000"), nullptr);
  auto sel = LabelSelector::Parse("bucket in (3,4)");
  ASSERT_TRUE(sel.ok());
  EXPECT_EQ(inf.List(ns_, *sel).size(), 200u);
  EXPECT_EQ(inf.List("other-namespace").size(), 0u);

  ASSERT_TRUE(client_->Patch(ConfigMaps(), ns_, "obj-737", PatchType::kMerge, {{"data", {{"i", "changed"}}}}).ok());
  ASSERT_TRUE(client_->Delete(ConfigMaps(), ns_, "obj-1").ok());
  ASSERT_TRUE(Eventually([&] {
    auto o = inf.Get(ns_, "obj-737");
    return o && (*o)["data"]["i"] == "changed" && inf.Get(ns_, "obj-1") == nullptr;
  }));
  EXPECT_EQ(updates.load(), 1);
  EXPECT_EQ(deletes.load(), 1);
  // A reader's pointer stays valid after the cache moved on.
  EXPECT_EQ((*one)["data"]["i"], "737");
  inf.Stop();
  inf.Stop();  // idempotent
}

// The transform runs on every listed item (page by page) and every watch event before
// the handlers and the index see it; what it leaves is what the informer keeps.
TEST_F(InformerTest, TransformShrinksWhatTheIndexKeeps) {
  CreateMany(*client_, ns_, 0, 30, 2);
  std::atomic<int> transformed{0};
  std::atomic<int> handed_full{0};
  ListWatchOptions lo;
  lo.label_selector = "bucket";
  lo.page_size = 7;  // several pages
  lo.transform = [&](Json& o) {
    ++transformed;
    o = {{"metadata", {{"name", o["metadata"]["name"]}, {"namespace", o["metadata"]["namespace"]},
                       {"resourceVersion", o["metadata"]["resourceVersion"]}}},
         {"i", o["data"]["i"]}};
  };
  InformerHandlers h;
  h.on_add = [&](const ObjectPtr& o) { handed_full += o->contains("data") ? 1 : 0; };
  Informer inf(client_, ConfigMaps(), ns_, lo, h);
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(std::chrono::seconds(30)));
  EXPECT_EQ(transformed.load(), 30);
  CreateMany(*client_, ns_, 30, 1, 1);
  ASSERT_TRUE(Eventually([&] { return inf.Size() == 31; })) << inf.Size();
  EXPECT_EQ(transformed.load(), 31);
  EXPECT_EQ(handed_full.load(), 0) << "handlers see the transformed object";
  auto one = inf.Get(ns_, "obj-30");
  ASSERT_NE(one, nullptr);
  EXPECT_EQ((*one)["i"], "30");
  EXPECT_FALSE(one->contains("data"));
  inf.Stop();
}

}  // namespace
}  // namespace modelgate::kube::testing
