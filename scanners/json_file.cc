#include "scanners/json_file.h"

namespace modelgate::scanners {

void AnalyzeJson(const ByteSource& src, std::string_view name, ScanContext& ctx) {
  (void)src;
  (void)name;
  ctx.Undecide("json_file analysis is not implemented yet");
}

}  // namespace modelgate::scanners
