// libFuzzer target for the GGUF metadata parser and, through the chat
// template keys it finds, the template audit. Small bounds keep each input
// fast. Crashes, sanitizer reports and hangs are bugs; any verdict is fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanners/context.h"
#include "scanners/gguf.h"
#include "scanners/source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelgate::scanners;
  MemorySource src(std::string_view(reinterpret_cast<const char*>(data), size));
  ScanLimits limits;
  limits.max_gguf_kv = 4096;
  limits.max_gguf_tensors = 4096;
  limits.max_gguf_string = 1 << 20;
  limits.max_gguf_array = 1 << 20;
  FileReport report;
  report.path = "fuzz.gguf";
  ScanContext ctx(limits, &report);
  AnalyzeGguf(src, ctx);
  return 0;
}
