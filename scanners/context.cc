#include "scanners/context.h"

namespace modelgate::scanners {

ScanContext::ScanContext(const ScanLimits& limits, FileReport* report)
    : limits_(&limits), report_(report), shared_(std::make_shared<Shared>()), path_(report->path) {}

ScanContext ScanContext::Child(const std::string& member) const {
  ScanContext c = *this;
  c.path_ = path_ + "!" + member;
  c.depth_ = depth_ + 1;
  return c;
}

void ScanContext::Add(std::string rule, Severity severity, std::string detail) {
  report_->findings.push_back({std::move(rule), severity, path_, std::move(detail)});
}

void ScanContext::Undecide(std::string reason) {
  report_->undecided.push_back({path_, std::move(reason)});
}

void ScanContext::AddFact(std::string key, std::string value) {
  if (depth_ > 0) key = path_.substr(report_->path.size() + 1) + ":" + key;
  report_->facts.emplace_back(std::move(key), std::move(value));
}

void ScanContext::SetFormat(Format f) {
  if (depth_ == 0) report_->format = f;
}

bool ScanContext::ChargeDecompressed(uint64_t n) {
  if (shared_->decompressed > limits_->max_total_decompressed) return false;  // said once already
  if (n > limits_->max_total_decompressed - shared_->decompressed) {
    shared_->decompressed = limits_->max_total_decompressed + 1;
    Undecide("decompressed size exceeds the bound of " +
             std::to_string(limits_->max_total_decompressed) + " bytes (possible archive bomb)");
    return false;
  }
  shared_->decompressed += n;
  return true;
}

}  // namespace modelgate::scanners
