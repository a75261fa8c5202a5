#include "scanners/archive_io.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace modelgate::scanners {
namespace {

constexpr uint64_t kChunk = 64 * 1024;

la_ssize_t ReadCb(struct archive* a, void* data, const void** out) {
  auto* c = static_cast<SourceCursor*>(data);
  if (!c->src->ReadAt(c->pos, kChunk, &c->buf)) {
    archive_set_error(a, EIO, "read error");
    return -1;
  }
  c->pos += c->buf.size();
  *out = c->buf.data();
  return static_cast<la_ssize_t>(c->buf.size());
}

la_int64_t SkipCb(struct archive*, void* data, la_int64_t request) {
  auto* c = static_cast<SourceCursor*>(data);
  if (request <= 0) return 0;
  uint64_t left = c->src->size() - std::min(c->pos, c->src->size());
  uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(request), left);
  c->pos += n;
  return static_cast<la_int64_t>(n);
}

la_int64_t SeekCb(struct archive*, void* data, la_int64_t offset, int whence) {
  auto* c = static_cast<SourceCursor*>(data);
  int64_t base = whence == SEEK_SET   ? 0
                 : whence == SEEK_CUR ? static_cast<int64_t>(c->pos)
                                      : static_cast<int64_t>(c->src->size());
  if ((offset > 0 && base > INT64_MAX - offset)) return ARCHIVE_FATAL;
  int64_t target = base + offset;
  if (target < 0) return ARCHIVE_FATAL;
  c->pos = std::min<uint64_t>(static_cast<uint64_t>(target), c->src->size());
  return static_cast<la_int64_t>(c->pos);
}

}  // namespace

int OpenArchiveOnSource(struct archive* a, SourceCursor* cursor) {
  archive_read_set_callback_data(a, cursor);
  archive_read_set_read_callback(a, ReadCb);
  archive_read_set_skip_callback(a, SkipCb);
  archive_read_set_seek_callback(a, SeekCb);
  return archive_read_open1(a);
}

std::string ArchiveError(struct archive* a) {
  const char* e = archive_error_string(a);
  return e ? e : "unknown libarchive error";
}

}  // namespace modelgate::scanners
