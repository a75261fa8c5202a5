#include "controller/work_queue.h"

#include <algorithm>

namespace modelgate::controller {

void WorkQueue::Schedule(const std::string& key, SteadyTime at) {
  auto h = hold_.find(key);
  if (h != hold_.end()) at = std::max(at, h->second);
  if (processing_.count(key)) {
    auto [it, inserted] = dirty_.emplace(key, at);
    if (!inserted) it->second = std::min(it->second, at);
    return;
  }
  auto [it, inserted] = waiting_.emplace(key, at);
  if (!inserted) it->second = std::min(it->second, at);
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutdown_) return;
  Schedule(key, std::chrono::steady_clock::now());
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutdown_) return;
  const SteadyTime at = std::chrono::steady_clock::now() + delay;
  hold_[key] = at;
  // A hold replaces an earlier due time: the retry waits for its backoff.
  auto w = waiting_.find(key);
  if (w != waiting_.end()) w->second = std::max(w->second, at);
  auto d = dirty_.find(key);
  if (d != dirty_.end()) d->second = std::max(d->second, at);
  Schedule(key, at);
}

void WorkQueue::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  hold_.erase(key);
}

bool WorkQueue::Get(std::string* key) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (shutdown_) return false;
    const SteadyTime now = std::chrono::steady_clock::now();
    auto best = waiting_.end();
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
      if (best == waiting_.end() || it->second < best->second) best = it;
    }
    if (best != waiting_.end() && best->second <= now) {
      *key = best->first;
      waiting_.erase(best);
      processing_.insert(*key);
      return true;
    }
    if (best == waiting_.end()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, best->second);
    }
  }
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  auto d = dirty_.find(key);
  if (d != dirty_.end()) {
    const SteadyTime at = d->second;
    dirty_.erase(d);
    if (!shutdown_) Schedule(key, at);
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  cv_.notify_all();
}

void WorkQueue::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  waiting_.clear();
  hold_.clear();
  dirty_.clear();
  shutdown_ = false;
}

size_t WorkQueue::Pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_.size() + dirty_.size();
}

size_t WorkQueue::Processing() const {
  std::lock_guard<std::mutex> lock(mu_);
  return processing_.size();
}

}  // namespace modelgate::controller
