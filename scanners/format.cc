#include "scanners/format.h"

#include <array>
#include <cstring>
#include <string>

namespace modelgate::scanners {

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kUnknown: return "unknown";
    case Format::kEmpty: return "empty";
    case Format::kSafeTensors: return "safetensors";
    case Format::kPickle: return "pickle";
    case Format::kPyTorchZip: return "pytorch-zip";
    case Format::kPyTorchTar: return "pytorch-tar";
    case Format::kNumpy: return "numpy";
    case Format::kNpz: return "npz";
    case Format::kGguf: return "gguf";
    case Format::kGzip: return "gzip";
    case Format::kXz: return "xz";
    case Format::kBzip2: return "bzip2";
    case Format::kSevenZip: return "7z";
    case Format::kTar: return "tar";
    case Format::kZip: return "zip";
    case Format::kHdf5: return "hdf5";
    case Format::kKeras: return "keras";
    case Format::kOnnx: return "onnx";
    case Format::kJson: return "json";
    case Format::kText: return "text";
  }
  return "unknown";
}

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// Valid UTF-8 with no control bytes other than tab, CR, LF, FF. A multi-byte
// sequence cut by the end of `s` (a partial read) is accepted.
bool LooksLikeText(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') return false;
      if (c == 0x7f) return false;
      ++i;
      continue;
    }
    int extra = (c >= 0xf0 && c <= 0xf4) ? 3 : (c >= 0xe0) ? 2 : (c >= 0xc2 && c < 0xe0) ? 1 : -1;
    if (extra < 0) return false;
    for (int k = 1; k <= extra; ++k) {
      if (i + k >= s.size()) return true;
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

// ONNX ModelProto: field 1 (ir_version, varint) first, a small version, then
// another known ModelProto field tag.
bool LooksLikeOnnx(std::string_view s) {
  if (s.size() < 4 || static_cast<unsigned char>(s[0]) != 0x08) return false;
  unsigned char v = static_cast<unsigned char>(s[1]);
  if (v == 0 || v > 32) return false;
  static constexpr std::array<unsigned char, 9> kNextTags = {0x12, 0x1a, 0x22, 0x2a, 0x32,
                                                             0x3a, 0x40, 0x42, 0x72};
  for (unsigned char t : kNextTags) {
    if (static_cast<unsigned char>(s[2]) == t) return true;
  }
  return false;
}

}  // namespace

Format SniffFormat(const ByteSource& src) {
  if (src.size() == 0) return Format::kEmpty;
  std::string head;
  if (!src.ReadAt(0, 1024, &head) || head.empty()) return Format::kUnknown;

  if (StartsWith(head, "PK\x03\x04") || StartsWith(head, std::string_view("PK\x05\x06", 4)) ||
      StartsWith(head, "PK\x07\x08")) {
    return Format::kZip;
  }
  if (StartsWith(head, "\x1f\x8b")) return Format::kGzip;
  if (StartsWith(head, std::string_view("\xfd" "7zXZ\x00", 6))) return Format::kXz;
  if (head.size() >= 4 && StartsWith(head, "BZh") && head[3] >= '1' && head[3] <= '9') {
    return Format::kBzip2;
  }
  if (StartsWith(head, "7z\xbc\xaf\x27\x1c")) return Format::kSevenZip;
  if (StartsWith(head, "\x93NUMPY")) return Format::kNumpy;
  if (StartsWith(head, "GGUF")) return Format::kGguf;
  if (StartsWith(head, "\x89HDF\r\n\x1a\n")) return Format::kHdf5;
  if (head.size() >= 263 && head.compare(257, 5, "ustar") == 0) return Format::kTar;

  // SafeTensors: u64 little-endian header length, then a JSON object. The
  // length is not checked here: a lying length is the analyzer's to report.
  if (head.size() >= 9 && head[8] == '{') return Format::kSafeTensors;
  unsigned char c0 = static_cast<unsigned char>(head[0]);
  if (c0 == 0x80 && head.size() >= 2 && static_cast<unsigned char>(head[1]) <= 5) {
    return Format::kPickle;
  }
  if (LooksLikeOnnx(head)) return Format::kOnnx;

  std::string_view body = head;
  if (StartsWith(body, "\xef\xbb\xbf")) body.remove_prefix(3);
  size_t first = body.find_first_not_of(" \t\r\n");
  bool text = LooksLikeText(head);
  if (text && first != std::string_view::npos && (body[first] == '{' || body[first] == '[')) {
    return Format::kJson;
  }
  if (text) return Format::kText;
  // Protocol 0/1 pickles have no magic; the dispatcher probes kText/kUnknown.
  return Format::kUnknown;
}

}  // namespace modelgate::scanners
