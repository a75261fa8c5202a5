// `modelgate controller`: the operator. Flags map one to one onto ControllerOptions
// (controller/options.h); `--help` lists them.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "cli/flag_value.h"
#include "controller/controller.h"
#include "controller/sigstore_verifier.h"
#include "kube/client.h"
#include "scanners/signing/encoding.h"
#include "kube/config.h"
#include "policy/admission_policy.h"

namespace {

using modelgate::Result;
using modelgate::Status;
namespace ctl = modelgate::controller;

constexpr const char* kUsage =
    "usage: modelgate controller [flags]\n"
    "  --kubeconfig F                  kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)\n"
    "  --scan-mode inline|job          where scans run (default inline)\n"
    "  --max-concurrent-scans N        scans at once (default 2)\n"
    "  --scan-timeout D                per scan, e.g. 90s, 10m (default 10m)\n"
    "  --retry-min D                   first retry of a failed scan (default 1s); doubles per failure\n"
    "  --retry-max D                   longest wait between retries (default 1000s = 16m40s)\n"
    "  --pvc-root DIR                  inline: PVC files at DIR/<namespace>/<claim>/<subPath>\n"
    "  --scanner-image IMG             job: image running `modelgate scan`\n"
    "  --leader-election-namespace NS  Lease namespace (default: the config's namespace)\n"
    "  --lease-name N                  Lease name (default modelgate-controller)\n"
    "  --no-leader-election            reconcile without a Lease (one replica only!)\n"
    "  --identity ID                   leader-election identity (default hostname_pid)\n"
    "  --metrics-addr A                /metrics host:port, \"\" = off (default 127.0.0.1:8081)\n"
    "  --health-addr A                 /healthz,/readyz host:port, \"\" = off (default 127.0.0.1:8082)\n"
    "  --allowed-formats F1,F2         weight formats judged allowed (default safetensors)\n"
    "  --sigstore-trusted-root FILE    trusted_root.json for keyless model signatures (offline);\n"
    "                                  without it keyless signatures are reported not verified\n"
    "  --no-inventory                  do not watch pods / write status.workloads\n"
    "SIGTERM/SIGINT stop gracefully: running scans are abandoned and redone by the next leader.\n";

volatile std::sig_atomic_t g_signal = 0;
void OnSignal(int sig) { g_signal = sig; }

int RunController(int argc, char** argv) {
  ctl::ControllerOptions o;
  std::string kubeconfig;
  std::string trusted_root_file;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] { return ::modelgate::cli::FlagValue(argc, argv, &i, "controller"); };
    const char* v = nullptr;
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--no-leader-election") {
      o.leader_election = false;
      continue;
    } else if (a == "--no-inventory") {
      o.inventory = false;
      continue;
    }
    // A flag the usage text does not list is unknown: say so, rather than that it
    // "needs a value" (and the help cannot miss a flag the parser takes).
    if (std::strstr(kUsage, ("\n  " + a + " ").c_str()) == nullptr) {
      std::fprintf(stderr, "modelgate controller: unknown flag %s\n%s", a.c_str(), kUsage);
      return 2;
    }
    if (!(v = value())) return 2;
    if (a == "--kubeconfig") {
      kubeconfig = v;
    } else if (a == "--scan-mode") {
      auto m = ctl::ParseScanMode(v);
      if (!m.ok()) return std::fprintf(stderr, "modelgate controller: %s\n", m.status().message().c_str()), 2;
      o.scan_mode = m.value();
    } else if (a == "--max-concurrent-scans") {
      char* end = nullptr;
      o.max_concurrent_scans = static_cast<int>(std::strtol(v, &end, 10));
      if (!end || *end) return std::fprintf(stderr, "modelgate controller: %s: not a number\n", a.c_str()), 2;
    } else if (a == "--scan-timeout") {
      auto d = ctl::ParseDuration(v);
      if (!d.ok()) return std::fprintf(stderr, "modelgate controller: --scan-timeout: %s\n", d.status().message().c_str()), 2;
      o.scan_timeout = std::chrono::duration_cast<std::chrono::seconds>(d.value());
    } else if (a == "--retry-min" || a == "--retry-max") {
      auto d = ctl::ParseDuration(v);
      if (!d.ok()) return std::fprintf(stderr, "modelgate controller: %s: %s\n", a.c_str(), d.status().message().c_str()), 2;
      (a == "--retry-min" ? o.retry_min : o.retry_max) = d.value();
    } else if (a == "--pvc-root") {
      o.pvc_root = v;
    } else if (a == "--scanner-image") {
      o.scanner_image = v;
    } else if (a == "--leader-election-namespace") {
      o.lease_namespace = v;
    } else if (a == "--lease-name") {
      o.lease_name = v;
    } else if (a == "--identity") {
      o.identity = v;
    } else if (a == "--metrics-addr") {
      o.metrics_addr = v;
    } else if (a == "--health-addr") {
      o.health_addr = v;
    } else if (a == "--sigstore-trusted-root") {
      trusted_root_file = v;
    } else if (a == "--allowed-formats") {
      o.status.allowed_formats.clear();
      std::string s = v;
      for (size_t p = 0; p <= s.size();) {
        size_t c = s.find(',', p);
        if (c == std::string::npos) c = s.size();
        if (c > p) o.status.allowed_formats.push_back(s.substr(p, c - p));
        p = c + 1;
      }
      // A typo here would reject every model (MG004 in status), so refuse it up front,
      // with the same names a ModelAdmissionPolicy accepts.
      if (o.status.allowed_formats.empty()) {
        std::fprintf(stderr, "modelgate controller: --allowed-formats: give at least one format, e.g. safetensors\n");
        return 2;
      }
      for (const auto& f : o.status.allowed_formats) {
        if (!modelgate::policy::IsFormatName(f)) {
          std::fprintf(stderr,
                       "modelgate controller: --allowed-formats: unknown format \"%s\" (the names are in "
                       "docs/policy.md, spec.rules.allowedFormats)\n",
                       f.c_str());
          return 2;
        }
      }
    } else {
      std::fprintf(stderr, "modelgate controller: unknown flag %s\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  Status valid = ctl::ValidateOptions(o);
  if (!valid.ok()) return std::fprintf(stderr, "modelgate controller: %s\n", valid.message().c_str()), 2;

  Result<modelgate::kube::Config> cfg =
      kubeconfig.empty() ? modelgate::kube::DefaultConfig() : modelgate::kube::LoadKubeconfig(kubeconfig);
  if (!cfg.ok()) return std::fprintf(stderr, "modelgate controller: %s\n", cfg.status().message().c_str()), 1;
  auto client = modelgate::kube::Client::Create(cfg.value());
  if (!client.ok()) return std::fprintf(stderr, "modelgate controller: %s\n", client.status().message().c_str()), 1;
  // Model signatures: keys come from Secrets/ConfigMaps in the model's namespace.
  ctl::SigstoreVerifierOptions so;
  if (!trusted_root_file.empty()) {
    std::ifstream in(trusted_root_file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) return std::fprintf(stderr, "modelgate controller: cannot read %s\n", trusted_root_file.c_str()), 2;
    so.trusted_root_json = ss.str();
  }
  std::shared_ptr<modelgate::kube::Client> kc = client.value();
  so.fetch_key = [kc](const std::string& ns, const modelgate::policy::KeyRef& ref) -> Result<std::string> {
    bool secret = ref.kind == "Secret";
    auto obj = kc->Get({"", "v1", secret ? "secrets" : "configmaps", true}, ns, ref.name);
    if (!obj.ok()) return obj.status();
    const auto& data = obj.value().value("data", nlohmann::json::object());
    if (!data.contains(ref.key) || !data[ref.key].is_string())
      return Status::Error(ref.kind + " " + ns + "/" + ref.name + " has no key " + ref.key);
    std::string value = data[ref.key].get<std::string>();
    if (!secret) return value;
    auto decoded = modelgate::signing::Base64Decode(value);
    if (!decoded) return Status::Error("Secret " + ns + "/" + ref.name + ": data is not base64");
    return *decoded;
  };
  auto verifier = ctl::MakeSigstoreVerifier(std::move(so));
  if (!verifier.ok()) return std::fprintf(stderr, "modelgate controller: %s\n", verifier.status().message().c_str()), 2;
  o.signature_verifier = verifier.value();
  auto c = ctl::Controller::Create(client.value(), o);
  if (!c.ok()) return std::fprintf(stderr, "modelgate controller: %s\n", c.status().message().c_str()), 1;

  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  Status started = c.value()->Start();
  if (!started.ok()) return std::fprintf(stderr, "modelgate controller: %s\n", started.message().c_str()), 1;
  spdlog::info("metrics on port {}, health on port {}", c.value()->metrics_port(), c.value()->health_port());
  while (g_signal == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  spdlog::info("signal {}: shutting down", static_cast<int>(g_signal));
  c.value()->Stop();
  return 0;
}

}  // namespace

MODELGATE_COMMAND("controller", "run the operator: scan ModelAdmissions, write status, keep the inventory",
                  RunController);
