// Glue between libarchive and ByteSource: libarchive pulls the bytes through
// callbacks, so a container is read window by window, never loaded whole.
#pragma once

#include <archive.h>

#include <cstdint>
#include <memory>
#include <string>

#include "scanners/source.h"

namespace modelgate::scanners {

// Read position of one libarchive reader over one source. `pos` is how many
// source bytes libarchive has pulled so far (used for ratio checks).
struct SourceCursor {
  const ByteSource* src = nullptr;
  uint64_t pos = 0;
  std::string buf;
};

struct ArchiveReadDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchiveReadPtr = std::unique_ptr<struct archive, ArchiveReadDeleter>;

// Installs read/skip/seek callbacks over `cursor` (which must outlive `a`) and
// opens the reader. Returns archive_read_open1's code.
int OpenArchiveOnSource(struct archive* a, SourceCursor* cursor);

// libarchive's last error message, never null.
std::string ArchiveError(struct archive* a);

}  // namespace modelgate::scanners
