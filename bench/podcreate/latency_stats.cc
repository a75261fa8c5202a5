#include "bench/podcreate/latency_stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace modelgate::bench {

double NearestRank(const std::vector<double>& sorted_ms, double p) {
  if (sorted_ms.empty()) return 0;
  // Rank ceil(p * n), 1-based, clamped to [1, n].
  const double rank = std::ceil(p * static_cast<double>(sorted_ms.size()));
  const size_t i = rank < 1 ? 0 : std::min(sorted_ms.size(), static_cast<size_t>(rank)) - 1;
  return sorted_ms[i];
}

LatencySummary Summarize(std::vector<double> samples_ms) {
  LatencySummary s;
  if (samples_ms.empty()) return s;
  std::sort(samples_ms.begin(), samples_ms.end());
  s.count = samples_ms.size();
  s.min_ms = samples_ms.front();
  s.max_ms = samples_ms.back();
  s.mean_ms = std::accumulate(samples_ms.begin(), samples_ms.end(), 0.0) / static_cast<double>(s.count);
  s.p50_ms = NearestRank(samples_ms, 0.50);
  s.p90_ms = NearestRank(samples_ms, 0.90);
  s.p99_ms = NearestRank(samples_ms, 0.99);
  return s;
}

std::string FormatSummary(const LatencySummary& s) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "n=%zu min=%.2f p50=%.2f p90=%.2f p99=%.2f max=%.2f mean=%.2f ms", s.count,
                s.min_ms, s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms, s.mean_ms);
  return buf;
}

}  // namespace modelgate::bench
