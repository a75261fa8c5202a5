#include "kube/leader_election.h"

#include <spdlog/spdlog.h>

#include <ctime>

namespace modelgate::kube {
namespace {

// metav1.MicroTime: RFC 3339 with microseconds, UTC.
std::string MicroTimeNow() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now - secs).count();
  std::time_t t = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%06lldZ", buf, static_cast<long long>(micros));
  return out;
}

int64_t Seconds(std::chrono::milliseconds d) {
  return std::max<int64_t>(1, (d.count() + 999) / 1000);
}

}  // namespace

Result<std::unique_ptr<LeaderElector>> LeaderElector::Create(std::shared_ptr<Client> client,
                                                             LeaderElectionConfig c) {
  if (!client) return Status::Error("leader election: client is null");
  if (c.lease_namespace.empty()) return Status::Error("leader election: lease_namespace is empty");
  if (c.lease_name.empty()) return Status::Error("leader election: lease_name is empty");
  if (c.identity.empty()) return Status::Error("leader election: identity is empty");
  if (c.retry_period.count() <= 0) return Status::Error("leader election: retry_period must be > 0");
  if (c.renew_deadline <= c.retry_period)
    return Status::Error("leader election: renew_deadline must be greater than retry_period");
  if (c.lease_duration <= c.renew_deadline)
    return Status::Error("leader election: lease_duration must be greater than renew_deadline");
  return std::unique_ptr<LeaderElector>(new LeaderElector(std::move(client), std::move(c)));
}

LeaderElector::LeaderElector(std::shared_ptr<Client> client, LeaderElectionConfig config)
    : client_(std::move(client)), cfg_(std::move(config)) {}

LeaderElector::~LeaderElector() { Stop(); }

void LeaderElector::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void LeaderElector::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool LeaderElector::IsLeader() const {
  std::lock_guard<std::mutex> l(mu_);
  return leading_;
}

std::string LeaderElector::observed_leader() const {
  std::lock_guard<std::mutex> l(mu_);
  return observed_holder_;
}

bool LeaderElector::SleepFor(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> l(mu_);
  return !cv_.wait_for(l, d, [this] { return stop_; });
}

bool LeaderElector::TryAcquireOrRenew() {
  const Resource leases = Leases();
  const std::string now = MicroTimeNow();
  auto current = client_->Get(leases, cfg_.lease_namespace, cfg_.lease_name);
  if (!current.ok()) {
    if (!IsNotFound(current.status())) {
      spdlog::warn("leader election: get lease: {}", current.status().message());
      return false;
    }
    Json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", cfg_.lease_name}, {"namespace", cfg_.lease_namespace}}},
                  {"spec",
                   {{"holderIdentity", cfg_.identity},
                    {"leaseDurationSeconds", Seconds(cfg_.lease_duration)},
                    {"acquireTime", now},
                    {"renewTime", now},
                    {"leaseTransitions", 0}}}};
    auto created = client_->Create(leases, cfg_.lease_namespace, lease);
    if (!created.ok()) return false;  // someone else created it first: next round
    std::lock_guard<std::mutex> l(mu_);
    observed_record_ = (*created)["spec"].dump();
    observed_time_ = std::chrono::steady_clock::now();
    observed_holder_ = cfg_.identity;
    return true;
  }
  Json lease = std::move(current).value();
  Json spec = lease.contains("spec") && lease["spec"].is_object() ? lease["spec"] : Json::object();
  const std::string holder = spec.value("holderIdentity", "");
  const std::string record = spec.dump();
  const auto steady_now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> l(mu_);
    if (record != observed_record_) {
      observed_record_ = record;
      observed_time_ = steady_now;
      observed_duration_ = std::chrono::seconds(spec.value("leaseDurationSeconds", int64_t{0}));
    }
    observed_holder_ = holder;
    // Someone else holds a lease that has not expired by our own clock: wait.
    if (!holder.empty() && holder != cfg_.identity &&
        observed_time_ + observed_duration_ > steady_now)
      return false;
  }
  const bool was_mine = holder == cfg_.identity;
  spec["holderIdentity"] = cfg_.identity;
  spec["leaseDurationSeconds"] = Seconds(cfg_.lease_duration);
  spec["renewTime"] = now;
  if (!was_mine) {
    spec["acquireTime"] = now;
    spec["leaseTransitions"] = spec.value("leaseTransitions", int64_t{0}) + 1;
  }
  lease["spec"] = spec;
  // The resourceVersion from the GET makes this a compare-and-swap (409 if we lost).
  auto updated = client_->Update(leases, cfg_.lease_namespace, lease);
  if (!updated.ok()) return false;
  std::lock_guard<std::mutex> l(mu_);
  observed_record_ = (*updated)["spec"].dump();
  observed_time_ = std::chrono::steady_clock::now();
  observed_holder_ = cfg_.identity;
  return true;
}

void LeaderElector::Release() {
  const Resource leases = Leases();
  auto current = client_->Get(leases, cfg_.lease_namespace, cfg_.lease_name);
  if (!current.ok()) return;
  Json lease = std::move(current).value();
  if (!lease.contains("spec") || lease["spec"].value("holderIdentity", "") != cfg_.identity) return;
  // Same as client-go: empty holder and a 1 s duration so others take over at once.
  lease["spec"]["holderIdentity"] = "";
  lease["spec"]["leaseDurationSeconds"] = 1;
  lease["spec"]["renewTime"] = MicroTimeNow();
  auto updated = client_->Update(leases, cfg_.lease_namespace, lease);
  if (!updated.ok()) spdlog::warn("leader election: release: {}", updated.status().message());
}

void LeaderElector::Run() {
  std::string last_reported;
  auto note_leader = [&] {
    const std::string who = observed_leader();
    if (who != last_reported) {
      last_reported = who;
      if (cfg_.on_new_leader) cfg_.on_new_leader(who);
    }
  };
  while (true) {
    // Campaign until we hold the lease.
    while (!TryAcquireOrRenew()) {
      note_leader();
      if (!SleepFor(cfg_.retry_period)) return;
    }
    note_leader();
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stop_) {
        // Won the lease while being stopped: hand it back without leading.
        leading_ = false;
      } else {
        leading_ = true;
      }
    }
    if (!IsLeader()) {
      if (cfg_.release_on_stop) Release();
      return;
    }
    if (cfg_.on_started_leading) cfg_.on_started_leading();

    // Lead: renew every retry_period; step down when renewals fail for renew_deadline.
    auto last_renew = std::chrono::steady_clock::now();
    bool stopped = false;
    while (true) {
      if (!SleepFor(cfg_.retry_period)) {
        stopped = true;
        break;
      }
      if (TryAcquireOrRenew()) {
        last_renew = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - last_renew >= cfg_.renew_deadline) {
        break;
      }
    }
    {
      std::lock_guard<std::mutex> l(mu_);
      leading_ = false;
    }
    if (cfg_.on_stopped_leading) cfg_.on_stopped_leading();
    if (stopped) {
      if (cfg_.release_on_stop) Release();
      return;
    }
  }
}

}  // namespace modelgate::kube
