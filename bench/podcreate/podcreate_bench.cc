// podcreate_bench: times pod creation through a live API server, one Create call at a
// time per worker (steady_clock around kube::Client::Create), then deletes the pods.
//
// Usage: podcreate_bench --namespace NS --pod FILE [--count 300] [--concurrency 1]
//          [--warmup 20] [--interval-ms 0] [--expect allowed|denied] [--run-id ID]
//          [--samples FILE] [--alternate-namespace NS2 --alternate-samples FILE2]
//          [--kubeconfig FILE]
//   --pod FILE      a Pod as JSON; metadata.name is replaced by <run-id>-<i> and the
//                   label modelgate-bench-run=<run-id> is added (used for the cleanup).
//   --warmup N      untimed creates first (connections, the API server's webhook client).
//   --interval-ms M each worker starts a create at most every M ms (0: back to back).
//                   Pacing gives both modes the same write rate, so a faster mode is not
//                   penalised for loading etcd harder; latency is still send->response.
//   --expect        "allowed": every Create must succeed; "denied": every Create must be
//                   refused by an admission webhook ("denied the request"). Any other
//                   outcome is counted as unexpected and makes the exit status 1.
//   --samples FILE  appends every timed latency (ms, one per line) for pooling rounds.
//   --alternate-namespace NS2
//                   interleaves: call i goes to NS for even i and to NS2 for odd i, --count
//                   calls each, reported separately (NS2's latencies to --alternate-samples).
//                   With a webhook whose namespaceSelector matches NS only, consecutive
//                   calls with and without the webhook see the same machine state.
// Cluster: --kubeconfig, else $KUBECONFIG. Output: one human line, then one line
// "result {json}" for scripts. Exit 0 only when every call had the expected outcome and
// the cleanup finished.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/podcreate/latency_stats.h"
#include "kube/client.h"
#include "kube/config.h"

namespace {

using namespace modelgate;
using Clock = std::chrono::steady_clock;
constexpr const char* kRunLabel = "modelgate-bench-run";

struct Options {
  std::string kubeconfig, ns, pod_file, run_id, samples_file, alt_ns, alt_samples_file;
  std::string expect = "allowed";
  int count = 300, concurrency = 1, warmup = 20, interval_ms = 0;
};

int Usage(const char* why) {
  std::fprintf(stderr,
               "podcreate_bench: %s\nusage: podcreate_bench --namespace NS --pod FILE [--count 300] "
               "[--concurrency 1] [--warmup 20] [--interval-ms 0] [--expect allowed|denied] [--run-id ID] "
               "[--samples FILE] [--alternate-namespace NS2 --alternate-samples FILE2] [--kubeconfig FILE]\n",
               why);
  return 2;
}

// Parses argv into `o`; returns 0, or the exit status of a usage error.
int Parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return Usage(("missing value for " + a).c_str());
    const std::string v = argv[++i];
    if (a == "--kubeconfig") o.kubeconfig = v;
    else if (a == "--namespace") o.ns = v;
    else if (a == "--pod") o.pod_file = v;
    else if (a == "--run-id") o.run_id = v;
    else if (a == "--samples") o.samples_file = v;
    else if (a == "--alternate-namespace") o.alt_ns = v;
    else if (a == "--alternate-samples") o.alt_samples_file = v;
    else if (a == "--expect") o.expect = v;
    else if (a == "--count") o.count = std::atoi(v.c_str());
    else if (a == "--concurrency") o.concurrency = std::atoi(v.c_str());
    else if (a == "--warmup") o.warmup = std::atoi(v.c_str());
    else if (a == "--interval-ms") o.interval_ms = std::atoi(v.c_str());
    else return Usage(("unknown option " + a).c_str());
  }
  if (o.ns.empty() || o.pod_file.empty()) return Usage("--namespace and --pod are required");
  if (o.expect != "allowed" && o.expect != "denied") return Usage("--expect is allowed or denied");
  if (o.count < 1 || o.concurrency < 1 || o.warmup < 0 || o.interval_ms < 0)
    return Usage("--count/--concurrency >= 1, --warmup/--interval-ms >= 0");
  if (o.run_id.empty()) o.run_id = "pcb-" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 1000000007);
  if (o.kubeconfig.empty()) {
    const char* k = std::getenv("KUBECONFIG");
    if (k == nullptr || *k == '\0') return Usage("--kubeconfig or $KUBECONFIG is required");
    o.kubeconfig = k;
  }
  return 0;
}

// Whether a Create outcome is the one the run expects.
bool Expected(const Status& s, const std::string& expect) {
  if (expect == "allowed") return s.ok();
  return !s.ok() && s.message().find("denied the request") != std::string::npos;
}

// Deletes every pod of the run in `ns` (one collection DELETE) and waits until none is
// listed, so the next round starts from the same object count. Pods here are never
// scheduled (no kubelet), so deletion is immediate once the API server processes it.
Status Cleanup(kube::Client& c, const std::string& ns, const std::string& run_id) {
  const std::string selector = std::string(kRunLabel) + "=" + run_id;
  auto del = c.Raw("DELETE", kube::Pods().Path(ns) + "?labelSelector=" + std::string(kRunLabel) + "%3D" + run_id);
  if (!del.ok()) return del.status();
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline) {
    kube::ListOptions lo;
    lo.label_selector = selector;
    auto list = c.List(kube::Pods(), ns, lo);
    if (!list.ok()) return list.status();
    if ((*list)["items"].empty()) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return Status::Error("pods of run " + run_id + " in " + ns + " still listed 120 s after the delete");
}

// Appends `samples` (ms) to `path`, one per line; nothing when path is empty.
void AppendSamples(const std::string& path, const std::vector<double>& samples) {
  if (path.empty()) return;
  std::ofstream out(path, std::ios::app);
  for (double v : samples) out << v << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (int rc = Parse(argc, argv, o); rc != 0) return rc;
  nlohmann::json tmpl;
  try {
    std::ifstream in(o.pod_file);
    tmpl = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "podcreate_bench: %s: %s\n", o.pod_file.c_str(), e.what());
    return 1;
  }
  if (!tmpl.is_object() || tmpl.value("kind", "") != "Pod") {
    std::fprintf(stderr, "podcreate_bench: %s is not a Pod object\n", o.pod_file.c_str());
    return 1;
  }
  auto cfg = kube::LoadKubeconfig(o.kubeconfig);
  if (!cfg.ok()) { std::fprintf(stderr, "podcreate_bench: %s\n", cfg.status().message().c_str()); return 1; }
  auto client = kube::Client::Create(*cfg);
  if (!client.ok()) { std::fprintf(stderr, "podcreate_bench: %s\n", client.status().message().c_str()); return 1; }
  kube::Client& c = **client;

  // Arms: the namespaces calls go to, in turn (one, or two when interleaving).
  std::vector<std::string> arms = {o.ns};
  if (!o.alt_ns.empty()) arms.push_back(o.alt_ns);
  const int n_arms = static_cast<int>(arms.size());
  const int total = o.count * n_arms;
  tmpl["metadata"]["labels"][kRunLabel] = o.run_id;
  // Call i goes to arms[i % n_arms]; names are unique per run.
  auto make_pod = [&](int i) {
    nlohmann::json pod = tmpl;
    pod["metadata"]["namespace"] = arms[i % n_arms];
    pod["metadata"]["name"] = o.run_id + "-" + std::to_string(i);
    return pod;
  };

  // Warm-up (untimed, sequential, every arm); indexes after the timed ones.
  int unexpected = 0;
  std::string first_unexpected;
  for (int i = total; i < total + o.warmup * n_arms; ++i) {
    Result<nlohmann::json> r = c.Create(kube::Pods(), arms[i % n_arms], make_pod(i));
    if (!Expected(r.status(), o.expect)) {
      ++unexpected;
      if (first_unexpected.empty()) first_unexpected = r.ok() ? "created (expected a denial)" : r.status().message();
    }
  }

  // Timed: `concurrency` workers take the next index until `total` calls are done.
  std::vector<double> samples(total, 0.0);
  std::vector<char> good(total, 0);
  std::mutex mu;            // guards first_unexpected and first_error
  std::string first_error;  // what a refused create looked like (the denial message)
  std::atomic<int> next{0};
  const auto t_all = Clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < o.concurrency; ++w) {
    workers.emplace_back([&] {
      auto due = Clock::now();
      for (int i = next++; i < total; i = next++) {
        const nlohmann::json pod = make_pod(i);
        std::this_thread::sleep_until(due);
        due = std::max(due + std::chrono::milliseconds(o.interval_ms), Clock::now());
        const auto t0 = Clock::now();
        Result<nlohmann::json> r = c.Create(kube::Pods(), arms[i % n_arms], pod);
        samples[i] = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        good[i] = Expected(r.status(), o.expect);
        if (!good[i] || !r.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (!good[i] && first_unexpected.empty())
            first_unexpected = r.ok() ? "created (expected a denial)" : r.status().message();
          if (!r.ok() && first_error.empty()) first_error = r.status().message();
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  const double wall_s = std::chrono::duration<double>(Clock::now() - t_all).count();
  for (char g : good) unexpected += g ? 0 : 1;
  if (!first_unexpected.empty()) std::printf("first unexpected outcome: %s\n", first_unexpected.c_str());
  if (o.expect == "denied" && !first_error.empty()) std::printf("first denial: %s\n", first_error.c_str());

  bool cleaned = true;
  std::vector<nlohmann::json> results;
  for (int a = 0; a < n_arms; ++a) {
    std::vector<double> mine;
    for (int i = a; i < total; i += n_arms) mine.push_back(samples[i]);
    AppendSamples(a == 0 ? o.samples_file : o.alt_samples_file, mine);
    const bench::LatencySummary s = bench::Summarize(mine);
    std::printf("%s %s: %d pods, %d worker(s), expect %s: %s; %.1f creates/s overall; unexpected %d (all arms)\n",
                o.run_id.c_str(), arms[a].c_str(), o.count, o.concurrency, o.expect.c_str(),
                bench::FormatSummary(s).c_str(), total / wall_s, unexpected);
    results.push_back({{"run", o.run_id}, {"namespace", arms[a]}, {"expect", o.expect}, {"count", s.count},
                       {"concurrency", o.concurrency}, {"interval_ms", o.interval_ms}, {"p50_ms", s.p50_ms},
                       {"p90_ms", s.p90_ms}, {"p99_ms", s.p99_ms}, {"max_ms", s.max_ms}, {"mean_ms", s.mean_ms},
                       {"min_ms", s.min_ms}, {"creates_per_s", total / wall_s}, {"unexpected", unexpected}});
    const Status st = Cleanup(c, arms[a], o.run_id);
    if (!st.ok()) {
      std::fprintf(stderr, "podcreate_bench: cleanup: %s\n", st.message().c_str());
      cleaned = false;
    }
  }
  for (auto& r : results) {
    r["cleaned"] = cleaned;
    std::printf("result %s\n", r.dump().c_str());
  }
  return unexpected == 0 && cleaned ? 0 : 1;
}
