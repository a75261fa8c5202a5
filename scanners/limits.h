// Resource bounds for scanning hostile input. Hitting any bound makes the
// affected file "undecided", never clean.
#pragma once

#include <cstdint>

namespace modelgate::scanners {

struct ScanLimits {
  // Deepest archive nesting followed (zip in tar in gzip ... counts each level).
  int max_archive_depth = 4;
  // Largest archive member (after decompression) read into memory for analysis.
  uint64_t max_member_bytes = 256ull << 20;
  // Total bytes decompressed from all archives of one top-level file (zip bombs).
  uint64_t max_total_decompressed = 2ull << 30;
  // Most members analysed in one archive.
  uint64_t max_archive_members = 100000;
  // Decompressed/compressed ratio above which a member counts as a bomb.
  uint64_t max_compression_ratio = 1000;
  // Largest pickle stream simulated.
  uint64_t max_pickle_bytes = 512ull << 20;
  // Pickle VM: deepest stack, most memo entries, most objects built.
  uint64_t max_pickle_stack = 1'000'000;
  uint64_t max_pickle_memo = 1'000'000;
  uint64_t max_pickle_ops = 100'000'000;
  // SafeTensors header size (the format itself caps it at 100 MB).
  uint64_t max_safetensors_header = 100ull << 20;
  // GGUF: most metadata keys, tensors, and longest string / array.
  uint64_t max_gguf_kv = 1'000'000;
  uint64_t max_gguf_tensors = 1'000'000;
  uint64_t max_gguf_string = 64ull << 20;
  uint64_t max_gguf_array = 64ull << 20;
  // Largest JSON/text file parsed (config.json, tokenizer_config.json, ...).
  uint64_t max_json_bytes = 64ull << 20;
  // Deepest JSON nesting accepted.
  int max_json_depth = 256;
};

}  // namespace modelgate::scanners
