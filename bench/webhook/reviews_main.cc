// webhook_bench_reviews DIR: writes pod.json and deployment.json, the
// AdmissionReview bodies the load generators POST to /validate.
#include <cstdio>
#include <fstream>
#include <string>

#include "bench/webhook/fixture.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: webhook_bench_reviews DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  const std::pair<const char*, nlohmann::json> bodies[] = {
      {"pod.json", modelgate::bench::ReviewFor(modelgate::bench::PodObject(), "0d6f3b0e-7c4a-4a57-b1f2-9a3c5e7d1b20")},
      {"deployment.json",
       modelgate::bench::ReviewFor(modelgate::bench::DeploymentObject(), "4e8a1c2d-9b3f-4d6e-8f7a-1b2c3d4e5f60")}};
  for (const auto& [file, body] : bodies) {
    std::ofstream out(dir + "/" + file, std::ios::binary);
    out << body.dump();
    if (!out) {
      std::fprintf(stderr, "cannot write %s/%s\n", dir.c_str(), file);
      return 1;
    }
    std::printf("%s: %zu bytes\n", file, body.dump().size());
  }
  return 0;
}
