// Parses an ONNX ModelProto and reports external-data paths that escape the model.
#pragma once

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Parses an ONNX ModelProto and reports external-data paths that escape the model.
void AnalyzeOnnx(const ByteSource& src, ScanContext& ctx);

}  // namespace modelgate::scanners
