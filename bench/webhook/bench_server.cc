// webhook_bench_server --mode validator|bare --port P --cert F --key F
//                      [--models N] [--netpols N]
//
// validator: the real Validator (decision library, audit log line, Prometheus
// metrics) over an InMemoryClusterView holding N ModelAdmissions and N
// NetworkPolicies (bench/webhook/fixture.h). bare: the same HttpsServer and TLS
// answering every POST /validate with a constant allowed AdmissionReview: the
// cost of the stack without a decision, i.e. the baseline.
//
// GET /rss returns {"vm_rss_kb", "vm_hwm_kb"} from /proc/self/status; the same
// figures are printed on SIGTERM/SIGINT. "listening URL" is printed once ready.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "bench/webhook/fixture.h"
#include "policy/cluster_view.h"
#include "webhook/cert_store.h"
#include "webhook/https_server.h"
#include "webhook/metrics.h"
#include "webhook/validator.h"

namespace {
using namespace modelgate;

// {"vm_rss_kb": ..., "vm_hwm_kb": ...} (0 when /proc is unreadable).
nlohmann::json Rss() {
  nlohmann::json out = {{"vm_rss_kb", 0}, {"vm_hwm_kb", 0}};
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    for (auto [prefix, key] : {std::pair{"VmRSS:", "vm_rss_kb"}, std::pair{"VmHWM:", "vm_hwm_kb"}})
      if (line.rfind(prefix, 0) == 0) out[key] = std::strtoll(line.c_str() + std::string(prefix).size(), nullptr, 10);
  }
  return out;
}

int Usage() {
  std::fprintf(stderr,
               "usage: webhook_bench_server --mode validator|bare --port P --cert F --key F "
               "[--models 10000] [--netpols 10000]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode, cert, key;
  int port = 0, models = 10000, netpols = 10000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return Usage();
    const std::string v = argv[++i];
    if (a == "--mode") mode = v;
    else if (a == "--port") port = std::atoi(v.c_str());
    else if (a == "--cert") cert = v;
    else if (a == "--key") key = v;
    else if (a == "--models") models = std::atoi(v.c_str());
    else if (a == "--netpols") netpols = std::atoi(v.c_str());
    else return Usage();
  }
  if ((mode != "validator" && mode != "bare") || cert.empty() || key.empty()) return Usage();

  // Signals go to sigwait below, not to cpprestsdk's threads.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto store = webhook::CertStore::Load(cert, key);
  if (!store.ok()) {
    std::fprintf(stderr, "certificate: %s\n", store.status().message().c_str());
    return 1;
  }

  policy::InMemoryClusterView view;
  webhook::WebhookMetrics metrics;  // registered like the real webhook's, not served
  std::unique_ptr<webhook::Validator> validator;
  webhook::Handler validate;
  if (mode == "validator") {
    const auto t0 = std::chrono::steady_clock::now();
    bench::PopulateCluster(view, models, netpols);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "cluster view: %zu ModelAdmissions, %d NetworkPolicies in %.0f ms; %s\n",
                 view.model_admission_count(), netpols + 1, ms, Rss().dump().c_str());
    validator = std::make_unique<webhook::Validator>(view, [] { return true; }, webhook::ValidatorOptions{}, &metrics,
                                                     [](const std::string&, const std::string&, int64_t) {});
    validate = [&v = *validator](const webhook::HttpRequest& r) { return v.Handle(r); };
  } else {
    const std::string allow = nlohmann::json{{"apiVersion", "admission.k8s.io/v1"},
                                             {"kind", "AdmissionReview"},
                                             {"response", {{"uid", "bare"}, {"allowed", true}}}}
                                  .dump();
    validate = [allow](const webhook::HttpRequest&) { return webhook::HttpResponse{200, "application/json", allow}; };
  }

  webhook::ServerOptions sopts;
  sopts.port = port;
  sopts.tls = store.value();
  auto server = webhook::HttpsServer::Start(
      sopts, {{"/validate", validate},
              {"/healthz", [](const webhook::HttpRequest&) { return webhook::HttpResponse{200, "text/plain", "ok"}; }},
              {"/rss", [](const webhook::HttpRequest&) { return webhook::HttpResponse{200, "application/json",
                                                                                     Rss().dump()}; }}});
  if (!server.ok()) {
    std::fprintf(stderr, "server: %s\n", server.status().message().c_str());
    return 1;
  }
  std::printf("listening %s\n", server.value()->url().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::printf("rss %s %s\n", mode.c_str(), Rss().dump().c_str());
  std::fflush(stdout);
  server.value()->Stop();
  return 0;
}
