// Two candidates compete for one Lease; leadership moves cleanly when the leader stops.
#include <atomic>
#include <mutex>

#include "kube/leader_election.h"
#include "tests/kube/integration/cluster_fixture.h"

namespace modelgate::kube::testing {
namespace {

class LeaderElectionTest : public ClusterTest {};

struct Candidate {
  std::atomic<bool> leading{false};
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
};

TEST_F(LeaderElectionTest, TwoElectorsOneLeaderCleanHandover) {
  std::mutex mu;
  int concurrent_leaders = 0;
  int max_concurrent = 0;
  Candidate a, b;
  auto make = [&](const std::string& id, Candidate& c) {
    LeaderElectionConfig cfg;
    cfg.lease_namespace = ns_;
    cfg.lease_name = "modelgate-test";
    cfg.identity = id;
    cfg.lease_duration = std::chrono::seconds(4);
    cfg.renew_deadline = std::chrono::seconds(3);
    cfg.retry_period = std::chrono::milliseconds(300);
    cfg.on_started_leading = [&] {
      std::lock_guard<std::mutex> l(mu);
      c.leading = true;
      ++c.started;
      max_concurrent = std::max(max_concurrent, ++concurrent_leaders);
    };
    cfg.on_stopped_leading = [&] {
      std::lock_guard<std::mutex> l(mu);
      c.leading = false;
      ++c.stopped;
      --concurrent_leaders;
    };
    auto e = LeaderElector::Create(client_, cfg);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return std::move(e).value();
  };
  auto ea = make("candidate-a", a);
  auto eb = make("candidate-b", b);
  ea->Start();
  eb->Start();
  ASSERT_TRUE(Eventually([&] { return a.leading || b.leading; }, std::chrono::seconds(15)));
  // Hold for a few renew periods: exactly one leader the whole time.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_NE(a.leading.load(), b.leading.load());
  LeaderElector* leader = a.leading ? ea.get() : eb.get();
  LeaderElector* follower = a.leading ? eb.get() : ea.get();
  Candidate& lc = a.leading ? a : b;
  Candidate& fc = a.leading ? b : a;
  EXPECT_TRUE(leader->IsLeader());
  EXPECT_FALSE(follower->IsLeader());
  EXPECT_EQ(follower->observed_leader(), a.leading ? "candidate-a" : "candidate-b");

  auto lease = client_->Get(Leases(), ns_, "modelgate-test");
  ASSERT_TRUE(lease.ok()) << lease.status().message();
  EXPECT_EQ((*lease)["spec"]["holderIdentity"], a.leading ? "candidate-a" : "candidate-b");

  // Stop the leader: it releases the lease, the other takes over well before the
  // 4 s lease duration would have run out.
  const auto t0 = std::chrono::steady_clock::now();
  leader->Stop();
  EXPECT_EQ(lc.stopped.load(), 1);
  ASSERT_TRUE(Eventually([&] { return fc.leading.load(); }, std::chrono::seconds(10)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_EQ(max_concurrent, 1) << "two leaders at once";
  auto after = client_->Get(Leases(), ns_, "modelgate-test");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)["spec"]["holderIdentity"], a.leading ? "candidate-a" : "candidate-b");
  EXPECT_GE((*after)["spec"].value("leaseTransitions", 0), 1);
  follower->Stop();
  EXPECT_EQ(fc.stopped.load(), 1);
  auto released = client_->Get(Leases(), ns_, "modelgate-test");
  ASSERT_TRUE(released.ok());
  EXPECT_EQ((*released)["spec"].value("holderIdentity", ""), "");
}

TEST_F(LeaderElectionTest, InvalidTimingsAreRejectedUpFront) {
  LeaderElectionConfig cfg;
  cfg.lease_namespace = ns_;
  cfg.lease_name = "x";
  cfg.identity = "me";
  cfg.renew_deadline = cfg.lease_duration;
  auto e = LeaderElector::Create(client_, cfg);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("lease_duration"), std::string::npos);
}

}  // namespace
}  // namespace modelgate::kube::testing
