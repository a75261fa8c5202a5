#include "scanners/keras.h"

namespace modelgate::scanners {

void AnalyzeHdf5(const ByteSource& src, ScanContext& ctx) {
  (void)src;
  ctx.Undecide("keras analysis is not implemented yet");
}

void AuditKerasConfig(std::string_view config_json, ScanContext& ctx) {
  (void)config_json;
  ctx.Undecide("keras config analysis is not implemented yet");
}

}  // namespace modelgate::scanners
