// libFuzzer target for the SafeTensors header validator (length field,
// bounded JSON parse, dtype/shape/offset checks, layout tiling). Crashes,
// sanitizer reports and hangs are bugs; any verdict is fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanners/context.h"
#include "scanners/safetensors.h"
#include "scanners/source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelgate::scanners;
  MemorySource src(std::string_view(reinterpret_cast<const char*>(data), size));
  ScanLimits limits;
  limits.max_json_depth = 64;
  FileReport report;
  report.path = "fuzz.safetensors";
  ScanContext ctx(limits, &report);
  AnalyzeSafeTensors(src, ctx);
  return 0;
}
