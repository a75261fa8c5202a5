// SafeTensors: validates the header completely, reading only the header.
//
// Layout: u64 little-endian header length N, N bytes of UTF-8 JSON, then the
// data section. The header maps tensor names to {dtype, shape, data_offsets}
// (offsets relative to the data section) plus an optional "__metadata__"
// object of string values. The checks follow the reference Rust crate
// (huggingface/safetensors), which refuses files a lenient parser may load.
#pragma once

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Validates the header of `src`; costs O(header size) whatever the file size.
//
// Outcome, reported through `ctx`:
//  - nothing added: every tensor is well-formed and the tensors tile the data
//    section exactly (no overlap, no gap, nothing past the end or left over);
//    facts "safetensors_tensors", "safetensors_parameters" and
//    "safetensors_dtypes" (sorted, comma-separated) are recorded.
//  - Undecide(reason): a loader would reject the file (bad length, JSON,
//    UTF-8, dtype, shape, offsets, layout, over max_safetensors_header or
//    max_json_depth). The reason names the tensor and the rule broken.
//  - finding "safetensors/duplicate-key" (high): a key occurs twice in one
//    JSON object, so parsers disagree on which tensor or metadata is meant.
void AnalyzeSafeTensors(const ByteSource& src, ScanContext& ctx);

}  // namespace modelgate::scanners
