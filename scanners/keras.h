// Keras model configs: the Keras v3 config.json (inside .keras zips, or
// unpacked next to model.weights.h5 on a hub) and the model_config attribute
// of legacy .h5 files. Loading a config deserialises layers and functions it
// names, so a Lambda layer or a custom module is code execution.
//
// Rule ids (docs/rules/formats.md):
//   keras/lambda-layer        critical  Lambda layer / __lambda__ function (marshalled bytecode)
//   keras/dangerous-module    critical  object from os, subprocess, builtins, ... modules
//   keras/custom-object       high      object from a module outside keras (custom code)
//   keras/dangerous-function  high      keras utility that fetches or loads files (get_file)
#pragma once

#include <string_view>

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Legacy Keras .h5 (HDF5). There is no HDF5 parser here: the probe looks in
// the first ScanLimits::max_json_bytes bytes for the "model_config" attribute
// and a JSON object near it, and audits that with AuditKerasConfig. When none
// is found the file is Undecide("HDF5 contents not analysed ...") - never
// clean. Weight datasets are not examined (they hold numbers, not code).
void AnalyzeHdf5(const ByteSource& src, ScanContext& ctx);

// Audits a Keras model config (v3 config.json or legacy model_config JSON)
// for Lambda layers and objects deserialised from non-Keras modules. Each
// rule is reported once with the number of occurrences and the first layer.
// Malformed JSON or JSON nested deeper than max_json_depth: Undecide.
void AuditKerasConfig(std::string_view config_json, ScanContext& ctx);

}  // namespace modelgate::scanners
