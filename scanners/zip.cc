#include "scanners/zip.h"

#include <zlib.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string_view>

#include "scanners/archive_paths.h"
#include "scanners/archive_stream.h"
#include "scanners/dispatch.h"
#include "scanners/format.h"
#include "scanners/keras.h"
#include "scanners/pickle.h"
#include "scanners/zip_directory.h"
#include "scanners/zip_inflate.h"

namespace modelgate::scanners {
namespace {

constexpr uint16_t kFlagEncrypted = 0x0001;
constexpr uint16_t kFlagStrongEncryption = 0x0040;
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kMethodDeflate = 8;
constexpr uint16_t kMethodBzip2 = 12;
constexpr uint16_t kMethodZstd = 93;
constexpr uint16_t kMethodXz = 95;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}
// How the member set says the archive will be loaded.
struct Layout {
  Format format = Format::kZip;
  std::string torch_root;  // "archive/" for a torch.save zip
};

Layout DetectLayout(const std::vector<ZipEntry>& entries) {
  Layout layout;
  std::set<std::string_view> names;
  for (const ZipEntry& e : entries) names.insert(e.name);
  auto has_prefix = [&names](const std::string& prefix) {
    auto it = names.lower_bound(prefix);
    return it != names.end() && StartsWith(*it, prefix);
  };
  // torch.save: <root>/data.pkl plus <root>/data/N storages or <root>/version.
  // Sorted-set lookups keep this linear-logarithmic in hostile member counts.
  for (const ZipEntry& e : entries) {
    if (!EndsWith(e.name, "/data.pkl")) continue;
    std::string root = e.name.substr(0, e.name.size() - std::string_view("data.pkl").size());
    if (has_prefix(root + "data/") || names.count(root + "version") ||
        names.count(root + ".data/version")) {
      layout.format = Format::kPyTorchZip;
      layout.torch_root = root;
      return layout;
    }
  }
  if (names.count("config.json") && names.count("metadata.json")) {
    layout.format = Format::kKeras;
    return layout;
  }
  bool all_npy = !entries.empty();
  for (const ZipEntry& e : entries) all_npy = all_npy && EndsWith(e.name, ".npy");
  if (all_npy) layout.format = Format::kNpz;
  return layout;
}

// CRC-32 of src[offset, offset+length), streamed so stored members are never
// copied whole. Returns false on a read error or short data.
bool Crc32Of(const ByteSource& src, uint64_t offset, uint64_t length, uint32_t* crc) {
  uLong c = crc32(0L, Z_NULL, 0);
  std::string chunk;
  for (uint64_t done = 0; done < length;) {
    uint64_t n = std::min<uint64_t>(1 << 20, length - done);
    if (!src.ReadAt(offset + done, n, &chunk) || chunk.size() != n) return false;
    c = crc32(c, reinterpret_cast<const Bytef*>(chunk.data()), static_cast<uInt>(n));
    done += n;
  }
  *crc = static_cast<uint32_t>(c);
  return true;
}

// The bytes of one member, either a window of the archive (stored) or an
// inflated copy. Null with ctx undecided when they cannot be had.
std::unique_ptr<ByteSource> OpenMember(const ByteSource& src, const ZipEntry& e,
                                       uint64_t data_offset, ScanContext& mctx) {
  const ScanLimits& lim = mctx.limits();
  if (data_offset > src.size() || e.compressed_size > src.size() - data_offset) {
    mctx.Undecide("member data runs past the end of the archive");
    return nullptr;
  }
  if (e.method == kMethodStored) {
    if (e.compressed_size != e.uncompressed_size) {
      mctx.Add("zip/size-mismatch", Severity::kMedium,
               "stored member declares " + std::to_string(e.compressed_size) +
                   " compressed but " + std::to_string(e.uncompressed_size) +
                   " uncompressed bytes");
    }
    if (e.compressed_size <= lim.max_member_bytes) {
      uint32_t crc = 0;
      if (!Crc32Of(src, data_offset, e.compressed_size, &crc)) {
        mctx.Undecide("read error");
        return nullptr;
      }
      if (crc != e.crc32) {
        mctx.Add("zip/bad-crc", Severity::kHigh,
                 "CRC-32 mismatch: zipfile-based tools refuse this member, PyTorch reads it");
      }
    }
    return std::make_unique<SliceSource>(src, data_offset, e.compressed_size);
  }
  // zipfile (numpy's npz loader) also reads bzip2 and, in newer Pythons,
  // xz/zstd members; those are bare streams libarchive decompresses. LZMA (14)
  // has a ZIP-specific header and stays undecided, as do the rest.
  bool libarchive_method = e.method == kMethodBzip2 || e.method == kMethodXz ||
                           e.method == kMethodZstd;
  if (e.method != kMethodDeflate && !libarchive_method) {
    mctx.Undecide("unsupported compression method " + std::to_string(e.method) +
                  " (PyTorch reads only stored and deflate)");
    return nullptr;
  }
  if (e.uncompressed_size > lim.max_member_bytes) {
    mctx.Undecide("member declares " + std::to_string(e.uncompressed_size) +
                  " bytes, above the bound of " + std::to_string(lim.max_member_bytes));
    return nullptr;
  }
  std::string out, detail;
  InflateOutcome rc;
  if (libarchive_method) {
    SliceSource packed(src, data_offset, e.compressed_size);
    rc = DecompressStream(packed, mctx, &out, &detail);
  } else {
    rc = InflateMember(src, data_offset, e.compressed_size, mctx, &out, &detail);
  }
  if (rc == InflateOutcome::kBudget) return nullptr;  // ChargeDecompressed undecided it
  if (rc != InflateOutcome::kOk) {
    mctx.Undecide(detail);
    return nullptr;
  }
  if (out.size() != e.uncompressed_size) {
    mctx.Add("zip/size-mismatch", Severity::kMedium,
             "member declares " + std::to_string(e.uncompressed_size) + " bytes but inflates to " +
                 std::to_string(out.size()));
  }
  uint32_t crc =
      static_cast<uint32_t>(crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(out.data()),
                                  static_cast<uInt>(out.size())));
  if (crc != e.crc32) {
    mctx.Add("zip/bad-crc", Severity::kHigh,
             "CRC-32 mismatch: zipfile-based tools refuse this member, PyTorch reads it");
  }
  return std::make_unique<MemorySource>(std::move(out));
}

// Keras v3: config.json carries the model graph, audited by keras.cc.
void AuditKerasMember(const ByteSource& member, ScanContext& mctx) {
  if (member.size() > mctx.limits().max_json_bytes) {
    mctx.Undecide("config.json larger than " + std::to_string(mctx.limits().max_json_bytes) +
                  " bytes");
    return;
  }
  std::string json;
  if (!member.ReadAt(0, member.size(), &json)) {
    mctx.Undecide("read error");
    return;
  }
  AuditKerasConfig(json, mctx);
}

// Analyzes one member's bytes the way a loader would meet them.
void AnalyzeMember(const ByteSource& member, const ZipEntry& e, const Layout& layout,
                   ScanContext& mctx) {
  Format sniffed = SniffFormat(member);
  bool torch_storage = layout.format == Format::kPyTorchZip &&
                       StartsWith(e.name, layout.torch_root + "data/");
  if (torch_storage) {
    // torch.load copies storages as raw bytes and never unpickles them; only
    // a stream a pickle loader would accept is worth a look (and a finding).
    if (!ProbePickle(member, mctx.limits())) return;
    mctx.Add("zip/hidden-pickle", Severity::kMedium,
             "tensor storage member is a complete pickle stream");
  } else if (sniffed == Format::kPickle && !EndsWith(e.name, ".pkl")) {
    mctx.Add("zip/hidden-pickle", Severity::kMedium,
             "member is a pickle although its name does not end in .pkl");
  }
  AnalyzeBlob(member, MemberBaseName(e.name), mctx);
  if (layout.format == Format::kKeras && e.name == "config.json") AuditKerasMember(member, mctx);
}

// Findings about the archive as a whole (not one member).
void ReportDirectoryAnomalies(const ZipDirectory& dir, const ByteSource& src, ScanContext& ctx) {
  if (dir.prefix_bytes > 0) {
    ctx.Add("zip/leading-data", Severity::kMedium,
            std::to_string(dir.prefix_bytes) +
                " bytes precede the archive; readers that start at byte 0 see something else");
  }
  if (dir.trailing_bytes != 0) {
    ctx.Add("zip/trailing-data", Severity::kLow,
            "end-of-directory comment length disagrees with the file end by " +
                std::to_string(dir.trailing_bytes) + " bytes");
  }
  if (dir.alternative_directories > 0) {
    ctx.Add("zip/ambiguous-directory", Severity::kHigh,
            std::to_string(dir.alternative_directories + 1) +
                " end records lead to different central directories; readers disagree on the "
                "member list");
  }
  if (dir.declared_entries != dir.entries.size()) {
    ctx.Add("zip/entry-count-mismatch", Severity::kMedium,
            "end record declares " + std::to_string(dir.declared_entries) +
                " members, the central directory holds " + std::to_string(dir.entries.size()));
  }
  (void)src;
}

struct Extent {
  uint64_t begin, end;
  const ZipEntry* entry;
};

void ReportOverlaps(std::vector<Extent> extents, ScanContext& ctx) {
  std::sort(extents.begin(), extents.end(),
            [](const Extent& a, const Extent& b) { return a.begin < b.begin; });
  uint64_t overlaps = 0;
  std::string example;
  uint64_t reach = 0;
  const ZipEntry* reach_entry = nullptr;
  for (const Extent& x : extents) {
    if (reach_entry != nullptr && x.begin < reach) {
      if (overlaps++ == 0) example = "'" + x.entry->name + "' overlaps '" + reach_entry->name + "'";
    }
    if (reach_entry == nullptr || x.end > reach) {
      reach = x.end;
      reach_entry = x.entry;
    }
  }
  if (overlaps > 0) {
    ctx.Add("zip/overlapping-members", Severity::kHigh,
            std::to_string(overlaps) + " member(s) share bytes with another (" + example +
                "): a zip bomb or an evasion");
  }
}

}  // namespace

void AnalyzeZip(const ByteSource& src, ScanContext& ctx) {
  Result<ZipDirectory> read = ReadZipDirectory(src, ctx.limits().max_archive_members);
  if (!read.ok()) {
    ctx.Undecide("unreadable ZIP archive: " + read.status().message());
    return;
  }
  const ZipDirectory& dir = read.value();
  ReportDirectoryAnomalies(dir, src, ctx);
  Layout layout = DetectLayout(dir.entries);
  ctx.SetFormat(layout.format);

  std::map<std::string, int> seen;
  std::vector<Extent> extents;
  std::vector<const ZipEntry*> all;
  for (const ZipEntry& e : dir.entries) all.push_back(&e);
  for (const ZipEntry& e : dir.alternative_entries) all.push_back(&e);
  for (const ZipEntry* ep : all) {
    const ZipEntry& e = *ep;
    int copy = ++seen[e.name];
    std::string display = copy == 1 ? e.name : e.name + " (copy " + std::to_string(copy) + ")";
    ScanContext mctx = ctx.Child(display);
    if (copy == 2) {
      mctx.Add("zip/duplicate-name", Severity::kHigh,
               "member name appears more than once; zipfile takes the last copy, other readers "
               "the first: every copy is analyzed");
    }
    if (PathEscapesRoot(e.name)) {
      mctx.Add("zip/path-traversal", Severity::kMedium,
               "member path is absolute or contains '..'");
    }
    if (e.flags & (kFlagEncrypted | kFlagStrongEncryption)) {
      mctx.Add("zip/encrypted-flag", Severity::kHigh,
               "encryption flag set: zipfile-based scanners skip the member, PyTorch ignores the "
               "flag and reads it as plaintext");
    }
    Result<ZipLocalHeader> local = ReadZipLocalHeader(src, e);
    if (!local.ok()) {
      mctx.Undecide(local.status().message());
      continue;
    }
    if (local->name != e.name) {
      mctx.Add("zip/name-mismatch", Severity::kHigh,
               "local header names the member '" + local->name +
                   "'; PyTorch uses the central directory name, zipfile refuses the archive");
    }
    if (local->method != e.method ||
        (local->flags & kFlagEncrypted) != (e.flags & kFlagEncrypted)) {
      mctx.Add("zip/header-mismatch", Severity::kMedium,
               "local header and central directory disagree on compression method or encryption");
    }
    uint64_t data_end = e.compressed_size > UINT64_MAX - local->data_offset
                            ? UINT64_MAX
                            : local->data_offset + e.compressed_size;
    extents.push_back({e.local_header_offset, data_end, &e});
    if (EndsWith(e.name, "/") && e.uncompressed_size == 0) continue;  // directory entry
    std::unique_ptr<ByteSource> member = OpenMember(src, e, local->data_offset, mctx);
    if (member) AnalyzeMember(*member, e, layout, mctx);
  }
  ReportOverlaps(std::move(extents), ctx);
}

bool HasZipTrailer(const ByteSource& src) {
  std::string head;
  if (!src.ReadAt(0, 4, &head)) return false;
  // Archives that start as a ZIP are read as one by every loader.
  if (head == std::string_view("PK\x03\x04", 4) || head == std::string_view("PK\x05\x06", 4) ||
      head == std::string_view("PK\x07\x08", 4)) {
    return false;
  }
  // Cheap bound: a central directory is walked at most once per candidate.
  Result<ZipDirectory> dir = ReadZipDirectory(src, ScanLimits().max_archive_members);
  if (!dir.ok()) return false;
  // A ZIP stored as the last member of a tar is followed by the tar's zero
  // padding; only a ZIP that ends the file is one that zipfile-based tools
  // would read instead of the tar.
  if (SniffFormat(src) == Format::kTar && dir->trailing_bytes != 0) return false;
  return true;
}

}  // namespace modelgate::scanners
