#include "controller/options.h"

#include <cctype>

namespace modelgate::controller {

Status ValidateOptions(const ControllerOptions& o) {
  if (o.max_concurrent_scans < 1) return Status::Error("--max-concurrent-scans must be >= 1");
  if (o.max_concurrent_scans > 256) return Status::Error("--max-concurrent-scans must be <= 256");
  if (o.scan_timeout.count() < 1) return Status::Error("--scan-timeout must be at least 1s");
  if (o.retry_min.count() <= 0) return Status::Error("--retry-min must be > 0");
  if (o.retry_max < o.retry_min) return Status::Error("--retry-max must be >= --retry-min");
  if (o.event_correlation.max_entries == 0 || o.event_correlation.spam_burst < 1 ||
      o.event_correlation.spam_refill.count() <= 0 || o.event_correlation.window.count() < 0)
    return Status::Error("event correlation: need max entries >= 1, burst >= 1, refill > 0, window >= 0");
  if (o.scan_mode == ScanMode::kJob && o.scanner_image.empty())
    return Status::Error("--scanner-image is required with --scan-mode job");
  if (o.leader_election) {
    if (o.lease_name.empty()) return Status::Error("--lease-name must not be empty");
    if (!(o.lease_duration > o.renew_deadline && o.renew_deadline > o.retry_period &&
          o.retry_period.count() > 0))
      return Status::Error("leader election: need lease duration > renew deadline > retry period > 0");
  }
  if (o.max_workloads == 0) return Status::Error("max workloads must be >= 1");
  return Status::Ok();
}

Result<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  if (text.empty()) return Status::Error("empty duration");
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
  if (all_digits) {
    if (text.size() > 9) return Status::Error("duration \"" + text + "\" is too long");
    return std::chrono::milliseconds(std::stoll(text) * 1000);
  }
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    if (j == i || j - i > 9) return Status::Error("duration \"" + text + "\": expected a number at offset " + std::to_string(i));
    const int64_t n = std::stoll(text.substr(i, j - i));
    size_t k = j;
    while (k < text.size() && std::isalpha(static_cast<unsigned char>(text[k]))) ++k;
    const std::string unit = text.substr(j, k - j);
    int64_t ms;
    if (unit == "ms") ms = 1;
    else if (unit == "s") ms = 1000;
    else if (unit == "m") ms = 60'000;
    else if (unit == "h") ms = 3'600'000;
    else return Status::Error("duration \"" + text + "\": unit must be ms, s, m or h");
    total += n * ms;
    i = k;
  }
  return std::chrono::milliseconds(total);
}

Result<ScanMode> ParseScanMode(const std::string& text) {
  if (text == "inline") return ScanMode::kInline;
  if (text == "job") return ScanMode::kJob;
  return Status::Error("--scan-mode must be inline or job, not \"" + text + "\"");
}

}  // namespace modelgate::controller
