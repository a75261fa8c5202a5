#include "scanners/zip_directory.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "scanners/reader.h"

namespace modelgate::scanners {
namespace {

constexpr uint32_t kEocdSig = 0x06054b50;
constexpr uint32_t kEocd64Sig = 0x06064b50;
constexpr uint32_t kLocator64Sig = 0x07064b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint64_t kEocdSize = 22;
constexpr uint64_t kLocatorSize = 20;
constexpr uint64_t kEocd64Size = 56;
constexpr uint64_t kMaxComment = 65535;
// Alternative end records are only probed, never trusted blindly; a handful
// is enough to notice a comment that hides a second directory.
constexpr int kMaxCandidates = 8;

// What an end record (plus its ZIP64 companion) says.
struct EndRecord {
  uint64_t record_offset = 0;  // where the central directory ends (EOCD or ZIP64 EOCD)
  uint64_t entries = 0;
  uint64_t cd_size = 0;
  uint64_t cd_offset = 0;      // as declared (relative to the archive start)
  uint16_t comment_len = 0;
  bool zip64 = false;
};

Result<EndRecord> ReadEndRecord(const ByteSource& src, uint64_t eocd) {
  Reader r(src, eocd, eocd + kEocdSize);
  uint32_t sig;
  uint16_t disk, cd_disk, entries_disk, entries, comment_len;
  uint32_t cd_size, cd_offset;
  if (!r.U32LE(&sig) || sig != kEocdSig || !r.U16LE(&disk) || !r.U16LE(&cd_disk) ||
      !r.U16LE(&entries_disk) || !r.U16LE(&entries) || !r.U32LE(&cd_size) ||
      !r.U32LE(&cd_offset) || !r.U16LE(&comment_len)) {
    return Status::Error("truncated end of central directory record");
  }
  EndRecord e{eocd, entries, cd_size, cd_offset, comment_len, false};
  // ZIP64: zipfile reads the record right before the locator (ignoring the
  // locator's own offset field); so do we.
  if (eocd < kLocatorSize) return e;
  Reader loc(src, eocd - kLocatorSize, eocd);
  uint32_t lsig;
  if (!loc.U32LE(&lsig) || lsig != kLocator64Sig) return e;
  if (eocd < kLocatorSize + kEocd64Size) return Status::Error("ZIP64 locator without record");
  uint64_t z64 = eocd - kLocatorSize - kEocd64Size;
  Reader z(src, z64, z64 + kEocd64Size);
  uint32_t zsig, zdisk, zcd_disk;
  uint64_t rec_size, zentries_disk, zentries, zcd_size, zcd_offset;
  uint16_t made, need;
  if (!z.U32LE(&zsig) || zsig != kEocd64Sig || !z.U64LE(&rec_size) || !z.U16LE(&made) ||
      !z.U16LE(&need) || !z.U32LE(&zdisk) || !z.U32LE(&zcd_disk) || !z.U64LE(&zentries_disk) ||
      !z.U64LE(&zentries) || !z.U64LE(&zcd_size) || !z.U64LE(&zcd_offset)) {
    return Status::Error("ZIP64 end of central directory record missing or truncated");
  }
  return EndRecord{z64, zentries, zcd_size, zcd_offset, comment_len, true};
}

// Reads the ZIP64 extended-information extra field (id 1) for the fields
// whose 32-bit value is saturated, in the order the specification gives.
void ApplyZip64Extra(std::string_view extra, uint32_t usize32, uint32_t csize32, uint32_t lho32,
                     ZipEntry* e) {
  Reader r(extra);
  while (r.remaining() >= 4) {
    uint16_t id, len;
    r.U16LE(&id);
    r.U16LE(&len);
    if (len > r.remaining()) return;
    uint64_t end = r.offset() + len;
    if (id == 0x0001) {
      Reader f(extra.substr(r.offset(), len));
      uint64_t v;
      if (usize32 == 0xffffffff && f.U64LE(&v)) e->uncompressed_size = v;
      if (csize32 == 0xffffffff && f.U64LE(&v)) e->compressed_size = v;
      if (lho32 == 0xffffffff && f.U64LE(&v)) e->local_header_offset = v;
      return;
    }
    r.Seek(end);
  }
}

Result<std::vector<ZipEntry>> ReadCentralDirectory(const ByteSource& src, uint64_t cd_start,
                                                   uint64_t cd_size, uint64_t prefix,
                                                   uint64_t max_entries) {
  std::vector<ZipEntry> entries;
  Reader r(src, cd_start, cd_start + cd_size);
  if (r.remaining() != cd_size) return Status::Error("central directory runs past the end");
  // zipfile walks the directory's bytes and ignores the declared count; so do we.
  while (!r.at_end()) {
    if (entries.size() >= max_entries) {
      return Status::Error("more than " + std::to_string(max_entries) + " members");
    }
    uint32_t sig, crc, csize, usize, eattr, lho;
    uint16_t made, need, flags, method, time, date, nlen, xlen, clen, disk, iattr;
    if (!r.U32LE(&sig) || sig != kCentralSig) {
      return Status::Error("bad central directory record at offset " +
                           std::to_string(r.offset()));
    }
    if (!r.U16LE(&made) || !r.U16LE(&need) || !r.U16LE(&flags) || !r.U16LE(&method) ||
        !r.U16LE(&time) || !r.U16LE(&date) || !r.U32LE(&crc) || !r.U32LE(&csize) ||
        !r.U32LE(&usize) || !r.U16LE(&nlen) || !r.U16LE(&xlen) || !r.U16LE(&clen) ||
        !r.U16LE(&disk) || !r.U16LE(&iattr) || !r.U32LE(&eattr) || !r.U32LE(&lho)) {
      return Status::Error("truncated central directory record");
    }
    ZipEntry e;
    std::string extra, comment;
    if (!r.Bytes(nlen, &e.name) || !r.Bytes(xlen, &extra) || !r.Bytes(clen, &comment)) {
      return Status::Error("truncated central directory record");
    }
    e.flags = flags;
    e.method = method;
    e.crc32 = crc;
    e.compressed_size = csize;
    e.uncompressed_size = usize;
    e.local_header_offset = lho;
    ApplyZip64Extra(extra, usize, csize, lho, &e);
    if (e.local_header_offset > UINT64_MAX - prefix) {
      return Status::Error("local header offset overflows");
    }
    e.local_header_offset += prefix;
    entries.push_back(std::move(e));
  }
  return entries;
}

// Parses the archive an end record describes. Returns the directory with
// everything but alternative_directories filled in.
Result<ZipDirectory> ParseFrom(const ByteSource& src, uint64_t eocd, uint64_t max_entries) {
  Result<EndRecord> end = ReadEndRecord(src, eocd);
  if (!end.ok()) return end.status();
  // zipfile's arithmetic: the directory ends where the end record starts, so
  // anything before (directory start - declared offset) is a prefix.
  if (end->cd_size > end->record_offset) return Status::Error("central directory size too large");
  uint64_t cd_start = end->record_offset - end->cd_size;
  if (end->cd_offset > cd_start) return Status::Error("central directory offset past its end");
  ZipDirectory dir;
  dir.eocd_offset = eocd;
  dir.cd_offset = cd_start;
  dir.cd_size = end->cd_size;
  dir.prefix_bytes = cd_start - end->cd_offset;
  dir.zip64 = end->zip64;
  dir.declared_entries = end->entries;
  dir.trailing_bytes = static_cast<int64_t>(src.size() - eocd - kEocdSize) -
                       static_cast<int64_t>(end->comment_len);
  Result<std::vector<ZipEntry>> entries =
      ReadCentralDirectory(src, cd_start, end->cd_size, dir.prefix_bytes, max_entries);
  if (!entries.ok()) return entries.status();
  dir.entries = std::move(entries).value();
  return dir;
}

}  // namespace

Result<ZipDirectory> ReadZipDirectory(const ByteSource& src, uint64_t max_entries) {
  uint64_t size = src.size();
  if (size < kEocdSize) return Status::Error("too small to be a ZIP archive");
  uint64_t tail_len = std::min<uint64_t>(size, kEocdSize + kMaxComment);
  std::string tail;
  if (!src.ReadAt(size - tail_len, tail_len, &tail) || tail.size() != tail_len) {
    return Status::Error("read error");
  }
  static constexpr std::string_view kSig("PK\x05\x06", 4);
  std::vector<uint64_t> candidates;
  for (size_t pos = tail.rfind(kSig, tail.size() - kEocdSize); pos != std::string::npos;
       pos = pos == 0 ? std::string::npos : tail.rfind(kSig, pos - 1)) {
    candidates.push_back(size - tail_len + pos);
    if (candidates.size() >= kMaxCandidates) break;
  }
  if (candidates.empty()) return Status::Error("no end of central directory record");
  Result<ZipDirectory> chosen = Status::Error("unset");
  Status first_error;
  for (uint64_t c : candidates) {
    Result<ZipDirectory> d = ParseFrom(src, c, max_entries);
    if (!d.ok()) {
      if (first_error.ok()) first_error = d.status();
      continue;
    }
    if (!chosen.ok()) {
      chosen = std::move(d);
    } else if (d->cd_offset != chosen->cd_offset) {
      ++chosen->alternative_directories;
    }
  }
  if (!chosen.ok()) return first_error;
  if (chosen->alternative_directories == 0) return chosen;
  // Second pass only for the rare ambiguous archive: collect members the
  // other directories add.
  std::set<uint64_t> known;
  for (const ZipEntry& e : chosen->entries) known.insert(e.local_header_offset);
  for (uint64_t c : candidates) {
    if (c == chosen->eocd_offset) continue;
    Result<ZipDirectory> d = ParseFrom(src, c, max_entries);
    if (!d.ok()) continue;
    for (ZipEntry& e : d->entries) {
      if (known.insert(e.local_header_offset).second) {
        if (chosen->entries.size() + chosen->alternative_entries.size() >= max_entries) {
          return Status::Error("more than " + std::to_string(max_entries) + " members");
        }
        chosen->alternative_entries.push_back(std::move(e));
      }
    }
  }
  return chosen;
}

Result<ZipLocalHeader> ReadZipLocalHeader(const ByteSource& src, const ZipEntry& entry) {
  Reader r(src, entry.local_header_offset);
  uint32_t sig, crc, csize, usize;
  uint16_t ver, flags, method, time, date, nlen, xlen;
  if (!r.U32LE(&sig) || sig != kLocalSig) return Status::Error("local header signature missing");
  if (!r.U16LE(&ver) || !r.U16LE(&flags) || !r.U16LE(&method) || !r.U16LE(&time) ||
      !r.U16LE(&date) || !r.U32LE(&crc) || !r.U32LE(&csize) || !r.U32LE(&usize) ||
      !r.U16LE(&nlen) || !r.U16LE(&xlen)) {
    return Status::Error("truncated local header");
  }
  ZipLocalHeader h;
  if (!r.Bytes(nlen, &h.name) || !r.Skip(xlen)) return Status::Error("truncated local header");
  h.flags = flags;
  h.method = method;
  h.data_offset = r.offset();
  return h;
}

}  // namespace modelgate::scanners
