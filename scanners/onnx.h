// ONNX ModelProto: parsed with a bounded protobuf wire reader (no generated
// code) to find what a runtime would fetch or load besides the model bytes.
//
// Rule ids (docs/rules/formats.md):
//   onnx/external-data-path  high    a tensor's external data location is absolute, uses '..'
//                                    or otherwise escapes the model directory
//   onnx/custom-op-domain    medium  operators from a domain outside the ONNX standard (needs a
//                                    custom-op library); low for com.microsoft (built into
//                                    onnxruntime)
#pragma once

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Walks the model's graphs (initializers, sparse initializers, node attribute
// tensors and subgraphs, training-info graphs, functions) without reading
// tensor data. Records facts "onnx_external_data" (number of tensors stored
// outside the file) and "onnx_external_files" (their distinct locations,
// first few). Malformed protobuf, or subgraphs nested deeper than 32:
// Undecide.
void AnalyzeOnnx(const ByteSource& src, ScanContext& ctx);

}  // namespace modelgate::scanners
