// SafeTensors validation benchmark: validation cost must depend on the header,
// not on the size of the data section.
//   safetensors_bench make PATH DATA_BYTES [TENSORS]  header with TENSORS U8 tensors tiling
//                                                     DATA_BYTES, data left sparse (ftruncate)
//   safetensors_bench analyze PATH [RUNS]             best wall time of AnalyzeSafeTensors
// See README.md and run.sh.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "scanners/context.h"
#include "scanners/safetensors.h"
#include "scanners/source.h"

namespace {

using namespace modelgate::scanners;

int Make(const std::string& path, uint64_t data_bytes, uint64_t tensors) {
  std::string header = "{\"__metadata__\":{\"format\":\"pt\"}";
  uint64_t each = data_bytes / tensors, offset = 0;
  for (uint64_t i = 0; i < tensors; ++i) {
    uint64_t n = i + 1 == tensors ? data_bytes - offset : each;
    header += ",\"model.layers." + std::to_string(i) + ".weight\":{\"dtype\":\"U8\",\"shape\":[" +
              std::to_string(n) + "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + n) + "]}";
    offset += n;
  }
  header += "}";
  while ((header.size() + 8) % 8) header += ' ';  // writers pad to 8-byte alignment
  std::string prefix;
  for (int i = 0; i < 8; ++i) prefix.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
  prefix += header;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || ::write(fd, prefix.data(), prefix.size()) != static_cast<ssize_t>(prefix.size()) ||
      ::ftruncate(fd, static_cast<off_t>(prefix.size() + data_bytes)) != 0) {
    std::perror(path.c_str());
    return 1;
  }
  ::close(fd);
  std::printf("wrote %s: header %zu bytes, %llu tensors, data %llu bytes (sparse)\n", path.c_str(),
              header.size(), static_cast<unsigned long long>(tensors),
              static_cast<unsigned long long>(data_bytes));
  return 0;
}

int Analyze(const std::string& path, int runs) {
  auto src = FileSource::Open(path);
  if (!src.ok()) {
    std::fprintf(stderr, "%s\n", src.status().message().c_str());
    return 1;
  }
  double best = 1e9;
  FileReport last;
  for (int i = 0; i < runs; ++i) {
    FileReport report;
    report.path = path;
    ScanLimits limits;
    ScanContext ctx(limits, &report);
    auto start = std::chrono::steady_clock::now();
    AnalyzeSafeTensors(**src, ctx);
    std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - start;
    best = std::min(best, ms.count());
    last = std::move(report);
  }
  std::printf("%s: file %llu bytes, best of %d: %.3f ms, findings %zu, undecided %zu", path.c_str(),
              static_cast<unsigned long long>((*src)->size()), runs, best, last.findings.size(),
              last.undecided.size());
  for (const auto& [k, v] : last.facts) std::printf(", %s=%s", k.c_str(), v.c_str());
  std::printf("\n");
  return last.undecided.empty() ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "make" && argc >= 4) {
    return Make(argv[2], std::strtoull(argv[3], nullptr, 10),
                argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1000);
  }
  if (cmd == "analyze" && argc >= 3) return Analyze(argv[2], argc > 3 ? std::atoi(argv[3]) : 20);
  std::fprintf(stderr, "usage: safetensors_bench make PATH DATA_BYTES [TENSORS] | analyze PATH [RUNS]\n");
  return 1;
}
