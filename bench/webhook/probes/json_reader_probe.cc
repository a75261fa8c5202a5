// json_reader_probe BODY.json...: how long reading an AdmissionReview body takes with
// the stack's JSON library (nlohmann) and with simdjson, a faster reader that is NOT on
// the prescribed stack. Evidence for bench/webhook/README.md ("A faster JSON reader?");
// not built by CMake on purpose, so the project does not depend on simdjson:
//
//   apt-get install libsimdjson-dev
//   build-lead/bench/webhook/webhook_bench_reviews /tmp/bodies
//   g++ -O2 -std=c++20 bench/webhook/probes/json_reader_probe.cc -lsimdjson -o /tmp/probe
//   /tmp/probe /tmp/bodies/pod.json /tmp/bodies/deployment.json
//
// Per body it prints the mean time of: nlohmann's lexer alone (accept), nlohmann's DOM,
// simdjson's validating DOM parse plus a walk over every node, and simdjson's DOM
// converted into the nlohmann DOM the policy code reads today.
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

std::string ReadFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Touches every node, so lazy parts of the parse cannot be skipped.
size_t CountNodes(simdjson::dom::element e) {
  size_t n = 1;
  if (e.is_object()) {
    for (auto field : simdjson::dom::object(e)) n += CountNodes(field.value);
  } else if (e.is_array()) {
    for (auto v : simdjson::dom::array(e)) n += CountNodes(v);
  }
  return n;
}

json ToNlohmann(simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::OBJECT: {
      json o = json::object();
      for (auto field : simdjson::dom::object(e)) o.emplace(std::string(field.key), ToNlohmann(field.value));
      return o;
    }
    case T::ARRAY: {
      json a = json::array();
      for (auto v : simdjson::dom::array(e)) a.push_back(ToNlohmann(v));
      return a;
    }
    case T::STRING: return std::string(std::string_view(e));
    case T::INT64: return int64_t(e);
    case T::UINT64: return uint64_t(e);
    case T::DOUBLE: return double(e);
    case T::BOOL: return bool(e);
    case T::NULL_VALUE: return nullptr;
  }
  return nullptr;
}

template <typename F>
double MicrosPerCall(int n, F&& f) {
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) f();
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / n;
}

}  // namespace

int main(int argc, char** argv) {
  constexpr int kCalls = 10000;
  for (int a = 1; a < argc; ++a) {
    const std::string body = ReadFile(argv[a]);
    const simdjson::padded_string padded(body);
    simdjson::dom::parser parser;
    size_t sink = 0, nodes = 0;
    bool failed = false;
    auto parse = [&](simdjson::dom::element* doc) { failed |= parser.parse(padded).get(*doc) != simdjson::SUCCESS; };

    const double accept = MicrosPerCall(kCalls, [&] { sink += json::accept(body); });
    const double dom = MicrosPerCall(kCalls, [&] { sink += json::parse(body).size(); });
    const double sj = MicrosPerCall(kCalls, [&] {
      simdjson::dom::element doc;
      parse(&doc);
      if (!failed) nodes = CountNodes(doc);
    });
    const double sj_to_nl = MicrosPerCall(kCalls, [&] {
      simdjson::dom::element doc;
      parse(&doc);
      if (!failed) sink += ToNlohmann(doc).size();
    });
    if (failed) {
      std::fprintf(stderr, "%s: simdjson could not parse it\n", argv[a]);
      return 1;
    }
    std::printf("%s (%zu bytes, %zu nodes): nlohmann accept %.1f us, nlohmann DOM %.1f us, "
                "simdjson DOM + walk %.1f us, simdjson DOM -> nlohmann DOM %.1f us [simdjson %s] (%zu)\n",
                argv[a], body.size(), nodes, accept, dom, sj, sj_to_nl,
                simdjson::get_active_implementation()->name().c_str(), sink % 10);
  }
  return 0;
}
