#include "scanners/numpy.h"

#include <string>

#include "scanners/numpy_header.h"
#include "scanners/pickle.h"
#include "scanners/reader.h"

namespace modelgate::scanners {
namespace {

// numpy itself refuses headers above 10 000 bytes unless told otherwise;
// anything far beyond that is hostile, not a model.
constexpr uint64_t kMaxHeaderBytes = 1 << 20;

}  // namespace

void AnalyzeNumpy(const ByteSource& src, ScanContext& ctx) {
  Reader r(src);
  std::string magic;
  uint8_t major = 0, minor = 0;
  if (!r.Bytes(6, &magic) || magic != "\x93NUMPY" || !r.U8(&major) || !r.U8(&minor)) {
    ctx.Undecide("truncated .npy preamble");
    return;
  }
  uint64_t header_len = 0;
  if (major == 1) {
    uint16_t n;
    if (!r.U16LE(&n)) {
      ctx.Undecide("truncated .npy preamble");
      return;
    }
    header_len = n;
  } else if (major == 2 || major == 3) {
    uint32_t n;
    if (!r.U32LE(&n)) {
      ctx.Undecide("truncated .npy preamble");
      return;
    }
    header_len = n;
  } else {
    ctx.Undecide("unsupported .npy format version " + std::to_string(major) + "." +
                 std::to_string(minor));
    return;
  }
  if (header_len > kMaxHeaderBytes) {
    ctx.Undecide(".npy header of " + std::to_string(header_len) + " bytes is above the bound");
    return;
  }
  std::string text;
  if (!r.Bytes(header_len, &text)) {
    ctx.Undecide("truncated .npy header");
    return;
  }
  Result<NpyHeader> header = ParseNpyHeader(text);
  if (!header.ok()) {
    ctx.Undecide("malformed .npy header: " + header.status().message());
    return;
  }
  const NpyHeader& h = header.value();
  uint64_t data_offset = r.offset();
  uint64_t available = src.size() - data_offset;
  if (h.object) {
    // numpy.load(allow_pickle=True) hands the rest of the file to pickle.load.
    ctx.Add("numpy/object-array", Severity::kHigh,
            "dtype " + h.descr +
                " holds Python objects: loading it unpickles the data (allow_pickle=True)");
    SliceSource data(src, data_offset, available);
    AnalyzePickle(data, ctx);
    return;
  }
  if (h.item_size == 0) return;  // structured or unsized dtype: numpy checks it when loading
  uint64_t need = h.item_size;
  for (uint64_t d : h.shape) {
    if (d != 0 && need > UINT64_MAX / d) {
      ctx.Undecide("shape overflows 64 bits");
      return;
    }
    need *= d;
  }
  if (available < need) {
    ctx.Undecide("truncated .npy data: shape needs " + std::to_string(need) + " bytes, " +
                 std::to_string(available) + " present");
    return;
  }
  if (available > need) {
    ctx.Add("numpy/trailing-data", Severity::kLow,
            std::to_string(available - need) +
                " bytes follow the array data; numpy ignores them, other tools may not");
  }
}

}  // namespace modelgate::scanners
