#include "scanners/onnx_wire.h"

namespace modelgate::scanners {

bool WireReader::Varint(uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t b = 0;
    if (!r_.U8(&b)) return false;
    *v |= uint64_t(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;  // more than 10 bytes
}

bool WireReader::Next(WireField* f) {
  if (r_.at_end()) return false;
  uint64_t key = 0;
  if (!Varint(&key)) {
    error_ = "truncated or overlong field key at offset " + std::to_string(r_.offset());
    return false;
  }
  f->number = static_cast<uint32_t>(key >> 3);
  f->wire_type = static_cast<uint32_t>(key & 7);
  if (f->number == 0 || (key >> 3) > 0x1fffffff) {
    error_ = "invalid field number at offset " + std::to_string(r_.offset());
    return false;
  }
  bool ok = false;
  switch (f->wire_type) {
    case 0:
      ok = Varint(&f->varint);
      break;
    case 1:
      ok = r_.Skip(8);
      break;
    case 5:
      ok = r_.Skip(4);
      break;
    case 2:
      ok = Varint(&f->length) && f->length <= r_.remaining();
      f->begin = r_.offset();
      ok = ok && r_.Skip(f->length);
      break;
    default:  // 3/4: deprecated groups, 6/7: invalid
      error_ = "unsupported wire type " + std::to_string(f->wire_type) + " for field " +
               std::to_string(f->number);
      return false;
  }
  if (!ok) {
    error_ = r_.io_error() ? "read error"
                           : "field " + std::to_string(f->number) + " runs past its message";
    return false;
  }
  return true;
}

}  // namespace modelgate::scanners
