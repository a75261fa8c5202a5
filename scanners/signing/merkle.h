// RFC 6962 / RFC 9162 Merkle tree hashing and inclusion proofs (SHA-256).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scanners/status.h"

namespace modelgate::signing {

// SHA-256(0x00 || leaf): the hash of one log entry.
std::string MerkleLeafHash(std::string_view leaf);

// Recomputes the root from `leaf_hash` at `index` in a tree of `tree_size`
// leaves with the audit path `proof` (RFC 9162 section 2.1.3.2) and compares
// it with `root_hash`. Error says which check failed.
Status VerifyInclusion(std::string_view leaf_hash, int64_t index, int64_t tree_size,
                       const std::vector<std::string>& proof, std::string_view root_hash);

}  // namespace modelgate::signing
