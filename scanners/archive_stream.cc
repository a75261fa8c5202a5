#include "scanners/archive_stream.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>

#include "scanners/archive_io.h"

namespace modelgate::scanners {
namespace {
constexpr size_t kChunk = 64 * 1024;
constexpr uint64_t kRatioFloor = 1 << 20;
}  // namespace

InflateOutcome DecompressStream(const ByteSource& src, ScanContext& ctx, std::string* out,
                                std::string* detail) {
  out->clear();
  const ScanLimits& lim = ctx.limits();
  ArchiveReadPtr holder(archive_read_new());
  struct archive* a = holder.get();
  if (a == nullptr) {
    *detail = "libarchive initialisation failed";
    return InflateOutcome::kIoError;
  }
  archive_read_support_filter_all(a);
  archive_read_support_format_raw(a);
  SourceCursor cursor;
  cursor.src = &src;
  struct archive_entry* entry = nullptr;
  if (OpenArchiveOnSource(a, &cursor) != ARCHIVE_OK ||
      archive_read_next_header(a, &entry) != ARCHIVE_OK) {
    *detail = "cannot decompress member: " + ArchiveError(a);
    return InflateOutcome::kCorrupt;
  }
  // Filters are counted with the final pass-through: exactly one real filter.
  if (archive_filter_count(a) != 2) {
    *detail = archive_filter_count(a) < 2 ? "member data is not a compressed stream"
                                          : "member nests several compression layers";
    return InflateOutcome::kCorrupt;
  }
  char buf[kChunk];
  while (true) {
    la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
    if (n == 0) return InflateOutcome::kOk;
    if (n < 0) {
      *detail = "cannot decompress member: " + ArchiveError(a);
      return InflateOutcome::kCorrupt;
    }
    uint64_t got = static_cast<uint64_t>(n);
    if (out->size() + got > lim.max_member_bytes) {
      *detail = "member decompresses to more than " + std::to_string(lim.max_member_bytes) + " bytes";
      return InflateOutcome::kTooLarge;
    }
    if (!ctx.ChargeDecompressed(got)) {
      *detail = "decompression budget exhausted";
      return InflateOutcome::kBudget;
    }
    out->append(buf, got);
    if (out->size() > kRatioFloor &&
        out->size() / std::max<uint64_t>(cursor.pos, 1) > lim.max_compression_ratio) {
      *detail = "compression ratio above " + std::to_string(lim.max_compression_ratio) +
                ":1 (possible zip bomb)";
      return InflateOutcome::kBomb;
    }
  }
}

}  // namespace modelgate::scanners
