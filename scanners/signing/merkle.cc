#include "scanners/signing/merkle.h"

#include "scanners/hashing.h"

namespace modelgate::signing {

std::string MerkleLeafHash(std::string_view leaf) {
  std::string buf(1, '\0');
  buf.append(leaf);
  return scanners::Sha256Raw(buf);
}

Status VerifyInclusion(std::string_view leaf_hash, int64_t index, int64_t tree_size,
                       const std::vector<std::string>& proof, std::string_view root_hash) {
  if (index < 0 || tree_size <= 0 || index >= tree_size)
    return Status::Error("inclusion proof index " + std::to_string(index) + " is outside the tree of size " +
                         std::to_string(tree_size));
  uint64_t fn = static_cast<uint64_t>(index), sn = static_cast<uint64_t>(tree_size) - 1;
  std::string r(leaf_hash);
  for (const auto& p : proof) {
    if (p.size() != 32) return Status::Error("inclusion proof hash has the wrong length");
    if (sn == 0) return Status::Error("inclusion proof is longer than the tree is deep");
    std::string buf(1, '\x01');
    if ((fn & 1) || fn == sn) {
      buf += p;
      buf += r;
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      buf += r;
      buf += p;
    }
    r = scanners::Sha256Raw(buf);
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::Error("inclusion proof is shorter than the tree is deep");
  if (r != root_hash) return Status::Error("inclusion proof does not lead to the root hash");
  return Status::Ok();
}

}  // namespace modelgate::signing
