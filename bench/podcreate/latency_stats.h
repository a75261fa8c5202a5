// Latency summary of a set of timed calls: nearest-rank percentiles over the samples.
#pragma once

#include <string>
#include <vector>

namespace modelgate::bench {

struct LatencySummary {
  size_t count = 0;
  double min_ms = 0, mean_ms = 0, p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
};

// Nearest-rank percentile (the smallest sample with at least p of the samples at or
// below it), p in (0, 1]. `sorted_ms` must be sorted ascending; 0 when it is empty.
double NearestRank(const std::vector<double>& sorted_ms, double p);

// Summarises `samples_ms` (any order; copied and sorted). All zero when empty.
LatencySummary Summarize(std::vector<double> samples_ms);

// One human-readable line: "n=300 min=... p50=... p90=... p99=... max=... mean=... ms".
std::string FormatSummary(const LatencySummary& s);

}  // namespace modelgate::bench
