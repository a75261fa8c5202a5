// Bounded raw-deflate decompression of one ZIP member (zip bombs stop early).
#pragma once

#include <cstdint>
#include <string>

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

enum class InflateOutcome {
  kOk,            // the stream ended; *out holds all of it
  kTooLarge,      // output would exceed max_member_bytes
  kBomb,          // output/input ratio above max_compression_ratio
  kBudget,        // the per-file decompression budget ran out (ctx already undecided)
  kCorrupt,       // not a valid deflate stream, or it ends before its final block
  kIoError,
};

// Inflates the raw deflate stream in src[offset, offset+length) into *out.
// Output is charged to ctx.ChargeDecompressed() as it is produced and never
// exceeds ctx.limits().max_member_bytes; the ratio bound applies once the
// output passes 1 MiB, so tiny highly compressible members are not bombs.
// *detail explains anything but kOk.
InflateOutcome InflateMember(const ByteSource& src, uint64_t offset, uint64_t length,
                             ScanContext& ctx, std::string* out, std::string* detail);

}  // namespace modelgate::scanners
