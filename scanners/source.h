// ByteSource: random-access, read-only bytes (a file on disk or a buffer).
//
// Parsers read hostile input only through a ByteSource (usually via Reader),
// so large files are never loaded whole: a 4 GB SafeTensors file costs one
// header read. Implementations are safe to read from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "scanners/status.h"

namespace modelgate::scanners {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Copies up to `len` bytes at `offset` into `out` (replacing its contents).
  // Returns false on an I/O error; a short result means end of data.
  virtual bool ReadAt(uint64_t offset, uint64_t len, std::string* out) const = 0;
  // Contiguous view of all bytes when the source lives in memory, else empty
  // and `has_view()` false. Lets small-input parsers avoid copies.
  virtual bool has_view() const { return false; }
  virtual std::string_view view() const { return {}; }
};

// Bytes owned or borrowed in memory.
class MemorySource : public ByteSource {
 public:
  // Borrows `data`; the caller keeps it alive.
  explicit MemorySource(std::string_view data) : data_(data) {}
  // Owns `data`.
  explicit MemorySource(std::string&& data)
      : owned_(std::make_unique<std::string>(std::move(data))), data_(*owned_) {}
  uint64_t size() const override { return data_.size(); }
  bool ReadAt(uint64_t offset, uint64_t len, std::string* out) const override;
  bool has_view() const override { return true; }
  std::string_view view() const override { return data_; }

 private:
  std::unique_ptr<std::string> owned_;
  std::string_view data_;
};

// A regular file read with pread(2).
class FileSource : public ByteSource {
 public:
  // Opens `path` read-only. Error when it cannot be opened or is not a regular file.
  static Result<std::unique_ptr<FileSource>> Open(const std::string& path);
  ~FileSource() override;
  uint64_t size() const override { return size_; }
  bool ReadAt(uint64_t offset, uint64_t len, std::string* out) const override;

 private:
  FileSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  uint64_t size_;
};

// A window [offset, offset+length) of another source (e.g. a stored ZIP member).
class SliceSource : public ByteSource {
 public:
  SliceSource(const ByteSource& base, uint64_t offset, uint64_t length);
  uint64_t size() const override { return length_; }
  bool ReadAt(uint64_t offset, uint64_t len, std::string* out) const override;
  bool has_view() const override { return base_.has_view(); }
  std::string_view view() const override;

 private:
  const ByteSource& base_;
  uint64_t offset_;
  uint64_t length_;
};

}  // namespace modelgate::scanners
