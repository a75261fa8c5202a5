#include "scanners/archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>

#include "scanners/archive_io.h"
#include "scanners/archive_paths.h"
#include "scanners/dispatch.h"

namespace modelgate::scanners {
namespace {

constexpr size_t kChunk = 64 * 1024;
constexpr uint64_t kRatioFloor = 1 << 20;

// Everything one archive walk shares.
struct Walk {
  struct archive* a;
  SourceCursor* cursor;
  Format format;
  ScanContext* ctx;
  uint64_t produced = 0;  // uncompressed bytes handed to us so far
  bool compressed;        // data costs decompression (everything but plain tar)
};

enum class DataOutcome { kOk, kTooLarge, kStop };

// Reads the current entry's data into *out (up to max_member_bytes). Past
// the bound the data is drained (charged, not kept) so the next member can
// still be reached. kStop: the archive cannot be read further.
DataOutcome ReadEntryData(Walk& w, ScanContext& mctx, std::string* out) {
  const ScanLimits& lim = w.ctx->limits();
  out->clear();
  bool too_large = false;
  char buf[kChunk];
  while (true) {
    la_ssize_t n = archive_read_data(w.a, buf, sizeof(buf));
    if (n == 0) break;
    if (n < 0) {
      mctx.Undecide("cannot read member data: " + ArchiveError(w.a));
      return DataOutcome::kStop;
    }
    w.produced += static_cast<uint64_t>(n);
    if (w.compressed) {
      if (!mctx.ChargeDecompressed(static_cast<uint64_t>(n))) return DataOutcome::kStop;
      if (w.produced > kRatioFloor &&
          w.produced / std::max<uint64_t>(w.cursor->pos, 1) > lim.max_compression_ratio) {
        mctx.Undecide("compression ratio above " + std::to_string(lim.max_compression_ratio) +
                      ":1 (possible archive bomb)");
        return DataOutcome::kStop;
      }
    }
    if (too_large) continue;
    if (out->size() + static_cast<uint64_t>(n) > lim.max_member_bytes) {
      too_large = true;
      out->clear();
      out->shrink_to_fit();
      continue;
    }
    out->append(buf, static_cast<size_t>(n));
  }
  return too_large ? DataOutcome::kTooLarge : DataOutcome::kOk;
}

// For an uncompressed tar the member's bytes sit contiguously in the source:
// return their offset so big members are analyzed in place. Verified against
// the first bytes libarchive hands out; false when they differ.
bool PlainTarDataOffset(Walk& w, struct archive_entry* entry, uint64_t* offset) {
  if (w.compressed || !archive_entry_size_is_set(entry) || archive_entry_sparse_count(entry) > 0) {
    return false;
  }
  *offset = static_cast<uint64_t>(archive_filter_bytes(w.a, 0));
  return true;
}

void AnalyzeEntry(Walk& w, struct archive_entry* entry, std::set<std::string>* names, bool* stop) {
  ScanContext& ctx = *w.ctx;
  bool raw = archive_format(w.a) == ARCHIVE_FORMAT_RAW;
  const char* p = archive_entry_pathname(entry);
  std::string name = raw ? "<decompressed>" : (p ? p : "<unnamed>");
  names->insert(name);
  ScanContext mctx = ctx.Child(name);
  if (!raw && PathEscapesRoot(name)) {
    mctx.Add("archive/path-traversal", Severity::kMedium, "member path is absolute or contains '..'");
  }
  mode_t type = archive_entry_filetype(entry);
  if (!raw && type != AE_IFREG) {
    const char* target = archive_entry_symlink(entry);
    if (!target) target = archive_entry_hardlink(entry);
    if (target && PathEscapesRoot(target)) {
      mctx.Add("archive/link-escape", Severity::kMedium,
               std::string("link points outside the archive: ") + target);
    }
    return;  // directories, links, devices carry no bytes of their own
  }
  uint64_t offset = 0;
  if (PlainTarDataOffset(w, entry, &offset)) {
    uint64_t size = static_cast<uint64_t>(archive_entry_size(entry));
    SliceSource member(*w.cursor->src, offset, size);
    std::string first, check;
    la_ssize_t n = archive_read_data(w.a, first.assign(512, '\0').data(), 512);
    if (n >= 0 && member.ReadAt(0, static_cast<uint64_t>(n), &check) &&
        check == std::string_view(first.data(), static_cast<size_t>(n)) && member.size() == size) {
      AnalyzeBlob(member, MemberBaseName(name), mctx);
      return;  // libarchive skips the rest of the data on the next header
    }
    mctx.Undecide("tar member data is not where the header says");
    return;
  }
  std::string data;
  DataOutcome rc = ReadEntryData(w, mctx, &data);
  if (rc == DataOutcome::kStop) {
    *stop = true;
    return;
  }
  if (rc == DataOutcome::kTooLarge) {
    mctx.Undecide("member larger than " + std::to_string(ctx.limits().max_member_bytes) + " bytes");
    return;
  }
  MemorySource member(std::move(data));
  AnalyzeBlob(member, MemberBaseName(name), mctx);
}

void ConfigureFormats(struct archive* a, Format format) {
  archive_read_support_filter_all(a);
  switch (format) {
    case Format::kSevenZip:
      archive_read_support_format_7zip(a);
      break;
    case Format::kTar:
    case Format::kPyTorchTar:
      archive_read_support_format_tar(a);
      break;
    default:
      // A compressed stream: a tarball inside, or else one raw member.
      archive_read_support_format_tar(a);
      archive_read_support_format_raw(a);
      break;
  }
}

}  // namespace

void AnalyzeArchive(const ByteSource& src, Format format, ScanContext& ctx) {
  ArchiveReadPtr holder(archive_read_new());
  struct archive* a = holder.get();
  if (a == nullptr) {
    ctx.Undecide("libarchive initialisation failed");
    return;
  }
  ConfigureFormats(a, format);
  SourceCursor cursor;
  cursor.src = &src;
  if (OpenArchiveOnSource(a, &cursor) != ARCHIVE_OK) {
    ctx.Undecide("unreadable " + std::string(FormatName(format)) + " archive: " + ArchiveError(a));
    return;
  }
  Walk w{a, &cursor, format, &ctx, 0, format != Format::kTar && format != Format::kPyTorchTar};
  std::set<std::string> names;
  uint64_t members = 0;
  bool stop = false;
  while (!stop) {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      ctx.Undecide("unreadable " + std::string(FormatName(format)) + " archive: " + ArchiveError(a));
      break;
    }
    // libarchive stacks filters by itself (gzip inside gzip inside xz...):
    // each extra filter is one more nesting level.
    int stacked = std::max(archive_filter_count(a) - 2, 0);
    if (ctx.depth() + stacked > ctx.limits().max_archive_depth) {
      ctx.Undecide("archive nesting deeper than " +
                   std::to_string(ctx.limits().max_archive_depth) + " levels (" +
                   std::to_string(stacked + 1) + " stacked compression layers)");
      break;
    }
    if (++members > ctx.limits().max_archive_members) {
      ctx.Undecide("more than " + std::to_string(ctx.limits().max_archive_members) + " members");
      break;
    }
    AnalyzeEntry(w, entry, &names, &stop);
  }
  // torch.save before 1.6: a tar of sys_info, pickle, storages, tensors.
  // (A compressed tarball keeps its outer format, e.g. gzip.)
  if (names.count("pickle") && names.count("storages") && names.count("tensors")) {
    ctx.SetFormat(Format::kPyTorchTar);
  }
}

}  // namespace modelgate::scanners
