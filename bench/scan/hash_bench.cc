// Hashing throughput of scanners/hashing.h: one file on one thread, and many
// files across all cores. Prints MB/s; bench/scan/run.sh compares it with
// `openssl dgst -sha256` and `sha256sum` on the same files in the same run.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "scanners/hashing.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: hash_bench THREADS FILE...\n");
    return 2;
  }
  unsigned threads = static_cast<unsigned>(std::stoul(argv[1]));
  std::vector<std::string> files(argv + 2, argv + argc);
  uint64_t bytes = 0;
  auto start = std::chrono::steady_clock::now();
  auto results = modelgate::scanners::Sha256Files(files, threads, [&](uint64_t) {});
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (size_t i = 0; i < files.size(); ++i) {
    if (!results[i].ok()) {
      std::fprintf(stderr, "%s\n", results[i].status().message().c_str());
      return 1;
    }
    std::FILE* f = std::fopen(files[i].c_str(), "rb");
    std::fseek(f, 0, SEEK_END);
    bytes += static_cast<uint64_t>(std::ftell(f));
    std::fclose(f);
    std::printf("%s  %s\n", results[i].value().c_str(), files[i].c_str());
  }
  std::printf("threads=%u bytes=%llu seconds=%.3f MB/s=%.1f\n", threads,
              static_cast<unsigned long long>(bytes), secs, bytes / secs / 1e6);
  return 0;
}
