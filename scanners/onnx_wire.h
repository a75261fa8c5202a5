// Protocol Buffers wire format, read field by field from a window of a
// ByteSource without any generated code. Enough for ONNX: varints, fixed
// 32/64-bit values and length-delimited fields (strings, bytes, messages).
#pragma once

#include <cstdint>
#include <string>

#include "scanners/reader.h"

namespace modelgate::scanners {

struct WireField {
  uint32_t number = 0;
  uint32_t wire_type = 0;  // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  uint64_t varint = 0;     // wire type 0
  uint64_t begin = 0;      // wire type 2: absolute offset of the payload
  uint64_t length = 0;     // wire type 2: payload length (already bounds-checked)
};

// Iterates the fields of one message occupying [begin, end) of `src`.
class WireReader {
 public:
  WireReader(const ByteSource& src, uint64_t begin, uint64_t end) : r_(src, begin, end) {}
  // Reads the next field; false at the end of the message or on malformed
  // input (then error() is non-empty). Payloads are skipped, not read.
  bool Next(WireField* f);
  const std::string& error() const { return error_; }

 private:
  bool Varint(uint64_t* v);
  Reader r_;
  std::string error_;
};

}  // namespace modelgate::scanners
