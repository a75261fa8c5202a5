// Prometheus metrics of the operator, served on /metrics by prometheus-cpp's Exposer:
//   modelgate_scans_total{result}          scans finished: admitted|rejected|error
//   modelgate_scan_duration_seconds        histogram of scan wall time (all results)
//   modelgate_bytes_hashed_total           bytes hashed by completed scans
//   modelgate_models{phase}                ModelAdmissions per phase (from the cache)
//   modelgate_controller_leader            1 while this replica leads
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "scanners/status.h"

namespace prometheus {
class Exposer;
}

namespace modelgate::controller {

class Metrics {
 public:
  Metrics();
  ~Metrics();

  // result: "admitted", "rejected" or "error".
  void ScanFinished(const std::string& result, double seconds, uint64_t bytes_hashed);
  // Replaces the per-phase model counts (phases absent from `counts` read 0).
  void SetModels(const std::map<std::string, int64_t>& counts);
  void SetLeader(bool leader);

  // Serves /metrics on `addr` ("host:port"; port 0 = any free port). Errors when the
  // address cannot be bound.
  Status Serve(const std::string& addr);
  // The bound port after Serve(), else 0.
  int port() const;

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // For tests: current counter values.
  double ScansTotal(const std::string& result) const;
  double BytesHashed() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* scans_;
  prometheus::Histogram* duration_;
  prometheus::Counter* bytes_;
  prometheus::Family<prometheus::Gauge>* models_;
  prometheus::Gauge* leader_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace modelgate::controller
