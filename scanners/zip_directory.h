// ZipDirectory: the central directory of a ZIP archive, located the way
// Python's zipfile does it (end record searched backwards from the end of the
// file, ZIP64 records honoured, leading bytes before the archive tolerated).
// Pure parsing: no findings, no decompression. zip.cc turns the anomalies it
// records into findings.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scanners/source.h"
#include "scanners/status.h"

namespace modelgate::scanners {

// One central-directory entry, with offsets already shifted to absolute
// positions in the source.
struct ZipEntry {
  std::string name;                 // as stored in the central directory (raw bytes)
  uint16_t flags = 0;               // general-purpose bit flags
  uint16_t method = 0;              // 0 stored, 8 deflate, ...
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;  // absolute offset of "PK\3\4"
};

struct ZipDirectory {
  uint64_t eocd_offset = 0;         // absolute offset of the chosen end record
  uint64_t cd_offset = 0;           // absolute offset of the central directory
  uint64_t cd_size = 0;
  uint64_t prefix_bytes = 0;        // bytes before the archive (zipfile's "concat")
  bool zip64 = false;
  uint64_t declared_entries = 0;    // entry count the end record claims
  // Bytes after the end record's comment (or missing ones, negative) relative
  // to the end of the source: a mismatch means the comment length lies.
  int64_t trailing_bytes = 0;
  // End records in the tail whose central directory also parses but differs
  // from the chosen one (a comment hiding a second archive).
  int alternative_directories = 0;
  std::vector<ZipEntry> entries;
  // Members listed only by those alternative directories (by local header
  // offset): some reader may load them, so they are analyzed too.
  std::vector<ZipEntry> alternative_entries;
};

// Finds the end-of-central-directory record (searching at most the last
// 64 KiB + 22 bytes, nearest the end first, like zipfile) and parses the
// central directory it points at. Entries beyond `max_entries` are an error.
// Errors: no end record, a central directory outside the source or not made
// of well-formed records, I/O errors.
Result<ZipDirectory> ReadZipDirectory(const ByteSource& src, uint64_t max_entries);

// The local file header of an entry: where its data begins, and the fields
// loaders compare against the central directory.
struct ZipLocalHeader {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint64_t data_offset = 0;  // absolute offset of the member's (compressed) data
};

// Reads the local header at entry.local_header_offset. Error when the
// signature is missing or the header runs past the end of the source.
Result<ZipLocalHeader> ReadZipLocalHeader(const ByteSource& src, const ZipEntry& entry);

}  // namespace modelgate::scanners
