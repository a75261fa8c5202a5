#include "webhook/scan_requester.h"

#include <spdlog/spdlog.h>

#include "webhook/informer_view.h"

namespace modelgate::webhook {

AnnotationScanRequester::AnnotationScanRequester(std::shared_ptr<kube::Client> client)
    : client_(std::move(client)), thread_([this] { Run(); }) {}

AnnotationScanRequester::~AnnotationScanRequester() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void AnnotationScanRequester::Request(const std::string& ns, const std::string& name, int64_t generation) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto key = std::make_tuple(ns, name, generation);
    if (!seen_.insert(key).second) return;
    if (seen_.size() > 100000) seen_.clear();  // bound memory; a repeat patch is harmless
    queue_.push_back(key);
  }
  cv_.notify_one();
}

int AnnotationScanRequester::patched() const {
  std::lock_guard<std::mutex> lock(mu_);
  return patched_;
}

void AnnotationScanRequester::Run() {
  while (true) {
    std::tuple<std::string, std::string, int64_t> item;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      item = queue_.front();
      queue_.pop_front();
    }
    const auto& [ns, name, generation] = item;
    kube::Json patch = {
        {"metadata", {{"annotations", {{"modelgate.io/rescan", "webhook-g" + std::to_string(generation)}}}}}};
    auto r = client_->Patch(ModelAdmissionsResource(), ns, name, kube::PatchType::kMerge, patch);
    std::lock_guard<std::mutex> lock(mu_);
    if (r.ok()) {
      ++patched_;
    } else {
      seen_.erase(item);  // let a later request try again
      spdlog::warn("could not request a scan of ModelAdmission {}/{}: {}", ns, name, r.status().message());
    }
  }
}

}  // namespace modelgate::webhook
