#include "scanners/zip.h"

namespace modelgate::scanners {

void AnalyzeZip(const ByteSource& src, ScanContext& ctx) {
  (void)src;
  ctx.Undecide("zip analysis is not implemented yet");
}

bool HasZipTrailer(const ByteSource& src) {
  (void)src;
  return false;
}

}  // namespace modelgate::scanners
