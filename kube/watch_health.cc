#include "kube/watch_health.h"

#include <spdlog/spdlog.h>

#include "kube/errors.h"

namespace modelgate::kube {

std::string ResourceName(const Resource& resource) {
  return resource.group.empty() ? resource.resource : resource.resource + "." + resource.group;
}

WatchHealth::WatchHealth(std::string resource, std::chrono::milliseconds log_interval, Clock clock)
    : resource_(std::move(resource)),
      log_interval_(log_interval),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {}

void WatchHealth::Failed(const Status& error) {
  if (error.ok() || IsGone(error)) return;
  const auto now = clock_();
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = error.message();
  ++failures_;
  if (failures_ == 1) {
    spdlog::warn("watch cache {}: cannot list/watch from the API server, retrying (repeats logged at most every "
                 "{} s): {}",
                 resource_, std::chrono::duration_cast<std::chrono::seconds>(log_interval_).count(), error.message());
  } else if (now - last_log_ >= log_interval_) {
    spdlog::warn("watch cache {}: still cannot list/watch from the API server ({} failed attempts, {} since the "
                 "last line): {}",
                 resource_, failures_, held_back_ + 1, error.message());
  } else {
    ++held_back_;
    return;
  }
  last_log_ = now;
  held_back_ = 0;
}

void WatchHealth::Succeeded() {
  std::lock_guard<std::mutex> lock(mu_);
  if (failures_ == 0) return;
  spdlog::info("watch cache {}: in step with the API server again after {} failed attempts", resource_, failures_);
  failures_ = 0;
  held_back_ = 0;
  last_error_.clear();
}

std::string WatchHealth::Describe() const {
  const std::string e = last_error();
  return e.empty() ? resource_ : resource_ + " (last error: " + e + ")";
}

std::string WatchHealth::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

int64_t WatchHealth::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

}  // namespace modelgate::kube
