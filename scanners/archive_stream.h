// Decompression of one bare compressed stream (bzip2, xz, zstd, gzip, ...)
// through libarchive's filters, within the scan bounds. Used for ZIP members
// stored with methods other than deflate.
#pragma once

#include <string>

#include "scanners/context.h"
#include "scanners/source.h"
#include "scanners/zip_inflate.h"

namespace modelgate::scanners {

// Decompresses `src`, which must be exactly one compressed stream that
// libarchive recognises by its magic, into *out. Same bounds and outcomes as
// InflateMember (max_member_bytes, max_compression_ratio past 1 MiB, the
// ctx.ChargeDecompressed budget). kCorrupt also covers "not a compressed
// stream libarchive knows" and streams that nest a second compression layer.
InflateOutcome DecompressStream(const ByteSource& src, ScanContext& ctx, std::string* out,
                                std::string* detail);

}  // namespace modelgate::scanners
