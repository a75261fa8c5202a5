// Reader: the one bounds-checked cursor every parser uses on hostile bytes
// (after the OpenType Sanitiser's Buffer). Every read returns false instead of
// running past the end; counts are checked for overflow before use. Reads are
// sequential from a start offset; Seek() moves the cursor inside the window.
//
// Memory sources are read in place; file sources through a 64 KiB buffer, so
// a parser walking a 4 GB file holds only that much.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "scanners/source.h"

namespace modelgate::scanners {

class Reader {
 public:
  // Reads bytes [begin, end) of `src` (end clipped to src.size()).
  explicit Reader(const ByteSource& src, uint64_t begin = 0, uint64_t end = UINT64_MAX);
  // Reads a borrowed buffer.
  explicit Reader(std::string_view data);

  uint64_t offset() const { return pos_; }        // absolute offset in the source
  uint64_t remaining() const { return end_ - pos_; }
  bool at_end() const { return pos_ >= end_; }
  // True once a read failed for an I/O error (distinct from end of data).
  bool io_error() const { return io_error_; }

  bool Seek(uint64_t absolute_offset);
  bool Skip(uint64_t n);
  bool U8(uint8_t* v);
  bool U16LE(uint16_t* v);
  bool U32LE(uint32_t* v);
  bool U64LE(uint64_t* v);
  bool I32LE(int32_t* v);
  bool I64LE(int64_t* v);
  bool U16BE(uint16_t* v);
  bool U32BE(uint32_t* v);
  // Appends exactly n bytes to *out (replacing it). Caller bounds n first.
  bool Bytes(uint64_t n, std::string* out);
  // Reads a byte without consuming it.
  bool Peek(uint8_t* v);
  // Reads bytes up to and excluding `delim` (consumed), at most max_len bytes.
  bool Line(std::string* out, uint64_t max_len, char delim = '\n');

 private:
  bool Fill(uint64_t need);  // make [pos_, pos_+need) available in buf_
  const uint8_t* Cur() const;

  const ByteSource* src_ = nullptr;
  MemorySource owned_view_{std::string_view()};
  uint64_t pos_ = 0;
  uint64_t end_ = 0;
  bool io_error_ = false;
  std::string_view view_;  // whole source when in memory
  bool in_memory_ = false;
  std::string buf_;        // file window
  uint64_t buf_start_ = 0;
};

}  // namespace modelgate::scanners
