// webhook_bench_rate --url URL --body FILE [--body FILE...] [--rate 200]
//                    [--seconds 15] [--warmup 2] [--workers 8]
//
// Open-loop fixed-rate HTTPS client: request i is due at start + i/rate and is
// sent by the next free worker (each worker holds one keep-alive connection;
// bodies alternate). Latency is measured from the due time, so a server that
// falls behind is charged for the queueing it causes (no coordinated omission);
// the send-to-response time is reported too. Certificates are not verified
// (the benchmark's self-signed one). Prints p50/p90/p99/max, the achieved rate,
// and how many responses were HTTP 200 with response.allowed == true; exits 1
// when any request failed or was not allowed, so a fixture that stopped being
// compliant cannot pass as fast.
#include <cpprest/http_client.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace {
using Clock = std::chrono::steady_clock;
namespace http = web::http;

struct Sample {
  double from_due_ms, service_ms;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int Usage() {
  std::fprintf(stderr,
               "usage: webhook_bench_rate --url URL --body FILE [--body FILE...] [--rate 200] [--seconds 15] "
               "[--warmup 2] [--workers 8]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  std::vector<std::string> bodies;
  double rate = 200, seconds = 15, warmup = 2;
  int workers = 8;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return Usage();
    const std::string v = argv[++i];
    if (a == "--url") url = v;
    else if (a == "--body") {
      std::ifstream in(v, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      if (!in) {
        std::fprintf(stderr, "cannot read %s\n", v.c_str());
        return 1;
      }
      bodies.push_back(ss.str());
    } else if (a == "--rate") rate = std::stod(v);
    else if (a == "--seconds") seconds = std::stod(v);
    else if (a == "--warmup") warmup = std::stod(v);
    else if (a == "--workers") workers = std::stoi(v);
    else return Usage();
  }
  if (url.empty() || bodies.empty() || rate <= 0 || workers <= 0) return Usage();

  const long total = static_cast<long>((warmup + seconds) * rate);
  const long skip = static_cast<long>(warmup * rate);
  const auto interval = std::chrono::duration<double>(1.0 / rate);
  std::atomic<long> next{0};
  std::atomic<long> ok{0}, not_allowed{0}, failed{0};
  std::mutex mu;
  std::vector<Sample> samples;
  samples.reserve(total);
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(200);

  auto worker = [&] {
    web::http::client::http_client_config cfg;
    cfg.set_validate_certificates(false);
    cfg.set_timeout(std::chrono::seconds(10));
    web::http::client::http_client client(url, cfg);
    for (long i; (i = next.fetch_add(1)) < total;) {
      const auto due = start + std::chrono::duration_cast<Clock::duration>(interval * i);
      std::this_thread::sleep_until(due);
      const auto sent = Clock::now();
      bool good = false, allowed = false;
      try {
        http::http_request req(http::methods::POST);
        req.set_body(bodies[i % bodies.size()], "application/json");
        http::http_response resp = client.request(req).get();
        const std::string body = resp.extract_utf8string(true).get();
        good = resp.status_code() == 200;
        if (good) {
          auto j = nlohmann::json::parse(body, nullptr, false);
          allowed = !j.is_discarded() && j["response"]["allowed"] == true;
        }
      } catch (const std::exception& e) {
        static std::once_flag once;
        std::call_once(once, [&] { std::fprintf(stderr, "request failed: %s\n", e.what()); });
      }
      const auto done = Clock::now();
      (good ? (allowed ? ok : not_allowed) : failed)++;
      if (i >= skip) {
        std::lock_guard<std::mutex> l(mu);
        samples.push_back({std::chrono::duration<double, std::milli>(done - due).count(),
                           std::chrono::duration<double, std::milli>(done - sent).count()});
      }
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> due, service;
  for (const auto& s : samples) {
    due.push_back(s.from_due_ms);
    service.push_back(s.service_ms);
  }
  std::printf("requests %ld (measured %zu after %.0f s warm-up), achieved %.1f req/s, target %.1f req/s\n", total,
              samples.size(), warmup, total / elapsed, rate);
  std::printf("latency from due time  ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", Percentile(due, 0.5),
              Percentile(due, 0.9), Percentile(due, 0.99), Percentile(due, 1.0));
  std::printf("latency send->response ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", Percentile(service, 0.5),
              Percentile(service, 0.9), Percentile(service, 0.99), Percentile(service, 1.0));
  std::printf("responses: %ld allowed, %ld denied, %ld failed\n", ok.load(), not_allowed.load(), failed.load());
  return not_allowed == 0 && failed == 0 ? 0 : 1;
}
