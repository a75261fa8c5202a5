// Transparency-log checkpoints in the signed-note format
// (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), as Rekor v1 and v2 emit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "scanners/signing/trusted_root.h"
#include "scanners/status.h"

namespace modelgate::signing {

struct Checkpoint {
  std::string origin;
  int64_t tree_size = 0;
  std::string root_hash;  // raw
};

// Parses `note` and accepts it when at least one signature line is by `log`:
// its key hint equals the first 4 bytes of the log id, its name equals the
// origin (or the origin's host part before " - ", Rekor v1 style) and the
// signature verifies with the log key over the note body. Other lines
// (witness cosignatures, other keys) are ignored. Errors: missing origin,
// size or root hash, no signature, or no valid signature by `log`.
Result<Checkpoint> VerifyCheckpoint(std::string_view note, const LogKey& log);

}  // namespace modelgate::signing
