// `modelgate inventory`: every model in the cluster with its source, revision, format,
// digest, signature status and the workloads using it — one list call.
#include <cstdio>
#include <string>

#include "cli/command.h"
#include "cli/flag_value.h"
#include "controller/inventory.h"
#include "controller/reconciler.h"
#include "kube/client.h"
#include "kube/config.h"

namespace {

namespace ctl = modelgate::controller;

constexpr const char* kUsage =
    "usage: modelgate inventory [--kubeconfig F] [-n NS | -A] [--output table|json|csv]\n"
    "                           [--sha256 HEX] [--model NAME]\n"
    "  -n NS          one namespace (default: the kubeconfig's namespace)\n"
    "  -A             all namespaces\n"
    "  --sha256 HEX   only models with a file (or manifest digest) of this SHA-256\n"
    "  --model NAME   only ModelAdmissions of this name\n"
    "Answers \"where does model X with hash Y run\": modelgate inventory -A --sha256 Y\n";

int RunInventory(int argc, char** argv) {
  std::string kubeconfig, ns, output = "table";
  bool all = false;
  ctl::InventoryFilter filter;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] { return ::modelgate::cli::FlagValue(argc, argv, &i, "inventory"); };
    const char* v = nullptr;
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "-A" || a == "--all-namespaces") {
      all = true;
    } else if (a == "--kubeconfig") {
      if (!(v = value())) return 2;
      kubeconfig = v;
    } else if (a == "-n" || a == "--namespace") {
      if (!(v = value())) return 2;
      ns = v;
    } else if (a == "--output" || a == "-o") {
      if (!(v = value())) return 2;
      output = v;
      if (output != "table" && output != "json" && output != "csv") {
        std::fprintf(stderr, "modelgate inventory: --output must be table, json or csv\n");
        return 2;
      }
    } else if (a == "--sha256") {
      if (!(v = value())) return 2;
      filter.sha256 = v;
    } else if (a == "--model") {
      if (!(v = value())) return 2;
      filter.model = v;
    } else {
      std::fprintf(stderr, "modelgate inventory: unknown flag %s\n%s", a.c_str(), kUsage);
      return 2;
    }
  }
  auto cfg = kubeconfig.empty() ? modelgate::kube::DefaultConfig() : modelgate::kube::LoadKubeconfig(kubeconfig);
  if (!cfg.ok()) return std::fprintf(stderr, "modelgate inventory: %s\n", cfg.status().message().c_str()), 1;
  if (!all && ns.empty()) ns = cfg.value().ns;
  auto client = modelgate::kube::Client::Create(cfg.value());
  if (!client.ok()) return std::fprintf(stderr, "modelgate inventory: %s\n", client.status().message().c_str()), 1;
  auto list = client.value()->ListAll(ctl::ModelAdmissions(), all ? "" : ns);
  if (!list.ok()) return std::fprintf(stderr, "modelgate inventory: %s\n", list.status().message().c_str()), 1;
  const auto rows = ctl::BuildInventory(list.value(), filter);
  if (output == "json") {
    std::puts(ctl::InventoryJson(rows).dump(2).c_str());
  } else if (output == "csv") {
    std::fputs(ctl::InventoryCsv(rows).c_str(), stdout);
  } else {
    std::fputs(ctl::InventoryTable(rows).c_str(), stdout);
  }
  return 0;
}

}  // namespace

MODELGATE_COMMAND("inventory", "list every model in the cluster: source, revision, digest, signature, workloads",
                  RunInventory);
