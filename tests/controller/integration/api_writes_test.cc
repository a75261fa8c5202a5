// The operator's write load on a real API server when a model keeps failing to scan:
// every write is counted from watches (a status write is a MODIFIED event of the
// ModelAdmission, an Event write an ADDED or MODIFIED event in the namespace), so the
// figures are what etcd stores, not what the client meant to send.
// gtest first: cpprest defines a macro U() that breaks gtest's templates.
#include "fixture.h"

#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "controller/events.h"
#include "controller/executor.h"

namespace modelgate::controller::testing {
namespace {

const kube::Resource kEvents{"", "v1", "events", true};

// Watches one resource in one namespace from `from_rv` on a thread and records every
// event (type, name, resourceVersion).
class WatchLog {
 public:
  WatchLog(std::shared_ptr<kube::Client> client, kube::Resource r, std::string ns, std::string from_rv)
      : thread_([=, this] {
          kube::WatchOptions wo;
          wo.resource_version = from_rv;
          wo.allow_bookmarks = false;
          while (!cancel_.cancelled()) {
            Status s = client->Watch(r, ns, wo, [&](kube::WatchEvent&& ev) {
              const json& md = ev.object.value("metadata", json::object());
              std::lock_guard<std::mutex> lock(mu_);
              seen_.push_back({ev.type, md.value("name", ""), md.value("resourceVersion", "")});
              wo.resource_version = md.value("resourceVersion", wo.resource_version);
              return true;
            }, cancel_);
            (void)s;
          }
        }) {}
  ~WatchLog() {
    cancel_.Cancel();
    thread_.join();
  }

  // Waits until the watch has delivered `name` at `rv`.
  bool WaitSeen(const std::string& name, const std::string& rv) {
    const auto end = std::chrono::steady_clock::now() + 10s;
    do {
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (const auto& e : seen_)
          if (e.name == name && e.rv == rv) return true;
      }
      std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < end);
    return false;
  }

  int Count(kube::WatchEvent::Type type, const std::string& name = "") {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const auto& e : seen_) n += e.type == type && (name.empty() || e.name == name);
    return n;
  }

 private:
  struct Seen {
    kube::WatchEvent::Type type;
    std::string name, rv;
  };
  kube::CancelToken cancel_;
  std::mutex mu_;
  std::vector<Seen> seen_;  // guarded by mu_
  std::thread thread_;
};

class ApiWritesIT : public ClusterTest {
 protected:
  std::string ListRv(const kube::Resource& r) {
    auto l = client_->List(r, ns_);
    EXPECT_TRUE(l.ok()) << l.status().message();
    return l.ok() ? l.value()["metadata"].value("resourceVersion", "") : "";
  }

  // Waits until both watches have delivered the current state of the model and of
  // every Event in the namespace.
  void Settle(WatchLog& models, WatchLog& events, const std::string& name) {
    json o = Get(name);
    ASSERT_TRUE(models.WaitSeen(name, o["metadata"].value("resourceVersion", "")));
    auto l = client_->List(kEvents, ns_);
    ASSERT_TRUE(l.ok()) << l.status().message();
    for (const auto& e : l.value()["items"])
      ASSERT_TRUE(events.WaitSeen(e["metadata"].value("name", ""), e["metadata"].value("resourceVersion", "")));
  }
};

// N consecutive failing attempts of one model whose files do not exist, driven through
// the Reconciler as the workers' retry loop drives it. Before: every attempt wrote the
// status twice (Scanning, Error) and created two Events (ScanStarted, ScanFailed).
TEST_F(ApiWritesIT, FailingRetriesOfOneModelWriteOneEventUpdateEach) {
  constexpr int kRetries = 10;
  Apply(Model("missing", (dir_ / "does-not-exist").string()));
  WatchLog models(client_, ModelAdmissions(), ns_, ListRv(ModelAdmissions()));
  WatchLog events(client_, kEvents, ns_, ListRv(kEvents));

  ControllerOptions o = Options();
  std::unique_ptr<Executor> exec = NewInlineExecutor(o);
  EventRecorder recorder(client_, "modelgate-controller", "test", SystemClock());
  Reconciler r(client_, exec.get(), &recorder, nullptr, o, SystemClock());
  const std::atomic<bool> stop{false};

  ASSERT_FALSE(r.Reconcile(ns_ + "/missing", stop).ok());  // the first attempt
  Settle(models, events, "missing");
  const int status_first = models.Count(kube::WatchEvent::Type::kModified);
  const int created_first = events.Count(kube::WatchEvent::Type::kAdded);
  EXPECT_EQ(status_first, 2) << "Scanning, then Error";
  EXPECT_EQ(created_first, 2) << "ScanStarted, ScanFailed";

  for (int i = 0; i < kRetries; ++i) ASSERT_FALSE(r.Reconcile(ns_ + "/missing", stop).ok());
  Settle(models, events, "missing");
  const int status_writes = models.Count(kube::WatchEvent::Type::kModified) - status_first;
  const int event_creates = events.Count(kube::WatchEvent::Type::kAdded) - created_first;
  const int event_updates = events.Count(kube::WatchEvent::Type::kModified);
  std::printf("%d failing retries: %d status writes, %d Event creates, %d Event updates\n", kRetries,
              status_writes, event_creates, event_updates);
  EXPECT_EQ(status_writes, 0) << "a retry failing the same way leaves the status as it is";
  EXPECT_EQ(event_creates, 0) << "repeats update the existing Event";
  EXPECT_EQ(event_updates, kRetries) << "one Event update (count+1) per retry";

  // What users see is still the truth: phase Error with the reason, and one ScanFailed
  // Event counting every attempt.
  json m = Get("missing");
  EXPECT_EQ(m["status"].value("phase", ""), "Error");
  EXPECT_NE(Condition(m, "Scanned").value("message", "").find("does-not-exist"), std::string::npos) << m.dump(2);
  auto l = client_->List(kEvents, ns_);
  ASSERT_TRUE(l.ok());
  int failed = 0;
  json failed_event;
  for (const auto& e : l.value()["items"]) {
    if (e.value("reason", "") != "ScanFailed") continue;
    ++failed;
    failed_event = e;
    EXPECT_EQ(e.value("count", 0), kRetries + 1) << e.dump(2);
    EXPECT_NE(e.value("firstTimestamp", ""), "");
  }
  ASSERT_EQ(failed, 1);

  // The Event expired (--event-ttl) or was deleted: the next repeat writes it again
  // under its name, with the count so far.
  const std::string event_name = failed_event["metadata"]["name"];
  ASSERT_TRUE(client_->Delete(kEvents, ns_, event_name).ok());
  ASSERT_FALSE(r.Reconcile(ns_ + "/missing", stop).ok());
  auto again = client_->Get(kEvents, ns_, event_name);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again.value().value("count", 0), kRetries + 2);
  EXPECT_EQ(again.value().value("firstTimestamp", ""), failed_event.value("firstTimestamp", ""));

  // A new rescan request is a fresh attempt, not a retry: users see Scanning again.
  m["metadata"]["annotations"][kRescanAnnotation] = "please";
  ASSERT_TRUE(client_->Update(ModelAdmissions(), ns_, m).ok());
  Settle(models, events, "missing");
  const int before_rescan = models.Count(kube::WatchEvent::Type::kModified);
  ASSERT_FALSE(r.Reconcile(ns_ + "/missing", stop).ok());
  Settle(models, events, "missing");
  EXPECT_EQ(models.Count(kube::WatchEvent::Type::kModified) - before_rescan, 2) << "Scanning, then Error";
  EXPECT_EQ(CountEvents("missing", "ScanStarted"), 2);
}

}  // namespace
}  // namespace modelgate::controller::testing
