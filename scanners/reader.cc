#include "scanners/reader.h"

#include <algorithm>
#include <cstring>

namespace modelgate::scanners {
namespace {
constexpr uint64_t kWindow = 64 * 1024;
}  // namespace

Reader::Reader(const ByteSource& src, uint64_t begin, uint64_t end) : src_(&src) {
  end_ = std::min(end, src.size());
  pos_ = std::min(begin, end_);
  if (src.has_view()) {
    view_ = src.view();
    in_memory_ = true;
  }
}

Reader::Reader(std::string_view data) : owned_view_(data), pos_(0), end_(data.size()) {
  src_ = &owned_view_;
  view_ = data;
  in_memory_ = true;
}

bool Reader::Seek(uint64_t absolute_offset) {
  if (absolute_offset > end_) return false;
  pos_ = absolute_offset;
  return true;
}

bool Reader::Skip(uint64_t n) {
  if (n > remaining()) return false;
  pos_ += n;
  return true;
}

bool Reader::Fill(uint64_t need) {
  if (need > remaining()) return false;
  if (in_memory_) return true;
  if (pos_ >= buf_start_ && pos_ + need <= buf_start_ + buf_.size()) return true;
  uint64_t want = std::min(std::max(need, kWindow), end_ - pos_);
  if (!src_->ReadAt(pos_, want, &buf_)) {
    io_error_ = true;
    buf_.clear();
    return false;
  }
  buf_start_ = pos_;
  return buf_.size() >= need;
}

const uint8_t* Reader::Cur() const {
  if (in_memory_) return reinterpret_cast<const uint8_t*>(view_.data()) + pos_;
  return reinterpret_cast<const uint8_t*>(buf_.data()) + (pos_ - buf_start_);
}

bool Reader::U8(uint8_t* v) {
  if (!Fill(1)) return false;
  *v = *Cur();
  ++pos_;
  return true;
}

bool Reader::Peek(uint8_t* v) {
  if (!Fill(1)) return false;
  *v = *Cur();
  return true;
}

#define MG_READ_LE(NAME, TYPE)                                   \
  bool Reader::NAME(TYPE* v) {                                   \
    if (!Fill(sizeof(TYPE))) return false;                       \
    const uint8_t* p = Cur();                                    \
    uint64_t x = 0;                                              \
    for (size_t i = 0; i < sizeof(TYPE); ++i) x |= uint64_t(p[i]) << (8 * i); \
    *v = static_cast<TYPE>(x);                                   \
    pos_ += sizeof(TYPE);                                        \
    return true;                                                 \
  }
MG_READ_LE(U16LE, uint16_t)
MG_READ_LE(U32LE, uint32_t)
MG_READ_LE(U64LE, uint64_t)
MG_READ_LE(I32LE, int32_t)
MG_READ_LE(I64LE, int64_t)
#undef MG_READ_LE

bool Reader::U16BE(uint16_t* v) {
  if (!Fill(2)) return false;
  const uint8_t* p = Cur();
  *v = static_cast<uint16_t>((p[0] << 8) | p[1]);
  pos_ += 2;
  return true;
}

bool Reader::U32BE(uint32_t* v) {
  if (!Fill(4)) return false;
  const uint8_t* p = Cur();
  *v = (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
  pos_ += 4;
  return true;
}

bool Reader::Bytes(uint64_t n, std::string* out) {
  if (n > remaining()) return false;
  if (in_memory_) {
    out->assign(view_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  if (n <= kWindow) {
    if (!Fill(n)) return false;
    out->assign(reinterpret_cast<const char*>(Cur()), n);
    pos_ += n;
    return true;
  }
  if (!src_->ReadAt(pos_, n, out) || out->size() != n) {
    io_error_ = true;
    return false;
  }
  pos_ += n;
  return true;
}

bool Reader::Line(std::string* out, uint64_t max_len, char delim) {
  out->clear();
  while (true) {
    uint8_t c;
    if (!U8(&c)) return false;
    if (c == static_cast<uint8_t>(delim)) return true;
    if (out->size() >= max_len) return false;
    out->push_back(static_cast<char>(c));
  }
}

}  // namespace modelgate::scanners
