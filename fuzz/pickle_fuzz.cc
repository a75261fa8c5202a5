// libFuzzer target for the pickle analyzer: the whole stream walk (stacked
// streams, embedded search) plus the probe, with small bounds so that each
// input runs quickly. Crashes, sanitizer reports and hangs are bugs; any
// verdict is fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanners/context.h"
#include "scanners/pickle.h"
#include "scanners/source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelgate::scanners;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  MemorySource src(bytes);
  ScanLimits limits;
  limits.max_pickle_stack = 4096;
  limits.max_pickle_memo = 4096;
  limits.max_pickle_ops = 200000;
  (void)ProbePickle(src, limits);
  FileReport report;
  report.path = "fuzz.pkl";
  ScanContext ctx(limits, &report);
  AnalyzePickle(src, ctx);
  return 0;
}
