// libFuzzer target for the .npy analyzer and its Python-literal header
// parser (fed both as a whole file and as a bare header). Crashes, sanitizer
// reports and hangs are bugs; any verdict is fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanners/context.h"
#include "scanners/numpy.h"
#include "scanners/numpy_header.h"
#include "scanners/source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelgate::scanners;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)ParseNpyHeader(bytes);
  MemorySource src(bytes);
  ScanLimits limits;
  limits.max_pickle_bytes = 1 << 20;
  limits.max_pickle_ops = 100000;
  FileReport report;
  report.path = "fuzz.npy";
  ScanContext ctx(limits, &report);
  AnalyzeNumpy(src, ctx);
  return 0;
}
