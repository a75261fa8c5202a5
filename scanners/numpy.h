// Validates a .npy header; object arrays carry pickles, which are analyzed.
#pragma once

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Validates a .npy header; object arrays carry pickles, which are analyzed.
void AnalyzeNumpy(const ByteSource& src, ScanContext& ctx);

}  // namespace modelgate::scanners
