// GGUF (llama.cpp) v2/v3: header, metadata key/values and tensor infos are
// parsed and checked; tensor data is never read.
#pragma once

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Parses the metadata of `src` and audits every chat template it holds
// ("tokenizer.chat_template" and "tokenizer.chat_template.<name>") with
// AuditChatTemplate. Cost is proportional to the metadata, not the tensors.
//
// Outcome, through `ctx`:
//  - template findings (template/*), fact "<key>_sha256" per template;
//  - finding "gguf/duplicate-key" (high): a metadata key repeats, so readers
//    disagree on its value (e.g. which chat template runs);
//  - Undecide(reason): v1 or unknown version, big-endian, truncated, a value
//    type, ggml tensor type or count the scanner does not know or that is
//    over ScanLimits::max_gguf_*, bad general.alignment, tensor dims or
//    offsets a loader would reject (misaligned, out of order, past the end);
//  - facts "gguf_version", "gguf_kv", "gguf_tensors", "gguf_architecture".
void AnalyzeGguf(const ByteSource& src, ScanContext& ctx);

}  // namespace modelgate::scanners
