// Measures how long an Informer takes to sync N ConfigMaps from a live API server.
//
// Usage: kube_informer_bench [N=10000] [page_size=500]
// Cluster: $MODELGATE_TEST_KUBECONFIG, else $KUBECONFIG (see e2e/README.md). Creates a
// namespace mg-bench-<pid>, fills it, syncs an informer three times, deletes it.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "kube/client.h"
#include "kube/config.h"
#include "kube/informer.h"

using namespace modelgate::kube;
using Clock = std::chrono::steady_clock;

static double Secs(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int page = argc > 2 ? std::atoi(argv[2]) : 500;
  const char* path = std::getenv("MODELGATE_TEST_KUBECONFIG");
  if (path == nullptr || *path == '\0') path = std::getenv("KUBECONFIG");
  if (path == nullptr || *path == '\0') {
    std::fprintf(stderr, "set MODELGATE_TEST_KUBECONFIG or KUBECONFIG (eval \"$(e2e/cluster.sh env)\")\n");
    return 2;
  }
  auto cfg = LoadKubeconfig(path);
  if (!cfg.ok()) { std::fprintf(stderr, "%s\n", cfg.status().message().c_str()); return 1; }
  auto client = Client::Create(*cfg);
  if (!client.ok()) { std::fprintf(stderr, "%s\n", client.status().message().c_str()); return 1; }
  auto c = *client;
  const std::string ns = "mg-bench-" + std::to_string(getpid());
  auto made = c->Create(Namespaces(), "", {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
  if (!made.ok()) { std::fprintf(stderr, "%s\n", made.status().message().c_str()); return 1; }

  // Fill: ~200-byte ConfigMaps, 8 writers (the API server and etcd are the bottleneck).
  const auto t_fill = Clock::now();
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t)
    writers.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        Json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                   {"metadata", {{"name", "b-" + std::to_string(i)}, {"labels", {{"bench", "informer"}}}}},
                   {"data", {{"payload", std::string(128, 'x')}, {"i", std::to_string(i)}}}};
        if (!c->Create(ConfigMaps(), ns, cm).ok()) ++failed;
      }
    });
  for (auto& w : writers) w.join();
  const double fill = Secs(Clock::now() - t_fill);
  std::printf("created %d objects in %.1f s (%.0f/s), %d failed\n", n, fill, n / fill, failed.load());

  ListWatchOptions lo;
  lo.label_selector = "bench=informer";
  lo.page_size = page;
  for (int run = 1; run <= 3; ++run) {
    Informer inf(c, ConfigMaps(), ns, lo);
    const auto t0 = Clock::now();
    inf.Start();
    if (!inf.WaitForSync(std::chrono::minutes(5))) {
      std::fprintf(stderr, "informer did not sync within 5 minutes\n");
      return 1;
    }
    const double sync = Secs(Clock::now() - t0);
    std::printf("run %d: informer synced %zu objects in %.2f s (page size %d)\n", run, inf.Size(), sync, page);
    // Reads while synced: lookups are in-memory.
    const auto tr = Clock::now();
    size_t hits = 0;
    for (int i = 0; i < n; ++i) hits += inf.Get(ns, "b-" + std::to_string(i)) != nullptr;
    std::printf("run %d: %d Get() lookups in %.1f ms (%zu hits)\n", run, n, Secs(Clock::now() - tr) * 1e3, hits);
    inf.Stop();
  }
  (void)c->Delete(Namespaces(), "", ns);
  return failed.load() == 0 ? 0 : 1;
}
