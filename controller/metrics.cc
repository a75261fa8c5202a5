#include "controller/metrics.h"

#include <prometheus/exposer.h>

#include "controller/status.h"

namespace modelgate::controller {

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  scans_ = &prometheus::BuildCounter()
                .Name("modelgate_scans_total")
                .Help("Model scans finished by the operator, by result (admitted, rejected, error).")
                .Register(*registry_);
  for (const char* r : {"admitted", "rejected", "error"}) scans_->Add({{"result", r}});
  duration_ = &prometheus::BuildHistogram()
                   .Name("modelgate_scan_duration_seconds")
                   .Help("Wall time of one model scan, inline or as a Job.")
                   .Register(*registry_)
                   .Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900});
  bytes_ = &prometheus::BuildCounter()
                .Name("modelgate_bytes_hashed_total")
                .Help("Bytes of model files hashed by completed scans.")
                .Register(*registry_)
                .Add({});
  models_ = &prometheus::BuildGauge()
                 .Name("modelgate_models")
                 .Help("ModelAdmissions in the cluster, by status phase.")
                 .Register(*registry_);
  leader_ = &prometheus::BuildGauge()
                 .Name("modelgate_controller_leader")
                 .Help("1 while this replica holds the leader lease.")
                 .Register(*registry_)
                 .Add({});
}

Metrics::~Metrics() = default;

void Metrics::ScanFinished(const std::string& result, double seconds, uint64_t bytes_hashed) {
  scans_->Add({{"result", result}}).Increment();
  duration_->Observe(seconds);
  if (bytes_hashed > 0) bytes_->Increment(static_cast<double>(bytes_hashed));
}

void Metrics::SetModels(const std::map<std::string, int64_t>& counts) {
  for (const char* p : {kPhasePending, kPhaseScanning, kPhaseAdmitted, kPhaseRejected, kPhaseError}) {
    auto it = counts.find(p);
    models_->Add({{"phase", p}}).Set(it == counts.end() ? 0.0 : static_cast<double>(it->second));
  }
}

void Metrics::SetLeader(bool leader) { leader_->Set(leader ? 1.0 : 0.0); }

Status Metrics::Serve(const std::string& addr) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(addr);
  } catch (const std::exception& e) {
    return Status::Error("--metrics-addr " + addr + ": " + e.what());
  }
  exposer_->RegisterCollectable(registry_);
  return Status::Ok();
}

int Metrics::port() const {
  if (!exposer_) return 0;
  auto ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

double Metrics::ScansTotal(const std::string& result) const {
  return scans_->Add({{"result", result}}).Value();
}

double Metrics::BytesHashed() const { return bytes_->Value(); }

}  // namespace modelgate::controller
