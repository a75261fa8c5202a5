// `modelgate webhook`: the validating admission webhook server.
#include <malloc.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "cli/command.h"
#include "cli/flag_value.h"
#include "kube/config.h"
#include "webhook/cert_store.h"
#include "webhook/https_server.h"
#include "webhook/informer_view.h"
#include "webhook/io_threads.h"
#include "webhook/malloc_tuning.h"
#include "webhook/metrics.h"
#include "webhook/scan_requester.h"
#include "webhook/validator.h"

namespace {
using namespace modelgate;

constexpr const char* kUsage =
    "usage: modelgate webhook --tls-cert FILE --tls-key FILE [options]\n"
    "\n"
    "Serves POST /validate (admission.k8s.io/v1 AdmissionReview), /healthz and /readyz over\n"
    "HTTPS (TLS 1.2+; the certificate files are re-read when they change), and /metrics on a\n"
    "separate port. Reads ModelAdmissions, policies, NetworkPolicies, PVCs and Namespaces from\n"
    "watch caches; /readyz is ready once they are synced.\n"
    "  --tls-cert FILE       serving certificate, PEM, leaf first then intermediates (required)\n"
    "  --tls-key FILE        its private key, PEM (required)\n"
    "  --kubeconfig FILE     (default: the first file in $KUBECONFIG when set, else ~/.kube/config\n"
    "                        when it exists, else the in-cluster service account)\n"
    "  --address ADDR        listen address (default 0.0.0.0)\n"
    "  --port N              HTTPS port, 0 to 65535 (default 8443; 0 picks a free one and prints it)\n"
    "  --metrics-addr A:P    Prometheus /metrics (default 0.0.0.0:9090)\n"
    "  --own-namespace NS    modelgate's namespace, never affected (default $POD_NAMESPACE)\n"
    "  --deadline-ms N       internal decision deadline in ms, 1 to 29999 (default 2500; keep it\n"
    "                        below the webhook's timeoutSeconds, which is at most 30 s)\n"
    "  --scanner-image IMG   the operator's --scanner-image (job scan mode): pods of exactly the\n"
    "                        scan-Job shape running IMG skip the model rules (docs/policy.md);\n"
    "                        default none (every pod is judged as an ordinary one)\n"
    "  --io-threads N        threads serving connections, decisions and the API watches\n"
    "                        (default 4, at least 2; cpprestsdk's own default of 40 costs\n"
    "                        CPU in context switches, see bench/webhook/README.md)\n";

// The largest --deadline-ms: the API server waits at most 30 s for a webhook
// (timeoutSeconds 1-30), so a longer deadline could never be the one that fires.
constexpr long kMaxDeadlineMs = 29999;

// `v` as a whole number (digits only: no sign, blanks or suffix) in [min, max]; nullopt
// after writing "modelgate webhook: FLAG needs a whole number from MIN to MAX<what>, got 'V'"
// to stderr. atoi turned a typo into 0, and a deadline of 0 denies every judged request.
std::optional<long> WholeNumber(const char* flag, const std::string& v, long min, long max,
                                const char* what = "") {
  const bool digits = !v.empty() && v.size() <= 9 &&
                      std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  const long n = digits ? std::stol(v) : -1;
  if (!digits || n < min || n > max) {
    std::fprintf(stderr, "modelgate webhook: %s needs a whole number from %ld to %ld%s, got '%s'\n", flag, min,
                 max, what, v.c_str());
    return std::nullopt;
  }
  return n;
}

int RunWebhook(int argc, char** argv) {
  // Once, before any thread: may replace the process (webhook/malloc_tuning.h), so it
  // comes before any other start-up work.
  webhook::ReexecWithMallocTuning();
  // glibc gives every thread that allocates its own arena and keeps each at its peak:
  // with five informer threads each decoding list pages, that alone held ~100 MB.
  // Two arenas (one per core the chart requests at most) bound it; set before any
  // thread starts.
  mallopt(M_ARENA_MAX, 2);
  std::string kubeconfig, cert, key, address = "0.0.0.0", metrics_addr = "0.0.0.0:9090";
  int port = 8443;
  long io_threads = static_cast<long>(webhook::kDefaultIoThreads);
  webhook::ValidatorOptions vopts;
  if (const char* ns = std::getenv("POD_NAMESPACE")) vopts.evaluate.own_namespace = ns;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      const char* v = ::modelgate::cli::FlagValue(argc, argv, &i, "webhook");
      if (v == nullptr) std::exit(2);
      return v;
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--kubeconfig") {
      kubeconfig = next();
    } else if (a == "--tls-cert") {
      cert = next();
    } else if (a == "--tls-key") {
      key = next();
    } else if (a == "--address") {
      address = next();
    } else if (a == "--port") {
      auto n = WholeNumber("--port", next(), 0, 65535);
      if (!n) return 2;
      port = static_cast<int>(*n);
    } else if (a == "--metrics-addr") {
      metrics_addr = next();
      // The exposer's own error for a bad port is an opaque exception; say which flag.
      // A bare port (all interfaces) is what the exposer accepts besides HOST:PORT.
      const size_t colon = metrics_addr.rfind(':');
      const std::string p = colon == std::string::npos ? metrics_addr : metrics_addr.substr(colon + 1);
      if (!WholeNumber("--metrics-addr's port", p, 0, 65535)) return 2;
    } else if (a == "--own-namespace") {
      vopts.evaluate.own_namespace = next();
    } else if (a == "--scanner-image") {
      vopts.evaluate.scanner_image = next();
      if (vopts.evaluate.scanner_image.empty()) {
        std::fprintf(stderr, "modelgate webhook: --scanner-image needs a non-empty image reference\n");
        return 2;
      }
    } else if (a == "--io-threads") {
      auto n = WholeNumber("--io-threads", next(), static_cast<long>(webhook::kMinIoThreads), 256);
      if (!n) return 2;
      io_threads = *n;
    } else if (a == "--deadline-ms") {
      auto n = WholeNumber("--deadline-ms", next(), 1, kMaxDeadlineMs,
                           " (milliseconds; default 2500, keep it below the webhook's timeoutSeconds)");
      if (!n) return 2;
      vopts.deadline = std::chrono::milliseconds(*n);
    } else {
      std::fprintf(stderr, "modelgate webhook: unknown option '%s'\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  if (cert.empty() || key.empty()) {
    std::fprintf(stderr, "modelgate webhook: --tls-cert and --tls-key are required\n%s", kUsage);
    return 2;
  }
  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // Before the Kubernetes client or the server touch cpprestsdk's pool.
  if (Status s = webhook::SetIoThreads(static_cast<size_t>(io_threads)); !s.ok()) {
    spdlog::error("modelgate webhook: {}", s.message());
    return 1;
  }

  auto config = kubeconfig.empty() ? kube::DefaultConfig() : kube::LoadKubeconfig(kubeconfig);
  if (!config.ok()) {
    spdlog::error("modelgate webhook: Kubernetes config: {}", config.status().message());
    return 1;
  }
  auto client = kube::Client::Create(config.value());
  if (!client.ok()) {
    spdlog::error("modelgate webhook: {}", client.status().message());
    return 1;
  }
  auto store = webhook::CertStore::Load(cert, key);
  if (!store.ok()) {
    spdlog::error("modelgate webhook: {}", store.status().message());
    return 1;
  }
  webhook::WebhookMetrics metrics;
  if (Status s = metrics.Serve(metrics_addr); !s.ok()) {
    spdlog::error("modelgate webhook: {}", s.message());
    return 1;
  }
  webhook::InformerClusterView view(client.value());
  view.Start();
  webhook::AnnotationScanRequester requester(client.value());
  webhook::Validator validator(
      view, [&view] { return view.HasSynced(); }, vopts, &metrics,
      [&requester](const std::string& ns, const std::string& name, int64_t gen) { requester.Request(ns, name, gen); });

  webhook::ServerOptions sopts;
  sopts.address = address;
  sopts.port = port;
  sopts.tls = store.value();
  auto server = webhook::HttpsServer::Start(
      sopts, {{"/validate", [&validator](const webhook::HttpRequest& r) { return validator.Handle(r); }},
              {"/healthz", [](const webhook::HttpRequest&) { return webhook::HttpResponse{200, "text/plain", "ok"}; }},
              {"/readyz", [&view](const webhook::HttpRequest&) {
                 // Names the caches still waiting, and why, for whoever reads the probe.
                 std::string body;
                 for (const std::string& c : view.UnsyncedCaches()) body += (body.empty() ? "" : "; ") + c;
                 return body.empty() ? webhook::HttpResponse{200, "text/plain", "ok"}
                                     : webhook::HttpResponse{503, "text/plain", "caches not synced: " + body};
               }}});
  if (!server.ok()) {
    spdlog::error("modelgate webhook: {}", server.status().message());
    return 1;
  }
  spdlog::info("modelgate webhook serving on {} (metrics on port {}), certificate sha256 {}", server.value()->url(),
               metrics.port(), store.value()->Fingerprint());
  if (!vopts.evaluate.scanner_image.empty())
    spdlog::info("modelgate webhook: scan pods running {} are recognised by shape", vopts.evaluate.scanner_image);
  // Machine-readable line for scripts that started us with --port 0.
  std::printf("listening %s\n", server.value()->url().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("modelgate webhook: signal {}, shutting down", sig);
  server.value()->Stop();
  view.Stop();
  return 0;
}

}  // namespace

MODELGATE_COMMAND("webhook", "run the validating admission webhook (HTTPS)", RunWebhook);
