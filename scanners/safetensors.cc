#include "scanners/safetensors.h"

namespace modelgate::scanners {

void AnalyzeSafeTensors(const ByteSource& src, ScanContext& ctx) {
  (void)src;
  ctx.Undecide("safetensors analysis is not implemented yet");
}

}  // namespace modelgate::scanners
