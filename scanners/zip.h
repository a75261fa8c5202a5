// Reads a ZIP archive as leniently as PyTorch's loader does, reports anomalies,
#pragma once

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Reads a ZIP archive as leniently as PyTorch's loader does, reports anomalies,
// refines the format (pytorch-zip, npz, keras) and analyzes every member.
void AnalyzeZip(const ByteSource& src, ScanContext& ctx);

// True when `src` ends with a ZIP end-of-central-directory record although it
// does not start as a ZIP (a pickle/ZIP polyglot: loaders disagree on what it is).
bool HasZipTrailer(const ByteSource& src);

}  // namespace modelgate::scanners
