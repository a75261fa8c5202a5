// Validates the SafeTensors header completely (reads only the header).
#pragma once

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Validates the SafeTensors header completely (reads only the header).
void AnalyzeSafeTensors(const ByteSource& src, ScanContext& ctx);

}  // namespace modelgate::scanners
