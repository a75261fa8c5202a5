// Pickle analyzer benchmark.
//   pickle_bench generate state_dict|ints PATH [MB]   write an opcode-dense pickle
//   pickle_bench analyze PATH [RUNS]                  analyse it (read with pread)
// `analyze` prints the best wall time over RUNS, opcodes per second, what the
// analysis found and the process's peak RSS (getrusage). See README.md.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "scanners/pickle.h"
#include "scanners/source.h"

namespace {

using namespace std::string_literals;
using modelgate::scanners::AnalyzePickleSource;
using modelgate::scanners::FileSource;
using modelgate::scanners::ScanLimits;

void U32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void Unicode(std::string* out, const std::string& s) {
  out->push_back('X');
  U32(out, static_cast<uint32_t>(s.size()));
  *out += s;
}
void Put(std::string* out, uint32_t* memo) {
  out->push_back('r');
  U32(out, (*memo)++);
}
void Get(std::string* out, uint32_t key) {
  out->push_back('j');
  U32(out, key);
}

// What torch.save (protocol 2) writes for a state dict of many small tensors:
// per tensor ~30 opcodes in ~110 bytes, SETITEMS batches of 1000 like pickle.
std::string StateDict(uint64_t bytes) {
  std::string p = "\x80\x02}";
  uint32_t memo = 0;
  Put(&p, &memo);
  p += "ccollections\nOrderedDict\n";
  uint32_t od = memo;
  Put(&p, &memo);
  p += ")R";
  Put(&p, &memo);
  p += "ctorch._utils\n_rebuild_tensor_v2\n";
  uint32_t rebuild = memo;
  Put(&p, &memo);
  p += "ctorch\nFloatStorage\n";
  uint32_t storage_cls = memo;
  Put(&p, &memo);
  Unicode(&p, "storage");
  uint32_t storage = memo;
  Put(&p, &memo);
  Unicode(&p, "cpu");
  uint32_t cpu = memo;
  Put(&p, &memo);
  p += "00000";  // leave only the dict under construction
  bool open_batch = false;
  for (uint64_t i = 0; p.size() < bytes; ++i) {
    if (i % 1000 == 0) {
      p += "(";
      open_batch = true;
    }
    Unicode(&p, "model.layers." + std::to_string(i) + ".mlp.weight");
    Put(&p, &memo);
    Get(&p, rebuild);
    p += "((";
    Get(&p, storage);
    Get(&p, storage_cls);
    Unicode(&p, std::to_string(i));
    Put(&p, &memo);
    Get(&p, cpu);
    p += "M\x00\x10tQK\x00K\x40K\x40\x86K\x40K\x01\x86\x89"s;
    Get(&p, od);
    p += ")RtR";
    Put(&p, &memo);
    if (i % 1000 == 999) {
      p += "u";
      open_batch = false;
    }
  }
  if (open_batch) p += "u";
  p += ".";
  return p;
}

// Worst-case density: a list of small ints, two bytes per opcode.
std::string Ints(uint64_t bytes) {
  std::string p = "\x80\x02]q\x00"s;
  while (p.size() < bytes) {
    p += "(";
    for (int i = 0; i < 1000; ++i) {
      p += "K";
      p.push_back(static_cast<char>(i & 0x7f));
    }
    p += "e";
  }
  return p + ".";
}

// CPU time of this process: less sensitive than wall time to a busy machine.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int Usage() {
  std::fprintf(stderr,
               "usage: pickle_bench generate state_dict|ints PATH [MB]\n"
               "       pickle_bench analyze PATH [RUNS]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage();
  std::string mode = argv[1];
  if (mode == "generate" && argc >= 4) {
    uint64_t mb = argc >= 5 ? std::strtoull(argv[4], nullptr, 10) : 10;
    std::string kind = argv[2];
    std::string p = kind == "ints" ? Ints(mb << 20) : StateDict(mb << 20);
    std::ofstream(argv[3], std::ios::binary).write(p.data(), static_cast<std::streamsize>(p.size()));
    std::printf("wrote %zu bytes to %s\n", p.size(), argv[3]);
    return 0;
  }
  if (mode != "analyze") return Usage();
  int runs = argc >= 4 ? std::atoi(argv[3]) : 5;
  auto src = FileSource::Open(argv[2]);
  if (!src.ok()) {
    std::fprintf(stderr, "%s\n", src.status().message().c_str());
    return 1;
  }
  ScanLimits limits;
  double best = 1e9;
  double best_cpu = 1e9;
  modelgate::scanners::PickleAnalysis a;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    double c0 = CpuSeconds();
    a = AnalyzePickleSource(**src, limits);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, s);
    best_cpu = std::min(best_cpu, CpuSeconds() - c0);
  }
  size_t not_allowed = 0;
  for (const auto& g : a.globals) {
    not_allowed += g.use.classification.verdict != modelgate::scanners::GlobalVerdict::kAllowed;
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("%s: %llu bytes, best of %d: %.4f s wall, %.4f s CPU (%.0f MB/s), streams=%u, "
              "globals=%zu, not allowed=%zu, undecided=%zu, peak RSS %ld KB\n",
              argv[2], static_cast<unsigned long long>((*src)->size()), runs, best, best_cpu,
              (*src)->size() / best_cpu / 1e6, a.streams, a.globals.size(), not_allowed,
              a.undecided.size(), ru.ru_maxrss);
  if (!a.undecided.empty()) std::printf("undecided: %s\n", a.undecided[0].c_str());
  return 0;
}
