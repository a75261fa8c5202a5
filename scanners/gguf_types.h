// ggml tensor types as stored in GGUF tensor infos: block size and bytes per
// block, to compute a tensor's byte size without reading its data.
#pragma once

#include <cstdint>
#include <optional>

namespace modelgate::scanners {

struct GgmlTypeInfo {
  const char* name;
  uint64_t block_size;  // elements per block (1 for plain types)
  uint64_t type_size;   // bytes per block
};

// Layout of ggml type id `type` (ggml.h enum ggml_type, up to MXFP4 = 39);
// nullopt for ids never assigned or since removed (4, 5, 31-33, 36-38) and
// anything newer, which the scanner cannot size.
std::optional<GgmlTypeInfo> GgmlType(uint32_t type);

}  // namespace modelgate::scanners
