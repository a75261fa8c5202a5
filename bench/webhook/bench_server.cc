// webhook_bench_server --mode validator|bare --port P --cert F --key F
//                      [--models N] [--netpols N] [--view indexed|inmemory] [--inproc N]
//                      [--io-threads N]   (cpprestsdk pool size, default the webhook's 4)
//
// validator: the real Validator (decision library, audit log line, Prometheus
// metrics) over a cluster view holding N ModelAdmissions and N NetworkPolicies
// (bench/webhook/fixture.h): IndexedClusterView (default; indexed and locked like
// the webhook's InformerClusterView) or policy::InMemoryClusterView.
// --inproc N: instead of serving, time N Validator::Handle calls per review body
// on one thread (no HTTP, no TLS), then each phase of it on its own, and exit. bare: the same HttpsServer and TLS
// answering every POST /validate with a constant allowed AdmissionReview: the
// cost of the stack without a decision, i.e. the baseline.
//
// GET /rss returns {"vm_rss_kb", "vm_hwm_kb"} from /proc/self/status; the same
// figures are printed on SIGTERM/SIGINT. "listening URL" is printed once ready.
#include <malloc.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#define _TURN_OFF_PLATFORM_STRING  // cpprestsdk's U() macro breaks fmt's headers
#include <cpprest/json.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "bench/webhook/fixture.h"
#include "bench/webhook/indexed_view.h"
#include "policy/admission_review.h"
#include "policy/cluster_view.h"
#include "policy/evaluate.h"
#include "policy/request.h"
#include "policy/workload.h"
#include "webhook/cert_store.h"
#include "webhook/https_server.h"
#include "webhook/io_threads.h"
#include "webhook/malloc_tuning.h"
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

bool Allowed(const webhook::HttpResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return r.status == 200 && !j.is_discarded() && j["response"]["allowed"] == true;
}

// Where Handle's time goes, each phase timed on its own over `n` calls: JSON syntax
// alone (nlohmann's accept: the lexer's floor), the whole decode, reading the
// workload, the decision, and the response.
void PrintPhases(const std::string& body, const policy::ClusterView& view, int n) {
  auto time_us = [n](auto&& f) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) f();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / n;
  };
  size_t sink = 0;
  const double lex = time_us([&] { sink += nlohmann::json::accept(body); });
  // The other JSON parser on the stack, for comparison: cpprestsdk's, DOM included.
  const double cpprest = time_us([&] {
    std::error_code ec;
    sink += web::json::value::parse(body, ec).size();
  });
  // A DOM of the whole body, as decoding built before it left out status and managedFields.
  const double whole_dom = time_us([&] { sink += nlohmann::json::parse(body).size(); });
  const double decode = time_us([&] { sink += policy::DecodeAdmissionReview(body).ok(); });
  const auto req = policy::DecodeAdmissionReview(body).value();
  const double workload = time_us([&] { sink += policy::WorkloadFromObject(req.object, req.namespace_name).ok(); });
  const auto w = policy::WorkloadFromObject(req.object, req.namespace_name).value();
  const double evaluate = time_us([&] { sink += policy::Evaluate(w, view).allowed; });
  const auto outcome = policy::Review(req, view);
  const double encode = time_us([&] { sink += policy::EncodeAdmissionReview(outcome.response).dump().size(); });
  std::printf("  phases (%zu-byte review): json syntax only %.1f us (cpprestsdk parse %.1f us, whole nlohmann DOM "
              "%.1f us); decode %.1f us; workload %.1f us; evaluate %.1f us; encode %.1f us (%zu)\n",
              body.size(), lex, cpprest, whole_dom, decode, workload, evaluate, encode, sink % 2);
}

int Usage() {
  std::fprintf(stderr,
               "usage: webhook_bench_server --mode validator|bare --port P --cert F --key F "
               "[--models 10000] [--netpols 10000] [--view indexed|inmemory] [--inproc N] [--io-threads 4]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode, cert, key, view_kind = "indexed";
  int port = 0, models = 10000, netpols = 10000, inproc = 0;
  int io_threads = static_cast<int>(webhook::kDefaultIoThreads);
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
    else if (a == "--view") view_kind = v;
    else if (a == "--inproc") inproc = std::atoi(v.c_str());
    else if (a == "--io-threads") io_threads = std::atoi(v.c_str());
    else return Usage();
  }
  if ((mode != "validator" && mode != "bare") || cert.empty() || key.empty() ||
      (view_kind != "indexed" && view_kind != "inmemory"))
    return Usage();

  webhook::ReexecWithMallocTuning();  // as `modelgate webhook` does (both modes)
  // Signals go to sigwait below, not to cpprestsdk's threads.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  if (Status s = webhook::SetIoThreads(static_cast<size_t>(io_threads)); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }

  auto store = webhook::CertStore::Load(cert, key);
  if (!store.ok()) {
    std::fprintf(stderr, "certificate: %s\n", store.status().message().c_str());
    return 1;
  }

  bench::IndexedClusterView indexed;
  policy::InMemoryClusterView in_memory;
  const policy::ClusterView& view = view_kind == "indexed" ? static_cast<const policy::ClusterView&>(indexed)
                                                             : in_memory;
  webhook::WebhookMetrics metrics;  // registered like the real webhook's, not served
  std::unique_ptr<webhook::Validator> validator;
  webhook::Handler validate;
  if (mode == "validator") {
    const auto t0 = std::chrono::steady_clock::now();
    {
      bench::ClusterObjects objects = bench::MakeCluster(models, netpols);
      std::fprintf(stderr, "cluster view (%s): %zu ModelAdmissions, %zu NetworkPolicies", view_kind.c_str(),
                   objects.model_admissions.size(), objects.network_policies.size());
      if (view_kind == "indexed") {
        indexed.Load(std::move(objects));
        malloc_trim(0);  // as the webhook does after each list (webhook/informer_view.cc)
      } else {
        for (auto& o : objects.model_admissions) in_memory.AddModelAdmission(std::move(o));
        for (auto& o : objects.network_policies) in_memory.AddNetworkPolicy(std::move(o));
        for (auto& o : objects.pvcs) in_memory.AddPvc(std::move(o));
        for (auto& o : objects.namespaces) in_memory.AddNamespace(std::move(o));
      }
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, " in %.0f ms; %s\n", ms, Rss().dump().c_str());
    validator = std::make_unique<webhook::Validator>(view, [] { return true; }, webhook::ValidatorOptions{}, &metrics,
                                                     [](const std::string&, const std::string&, int64_t) {});
    validate = [&v = *validator](const webhook::HttpRequest& r) { return v.Handle(r); };
    if (inproc > 0) {
      spdlog::set_level(spdlog::level::warn);  // the audit line per call would dominate a terminal
      for (const auto& object : {bench::PodObject(), bench::DeploymentObject()}) {
        const webhook::HttpRequest req{"POST", "/validate", "", "application/json",
                                       bench::ReviewFor(object, "inproc").dump()};
        const auto t0 = std::chrono::steady_clock::now();
        size_t allowed = 0;
        for (int i = 0; i < inproc; ++i)
          allowed += Allowed(validator->Handle(req));
        const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
        std::printf("inproc %s: %.1f us per Validator::Handle (%d calls, %zu allowed)\n",
                    object["kind"].get<std::string>().c_str(), us / inproc, inproc, allowed);
        PrintPhases(req.body, view, inproc);
      }
      return 0;
    }
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
