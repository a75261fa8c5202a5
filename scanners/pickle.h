// Simulates the pickle machine over every pickle stream in `src` (stacked
#pragma once

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Simulates the pickle machine over every pickle stream in `src` (stacked
// streams, bytes after STOP) and reports each callable a load would import or call.
void AnalyzePickle(const ByteSource& src, ScanContext& ctx);

// True when `src` (sniffed as text or unknown data) is a valid pickle stream
// up to a STOP opcode, i.e. a pickle loader would accept it.
bool ProbePickle(const ByteSource& src, const ScanLimits& limits);

}  // namespace modelgate::scanners
