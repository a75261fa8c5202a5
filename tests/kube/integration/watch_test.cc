// Watches against a real API server: event order, 410 on a too-old version, relisting,
// and surviving an API server restart.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include "kube/list_watch.h"
#include "tests/kube/integration/cluster_fixture.h"

namespace modelgate::kube::testing {
namespace {

class WatchTest : public ClusterTest {};

TEST_F(WatchTest, DeliversAddModifyDeleteInOrder) {
  auto list = client_->List(ConfigMaps(), ns_);
  ASSERT_TRUE(list.ok());
  WatchOptions wo;
  wo.resource_version = (*list)["metadata"]["resourceVersion"];
  wo.label_selector = "test=order";
  wo.timeout_seconds = 30;
  std::vector<std::string> seen;
  std::mutex mu;
  CancelToken cancel;
  std::thread watcher([&] {
    Status st = client_->Watch(ConfigMaps(), ns_, wo, [&](WatchEvent&& ev) {
      std::lock_guard<std::mutex> l(mu);
      const char* t = ev.type == WatchEvent::Type::kAdded      ? "ADDED"
                      : ev.type == WatchEvent::Type::kModified ? "MODIFIED"
                      : ev.type == WatchEvent::Type::kDeleted  ? "DELETED"
                      : ev.type == WatchEvent::Type::kBookmark ? "BOOKMARK"
                                                               : "ERROR";
      if (ev.type != WatchEvent::Type::kBookmark) seen.push_back(std::string(t) + " " + ev.object["metadata"].value("name", ""));
      return seen.size() < 3;
    }, cancel);
    EXPECT_TRUE(st.ok()) << st.message();
  });
  ASSERT_TRUE(client_->Create(ConfigMaps(), ns_, ConfigMap("w", {{"a", "1"}}, {{"test", "order"}})).ok());
  ASSERT_TRUE(client_->Patch(ConfigMaps(), ns_, "w", PatchType::kMerge, {{"data", {{"a", "2"}}}}).ok());
  ASSERT_TRUE(client_->Delete(ConfigMaps(), ns_, "w").ok());
  const bool done = Eventually([&] { std::lock_guard<std::mutex> l(mu); return seen.size() >= 3; },
                               std::chrono::seconds(20));
  if (!done) cancel.Cancel();
  watcher.join();
  ASSERT_TRUE(done);
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED w", "MODIFIED w", "DELETED w"}));
}

// The API server sends a BOOKMARK before a watch's timeout (when asked to and when the
// resource saw changes meanwhile); it carries only a resourceVersion, which lets a watch
// whose selector matched nothing resume from "now" instead of from its start.
TEST_F(WatchTest, BookmarkCarriesProgressOfAQuietWatch) {
  auto list = client_->List(ConfigMaps(), ns_);
  ASSERT_TRUE(list.ok());
  WatchOptions wo;
  wo.resource_version = (*list)["metadata"]["resourceVersion"];
  wo.label_selector = "test=matches-nothing";
  wo.timeout_seconds = 10;
  std::string bookmark_rv;
  int other_events = 0;
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    EXPECT_TRUE(client_->Create(ConfigMaps(), ns_, ConfigMap("unrelated")).ok());
  });
  Status st = client_->Watch(ConfigMaps(), ns_, wo, [&](WatchEvent&& ev) {
    if (ev.type == WatchEvent::Type::kBookmark)
      bookmark_rv = ev.object["metadata"].value("resourceVersion", "");
    else
      ++other_events;
    return true;
  }, CancelToken());
  writer.join();
  EXPECT_TRUE(st.ok()) << st.message();  // the server ended the stream at its timeout
  EXPECT_EQ(other_events, 0);
  ASSERT_FALSE(bookmark_rv.empty()) << "no BOOKMARK event before the server closed the watch";
  EXPECT_NE(bookmark_rv, wo.resource_version);
}

TEST_F(WatchTest, CancelStopsABlockedWatchPromptly) {
  CancelToken cancel;
  std::atomic<bool> returned{false};
  Status result;
  std::thread watcher([&] {
    WatchOptions wo;
    wo.timeout_seconds = 120;
    result = client_->Watch(ConfigMaps(), ns_, wo, [](WatchEvent&&) { return true; }, cancel);
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(returned.load());
  const auto t0 = std::chrono::steady_clock::now();
  cancel.Cancel();
  watcher.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_FALSE(result.ok());
}

// Forces the watch cache window past a version: after a restart the cache starts at the
// current revision, so anything older is "too old" (410 / ERROR 410).
// A quiet collection still shows the API server is reachable: each watch that runs to its
// timeout reports on_ok, so a consumer learns of recovery without waiting for a change.
TEST_F(WatchTest, QuietListWatchReportsOkAtEachStreamEnd) {
  std::atomic<int> oks{0}, errors{0};
  ListWatchOptions lo;
  lo.label_selector = "test=nothing-matches";
  lo.watch_timeout_seconds = 1;
  ListWatchHandlers h;
  h.on_error = [&](const Status&) { ++errors; };
  h.on_ok = [&] { ++oks; };
  ListWatch lw(client_, ConfigMaps(), ns_, lo, h);
  CancelToken cancel;
  std::thread t([&] { lw.Run(cancel); });
  StopAndJoin guard(cancel, t);
  // One for the list, then one per watch that ended at its timeout.
  const bool reported = Eventually([&] { return oks.load() >= 3; }, std::chrono::seconds(20));
  cancel.Cancel();
  t.join();
  EXPECT_TRUE(reported) << oks.load() << " on_ok calls";
  EXPECT_EQ(lw.stats().lists.load(), 1);
  EXPECT_EQ(lw.stats().events.load(), 0);
  EXPECT_GE(lw.stats().resumes.load(), 1);
  EXPECT_EQ(errors.load(), 0);
}

TEST_F(WatchTest, TooOldResourceVersionIsGoneAndListWatchRelists) {
  ASSERT_TRUE(client_->Create(ConfigMaps(), ns_, ConfigMap("before", {}, {{"test", "relist"}})).ok());
  auto list = client_->List(ConfigMaps(), ns_);
  ASSERT_TRUE(list.ok());
  const std::string old_rv = (*list)["metadata"]["resourceVersion"];
  ASSERT_TRUE(client_->Create(ConfigMaps(), ns_, ConfigMap("after", {}, {{"test", "relist"}})).ok());
  ClusterScript("compact");
  ClusterScript("restart-apiserver");

  // The raw watch reports the expiry: as HTTP 410 or as an ERROR event with code 410.
  WatchOptions wo;
  wo.resource_version = old_rv;
  wo.timeout_seconds = 10;
  int error_code = 0;
  Status st = client_->Watch(ConfigMaps(), ns_, wo, [&](WatchEvent&& ev) {
    if (ev.type == WatchEvent::Type::kError) {
      error_code = ev.object.value("code", 0);
      return false;
    }
    return true;
  }, CancelToken());
  EXPECT_TRUE(IsGone(st) || error_code == 410) << "status: " << st.message() << " error event code " << error_code;

  // ListWatch told to resume from the stale version lists and hands over the full state.
  std::mutex mu;
  std::vector<std::string> replaced;
  std::atomic<int> gone_errors{0};
  ListWatchOptions lo;
  lo.label_selector = "test=relist";
  lo.initial_resource_version = old_rv;
  lo.watch_timeout_seconds = 30;
  ListWatch lw(client_, ConfigMaps(), ns_, lo,
               {[&](std::vector<Json>&& items, const std::string&) {
                  std::lock_guard<std::mutex> l(mu);
                  replaced.clear();
                  for (auto& i : items) replaced.push_back(i["metadata"]["name"]);
                },
                nullptr,
                [&](const Status& s) {
                  if (s.code() == 410) ++gone_errors;
                },
                nullptr});
  CancelToken cancel;
  std::thread t([&] { lw.Run(cancel); });
  StopAndJoin guard(cancel, t);
  const bool relisted = Eventually([&] { return lw.stats().lists.load() >= 1; }, std::chrono::seconds(20));
  cancel.Cancel();
  t.join();
  ASSERT_TRUE(relisted);
  std::sort(replaced.begin(), replaced.end());
  EXPECT_EQ(replaced, (std::vector<std::string>{"after", "before"}));
}

TEST_F(WatchTest, ListWatchSurvivesApiServerRestart) {
  std::mutex mu;
  std::set<std::string> live;  // what the consumer believes exists
  auto apply = [&](const WatchEvent& ev) {
    std::lock_guard<std::mutex> l(mu);
    const std::string name = ev.object["metadata"]["name"];
    if (ev.type == WatchEvent::Type::kDeleted) live.erase(name);
    else live.insert(name);
  };
  std::atomic<int> errors{0};
  ListWatchOptions lo;
  lo.label_selector = "test=restart";
  lo.watch_timeout_seconds = 120;
  ListWatch lw(client_, ConfigMaps(), ns_, lo,
               {[&](std::vector<Json>&& items, const std::string&) {
                  std::lock_guard<std::mutex> l(mu);
                  live.clear();
                  for (auto& i : items) live.insert(i["metadata"]["name"]);
                },
                apply, [&](const Status&) { ++errors; }, nullptr});
  CancelToken cancel;
  std::thread t([&] { lw.Run(cancel); });
  StopAndJoin guard(cancel, t);
  auto has = [&](const std::set<std::string>& want) {
    return Eventually([&] { std::lock_guard<std::mutex> l(mu); return live == want; }, std::chrono::seconds(30));
  };
  ASSERT_TRUE(client_->Create(ConfigMaps(), ns_, ConfigMap("one", {}, {{"test", "restart"}})).ok());
  ASSERT_TRUE(has({"one"}));

  ClusterScript("restart-apiserver");
  auto two = client_->Create(ConfigMaps(), ns_, ConfigMap("two", {}, {{"test", "restart"}}));
  ASSERT_TRUE(two.ok()) << two.status().message();
  auto del = client_->Delete(ConfigMaps(), ns_, "one");
  ASSERT_TRUE(del.ok()) << del.status().message();
  const bool converged = has({"two"});
  cancel.Cancel();
  t.join();
  EXPECT_TRUE(converged) << "the consumer did not see the changes made after the restart";
  EXPECT_GE(errors.load(), 1) << "the restart should have broken the stream at least once";
  EXPECT_GE(lw.stats().resumes.load() + lw.stats().lists.load(), 2);
}

}  // namespace
}  // namespace modelgate::kube::testing
