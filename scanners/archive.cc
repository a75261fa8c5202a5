#include "scanners/archive.h"

namespace modelgate::scanners {

void AnalyzeArchive(const ByteSource& src, Format format, ScanContext& ctx) {
  (void)src;
  (void)format;
  ctx.Undecide("archive analysis is not implemented yet");
}

}  // namespace modelgate::scanners
