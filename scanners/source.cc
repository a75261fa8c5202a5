#include "scanners/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace modelgate::scanners {

bool MemorySource::ReadAt(uint64_t offset, uint64_t len, std::string* out) const {
  out->clear();
  if (offset >= data_.size()) return true;
  out->assign(data_.substr(offset, std::min<uint64_t>(len, data_.size() - offset)));
  return true;
}

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Error(path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Error(path + ": not a regular file");
  }
  return std::unique_ptr<FileSource>(new FileSource(fd, static_cast<uint64_t>(st.st_size)));
}

FileSource::~FileSource() { ::close(fd_); }

bool FileSource::ReadAt(uint64_t offset, uint64_t len, std::string* out) const {
  out->clear();
  if (offset >= size_) return true;
  len = std::min<uint64_t>(len, size_ - offset);
  out->resize(len);
  uint64_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd_, out->data() + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;  // file shrank underneath us
    done += static_cast<uint64_t>(n);
  }
  out->resize(done);
  return true;
}

SliceSource::SliceSource(const ByteSource& base, uint64_t offset, uint64_t length)
    : base_(base),
      offset_(std::min(offset, base.size())),
      length_(std::min(length, base.size() - std::min(offset, base.size()))) {}

bool SliceSource::ReadAt(uint64_t offset, uint64_t len, std::string* out) const {
  if (offset >= length_) {
    out->clear();
    return true;
  }
  return base_.ReadAt(offset_ + offset, std::min(len, length_ - offset), out);
}

std::string_view SliceSource::view() const { return base_.view().substr(offset_, length_); }

}  // namespace modelgate::scanners
