#include "scanners/gguf.h"

#include <set>
#include <string>

#include "scanners/gguf_types.h"
#include "scanners/json_printable.h"
#include "scanners/reader.h"
#include "scanners/template_audit.h"

namespace modelgate::scanners {
namespace {

enum ValueType : uint32_t {
  kUint8 = 0, kInt8, kUint16, kInt16, kUint32, kInt32, kFloat32, kBool, kString, kArray,
  kUint64, kInt64, kFloat64,
};

// Bytes of a fixed-size value type; 0 for string/array/unknown.
uint64_t ScalarSize(uint32_t t) {
  switch (t) {
    case kUint8: case kInt8: case kBool: return 1;
    case kUint16: case kInt16: return 2;
    case kUint32: case kInt32: case kFloat32: return 4;
    case kUint64: case kInt64: case kFloat64: return 8;
    default: return 0;
  }
}

constexpr int kMaxArrayNesting = 8;
constexpr uint64_t kMaxDims = 4;        // GGML_MAX_DIMS
constexpr uint64_t kMaxNameLen = 63;    // GGML_MAX_NAME - 1
constexpr uint64_t kDefaultAlignment = 32;

class GgufParser {
 public:
  GgufParser(const ByteSource& src, ScanContext& ctx) : src_(src), r_(src), ctx_(ctx) {}

  // Returns "" when the whole header parsed, else why it could not.
  std::string Run();

 private:
  std::string Truncated(const char* what) const {
    return r_.io_error() ? std::string("read error") : std::string("truncated in ") + what;
  }
  bool ReadString(std::string* out, const char* what, std::string* err);
  bool SkipString(const char* what, std::string* err);
  bool SkipValue(uint32_t type, int depth, std::string* err);
  std::string ParseKv();
  std::string ParseTensors(uint64_t count);

  const ByteSource& src_;
  Reader r_;
  ScanContext& ctx_;
  std::set<std::string> keys_;
  uint64_t alignment_ = kDefaultAlignment;
  std::string architecture_;
};

bool GgufParser::ReadString(std::string* out, const char* what, std::string* err) {
  uint64_t len = 0;
  if (!r_.U64LE(&len)) return *err = Truncated(what), false;
  if (len > ctx_.limits().max_gguf_string) {
    *err = std::string(what) + ": string length " + std::to_string(len) + " over the bound of " +
           std::to_string(ctx_.limits().max_gguf_string);
    return false;
  }
  if (!r_.Bytes(len, out)) return *err = Truncated(what), false;
  return true;
}

bool GgufParser::SkipString(const char* what, std::string* err) {
  uint64_t len = 0;
  if (!r_.U64LE(&len)) return *err = Truncated(what), false;
  if (len > ctx_.limits().max_gguf_string) {
    *err = std::string(what) + ": string length " + std::to_string(len) + " over the bound";
    return false;
  }
  if (!r_.Skip(len)) return *err = Truncated(what), false;
  return true;
}

bool GgufParser::SkipValue(uint32_t type, int depth, std::string* err) {
  if (uint64_t size = ScalarSize(type)) {
    if (!r_.Skip(size)) return *err = Truncated("metadata value"), false;
    return true;
  }
  if (type == kString) return SkipString("metadata string", err);
  if (type != kArray) {
    *err = "unknown metadata value type " + std::to_string(type);
    return false;
  }
  if (depth >= kMaxArrayNesting) {
    *err = "metadata arrays nested deeper than " + std::to_string(kMaxArrayNesting);
    return false;
  }
  uint32_t elem = 0;
  uint64_t count = 0;
  if (!r_.U32LE(&elem) || !r_.U64LE(&count)) return *err = Truncated("metadata array"), false;
  if (count > ctx_.limits().max_gguf_array) {
    *err = "metadata array of " + std::to_string(count) + " elements over the bound of " +
           std::to_string(ctx_.limits().max_gguf_array);
    return false;
  }
  // Every element takes at least this many bytes: a huge count claimed by a
  // small file fails here, before any loop.
  uint64_t min_elem = ScalarSize(elem) ? ScalarSize(elem) : elem == kString ? 8 : 12;
  if (elem != kString && elem != kArray && ScalarSize(elem) == 0) {
    *err = "unknown metadata array element type " + std::to_string(elem);
    return false;
  }
  if (count > r_.remaining() / min_elem) {
    *err = "metadata array claims " + std::to_string(count) + " elements; truncated";
    return false;
  }
  if (ScalarSize(elem)) {
    if (!r_.Skip(count * min_elem)) return *err = Truncated("metadata array"), false;
    return true;
  }
  for (uint64_t i = 0; i < count; ++i) {
    if (!SkipValue(elem, depth + 1, err)) return false;
  }
  return true;
}

bool IsTemplateKey(const std::string& key) {
  static const std::string kBase = "tokenizer.chat_template";
  return key == kBase || key.rfind(kBase + ".", 0) == 0;
}

std::string GgufParser::ParseKv() {
  std::string key, err;
  if (!ReadString(&key, "metadata key", &err)) return err;
  if (!keys_.insert(key).second) {
    ctx_.Add("gguf/duplicate-key", Severity::kHigh,
             "metadata key '" + Printable(key) + "' appears twice; readers disagree on its value");
  }
  uint32_t type = 0;
  if (!r_.U32LE(&type)) return Truncated("metadata type");
  if (IsTemplateKey(key)) {
    if (type != kString) return "chat template '" + Printable(key) + "' is not a string";
    std::string tpl;
    if (!ReadString(&tpl, "chat template", &err)) return err;
    AuditChatTemplate(tpl, key, ctx_);
    return "";
  }
  if (key == "general.alignment") {
    uint32_t a = 0;
    if (type != kUint32) return "general.alignment is not a uint32";
    if (!r_.U32LE(&a)) return Truncated("general.alignment");
    if (a == 0 || (a & (a - 1)) != 0) {
      return "general.alignment " + std::to_string(a) + " is not a power of two";
    }
    alignment_ = a;
    return "";
  }
  if (key == "general.architecture" && type == kString) {
    if (!ReadString(&architecture_, "general.architecture", &err)) return err;
    return "";
  }
  if (!SkipValue(type, 0, &err)) return "key '" + Printable(key) + "': " + err;
  return "";
}

std::string GgufParser::ParseTensors(uint64_t count) {
  std::set<std::string> names;
  uint64_t expected_offset = 0;  // llama.cpp demands tensors packed in info order
  uint64_t data_end = 0;         // end of the last tensor's bytes (its padding may be absent)
  for (uint64_t i = 0; i < count; ++i) {
    std::string name, err;
    if (!ReadString(&name, "tensor name", &err)) return err;
    const std::string who = "tensor '" + Printable(name) + "': ";
    if (name.size() > kMaxNameLen) return who + "name longer than 63 bytes";
    if (!names.insert(name).second) return who + "duplicate tensor name";
    uint32_t n_dims = 0;
    if (!r_.U32LE(&n_dims)) return Truncated("tensor info");
    if (n_dims > kMaxDims) return who + std::to_string(n_dims) + " dimensions (max 4)";
    uint64_t dims[kMaxDims] = {1, 1, 1, 1};
    uint64_t elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      int64_t v = 0;
      if (!r_.I64LE(&v)) return Truncated("tensor dims");
      if (v < 0) return who + "negative dimension";
      dims[d] = static_cast<uint64_t>(v);
      if (dims[d] != 0 && elements > static_cast<uint64_t>(INT64_MAX) / dims[d]) {
        return who + "element count overflows";
      }
      elements *= dims[d];
    }
    uint32_t type = 0;
    uint64_t offset = 0;
    if (!r_.U32LE(&type) || !r_.U64LE(&offset)) return Truncated("tensor info");
    auto info = GgmlType(type);
    if (!info) return who + "unknown ggml type " + std::to_string(type);
    if (dims[0] % info->block_size != 0) {
      return who + "first dimension " + std::to_string(dims[0]) + " is not a multiple of the " +
             info->name + " block size";
    }
    // elements < 2^63 and type_size/block_size <= 8, so this cannot overflow.
    uint64_t bytes = elements / info->block_size * info->type_size;
    if (offset != expected_offset) {
      return who + "data offset " + std::to_string(offset) + ", expected " +
             std::to_string(expected_offset) + " (misaligned, overlapping or out of order)";
    }
    uint64_t padded = bytes + (alignment_ - bytes % alignment_) % alignment_;
    if (padded < bytes || expected_offset > UINT64_MAX - padded) return who + "size overflows";
    data_end = expected_offset + bytes;
    expected_offset += padded;
  }
  // Tensor data starts at the next alignment boundary after the infos.
  uint64_t pos = r_.offset();
  uint64_t data_start = pos + (alignment_ - pos % alignment_) % alignment_;
  uint64_t size = src_.size();
  if (count > 0 && (data_start > size || data_end > size - data_start)) {
    return "tensor data needs " + std::to_string(data_end) + " bytes from offset " +
           std::to_string(data_start) + " but the file has " + std::to_string(size);
  }
  return "";
}

std::string GgufParser::Run() {
  std::string magic;
  uint32_t version = 0;
  if (!r_.Bytes(4, &magic) || magic != "GGUF" || !r_.U32LE(&version)) {
    return "not a GGUF header";
  }
  if (version == 1) return "GGUF v1 is not supported";
  if (version != 2 && version != 3) {
    if ((version & 0xffff) == 0) return "big-endian GGUF is not supported";
    return "unknown GGUF version " + std::to_string(version);
  }
  uint64_t n_tensors = 0, n_kv = 0;
  if (!r_.U64LE(&n_tensors) || !r_.U64LE(&n_kv)) return Truncated("GGUF header");
  const ScanLimits& lim = ctx_.limits();
  if (n_kv > lim.max_gguf_kv) return std::to_string(n_kv) + " metadata keys over the bound";
  if (n_tensors > lim.max_gguf_tensors) return std::to_string(n_tensors) + " tensors over the bound";
  // A key/value takes >= 13 bytes, a tensor info >= 24: reject impossible
  // counts before looping over them.
  if (n_kv > r_.remaining() / 13 || n_tensors > r_.remaining() / 24) {
    return "header claims more keys or tensors than the file can hold; truncated";
  }
  ctx_.AddFact("gguf_version", std::to_string(version));
  ctx_.AddFact("gguf_kv", std::to_string(n_kv));
  ctx_.AddFact("gguf_tensors", std::to_string(n_tensors));
  for (uint64_t i = 0; i < n_kv; ++i) {
    std::string err = ParseKv();
    if (!err.empty()) return err;
  }
  if (!architecture_.empty()) ctx_.AddFact("gguf_architecture", Printable(architecture_, 64));
  return ParseTensors(n_tensors);
}

}  // namespace

void AnalyzeGguf(const ByteSource& src, ScanContext& ctx) {
  GgufParser parser(src, ctx);
  std::string err = parser.Run();
  if (!err.empty()) ctx.Undecide("gguf: " + err);
}

}  // namespace modelgate::scanners
