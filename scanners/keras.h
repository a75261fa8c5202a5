// Keras .h5 (HDF5) and .keras (zip) model-config checks.
#pragma once

#include <string_view>

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Keras .h5 (HDF5) and .keras (zip) model-config checks.
void AnalyzeHdf5(const ByteSource& src, ScanContext& ctx);

// Audits a Keras v3 `config.json` (the .keras zip's model config) for Lambda
// layers and other deserialization of arbitrary code.
void AuditKerasConfig(std::string_view config_json, ScanContext& ctx);

}  // namespace modelgate::scanners
