#include "scanners/zip_inflate.h"

#include <zlib.h>

#include <algorithm>

namespace modelgate::scanners {
namespace {
constexpr uint64_t kChunk = 64 * 1024;
constexpr uint64_t kRatioFloor = 1 << 20;

// Owns a z_stream so every exit path releases it.
class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&z_, -MAX_WBITS) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&z_);
  }
  bool ok() const { return ok_; }
  z_stream* z() { return &z_; }

 private:
  z_stream z_{};
  bool ok_ = false;
};
}  // namespace

InflateOutcome InflateMember(const ByteSource& src, uint64_t offset, uint64_t length,
                             ScanContext& ctx, std::string* out, std::string* detail) {
  out->clear();
  const ScanLimits& lim = ctx.limits();
  Inflater inf;
  if (!inf.ok()) {
    *detail = "zlib initialisation failed";
    return InflateOutcome::kIoError;
  }
  z_stream* z = inf.z();
  std::string in;
  char buf[kChunk];
  uint64_t consumed = 0;
  while (true) {
    if (z->avail_in == 0) {
      if (consumed >= length) {
        *detail = "deflate stream ends before its final block";
        return InflateOutcome::kCorrupt;
      }
      uint64_t n = std::min(kChunk, length - consumed);
      if (!src.ReadAt(offset + consumed, n, &in)) {
        *detail = "read error";
        return InflateOutcome::kIoError;
      }
      if (in.empty()) {
        *detail = "member data runs past the end of the archive";
        return InflateOutcome::kCorrupt;
      }
      consumed += in.size();
      z->next_in = reinterpret_cast<Bytef*>(in.data());
      z->avail_in = static_cast<uInt>(in.size());
    }
    z->next_out = reinterpret_cast<Bytef*>(buf);
    z->avail_out = sizeof(buf);
    int rc = inflate(z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      *detail = std::string("invalid deflate data: ") + (z->msg ? z->msg : "unknown error");
      return InflateOutcome::kCorrupt;
    }
    uint64_t produced = sizeof(buf) - z->avail_out;
    if (out->size() + produced > lim.max_member_bytes) {
      *detail = "member inflates to more than " + std::to_string(lim.max_member_bytes) + " bytes";
      return InflateOutcome::kTooLarge;
    }
    if (produced > 0 && !ctx.ChargeDecompressed(produced)) {
      *detail = "decompression budget exhausted";
      return InflateOutcome::kBudget;
    }
    out->append(buf, produced);
    uint64_t used_in = consumed - z->avail_in;
    if (out->size() > kRatioFloor && out->size() / std::max<uint64_t>(used_in, 1) >
                                         lim.max_compression_ratio) {
      *detail = "compression ratio above " + std::to_string(lim.max_compression_ratio) +
                ":1 (possible zip bomb)";
      return InflateOutcome::kBomb;
    }
    if (rc == Z_STREAM_END) return InflateOutcome::kOk;
    if (rc == Z_BUF_ERROR && produced == 0 && z->avail_in != 0) {
      *detail = "deflate stream makes no progress";
      return InflateOutcome::kCorrupt;
    }
  }
}

}  // namespace modelgate::scanners
