#include "scanners/safetensors.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "scanners/json_parse.h"
#include "scanners/json_printable.h"
#include "scanners/reader.h"

namespace modelgate::scanners {
namespace {

// Bits per element of every dtype the reference crate accepts (safetensors
// 0.6 `Dtype::bitsize`). Sub-byte types must fill whole bytes per tensor.
std::optional<uint64_t> DtypeBits(const std::string& d) {
  static const std::pair<const char*, uint64_t> kTable[] = {
      {"BOOL", 8},     {"F4", 4},       {"F6_E2M3", 6},  {"F6_E3M2", 6}, {"U8", 8},
      {"I8", 8},       {"F8_E5M2", 8},  {"F8_E4M3", 8},  {"F8_E8M0", 8}, {"I16", 16},
      {"U16", 16},     {"F16", 16},     {"BF16", 16},    {"I32", 32},    {"U32", 32},
      {"F32", 32},     {"C64", 64},     {"F64", 64},     {"I64", 64},    {"U64", 64},
  };
  for (const auto& [name, bits] : kTable) {
    if (d == name) return bits;
  }
  return std::nullopt;
}

struct Tensor {
  std::string name;
  uint64_t begin = 0;
  uint64_t end = 0;
};

// Reads a JSON array of non-negative integers (JSON numbers without fraction
// or exponent that fit in u64, as Rust's usize deserialisation demands).
bool UnsignedArray(const nlohmann::json& j, std::vector<uint64_t>* out) {
  if (!j.is_array()) return false;
  out->clear();
  for (const auto& v : j) {
    if (!v.is_number_unsigned()) return false;
    out->push_back(v.get<uint64_t>());
  }
  return true;
}

// Validates one tensor entry; returns an error message or "" when valid.
std::string CheckTensor(const std::string& name, const nlohmann::json& info, uint64_t data_len,
                        Tensor* t, uint64_t* elements, std::string* dtype) {
  const std::string who = "tensor '" + Printable(name) + "': ";
  if (!info.is_object()) return who + "entry is not an object";
  auto d = info.find("dtype");
  auto s = info.find("shape");
  auto o = info.find("data_offsets");
  if (d == info.end() || !d->is_string()) return who + "missing or non-string dtype";
  if (s == info.end()) return who + "missing shape";
  if (o == info.end()) return who + "missing data_offsets";
  *dtype = d->get<std::string>();
  auto bits = DtypeBits(*dtype);
  if (!bits) return who + "unknown dtype '" + Printable(*dtype) + "'";
  std::vector<uint64_t> shape, offsets;
  if (!UnsignedArray(*s, &shape)) return who + "shape is not an array of non-negative integers";
  if (!UnsignedArray(*o, &offsets) || offsets.size() != 2) {
    return who + "data_offsets is not [begin, end] of non-negative integers";
  }
  // Multiply in order with overflow checks, as the crate does (a later zero
  // dimension does not excuse an earlier overflow).
  uint64_t n = 1;
  for (uint64_t dim : shape) {
    if (dim != 0 && n > UINT64_MAX / dim) return who + "shape element count overflows";
    n *= dim;
  }
  if (n > UINT64_MAX / *bits) return who + "tensor size in bits overflows";
  uint64_t nbits = n * *bits;
  if (nbits % 8 != 0) return who + "sub-byte dtype does not fill whole bytes";
  uint64_t nbytes = nbits / 8;
  uint64_t begin = offsets[0], end = offsets[1];
  if (end < begin) return who + "data_offsets end before begin";
  if (end > data_len) {
    return who + "data_offsets end " + std::to_string(end) + " past the data section (" +
           std::to_string(data_len) + " bytes)";
  }
  if (end - begin != nbytes) {
    return who + "data_offsets span " + std::to_string(end - begin) + " bytes but " + *dtype +
           " shape needs " + std::to_string(nbytes);
  }
  t->name = name;
  t->begin = begin;
  t->end = end;
  *elements = n;
  return "";
}

// The tensors must tile [0, data_len) exactly. Returns an error or "".
std::string CheckLayout(std::vector<Tensor>& tensors, uint64_t data_len) {
  std::sort(tensors.begin(), tensors.end(), [](const Tensor& a, const Tensor& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  uint64_t expected = 0;
  const Tensor* prev = nullptr;
  for (const Tensor& t : tensors) {
    if (t.begin < expected) {
      return "tensor '" + Printable(t.name) + "' overlaps tensor '" +
             Printable(prev ? prev->name : "") + "' (bytes " + std::to_string(t.begin) + ".." +
             std::to_string(expected) + ")";
    }
    if (t.begin > expected) {
      return "gap of " + std::to_string(t.begin - expected) + " unreferenced bytes before tensor '" +
             Printable(t.name) + "' at data offset " + std::to_string(expected);
    }
    expected = t.end;
    prev = &t;
  }
  if (expected != data_len) {
    return std::to_string(data_len - expected) +
           " trailing bytes after the last tensor are not referenced by the header";
  }
  return "";
}

}  // namespace

void AnalyzeSafeTensors(const ByteSource& src, ScanContext& ctx) {
  Reader r(src);
  uint64_t n = 0;
  if (!r.U64LE(&n)) {
    ctx.Undecide(r.io_error() ? "read error" : "safetensors: file shorter than the 8-byte length");
    return;
  }
  const uint64_t limit = ctx.limits().max_safetensors_header;
  if (n < 2) {
    ctx.Undecide("safetensors: header length " + std::to_string(n) + " is below 2");
    return;
  }
  if (n > limit) {
    ctx.Undecide("safetensors: header length " + std::to_string(n) + " exceeds the bound of " +
                 std::to_string(limit) + " bytes");
    return;
  }
  if (n > r.remaining()) {
    ctx.Undecide("safetensors: header length " + std::to_string(n) + " exceeds the " +
                 std::to_string(r.remaining()) + " bytes after the length field");
    return;
  }
  const uint64_t data_len = r.remaining() - n;
  std::string header;
  if (!r.Bytes(n, &header)) {
    ctx.Undecide("read error in safetensors header");
    return;
  }
  // The crate requires '{' first; trailing padding is JSON whitespace (writers
  // pad with spaces to align the data section).
  if (header[0] != '{') {
    ctx.Undecide("safetensors: header does not start with '{'");
    return;
  }
  auto parsed = ParseJsonBounded(header, ctx.limits().max_json_depth);
  if (!parsed.ok()) {
    ctx.Undecide("safetensors header: " + parsed.status().message());
    return;
  }
  if (!parsed->duplicate_keys.empty()) {
    ctx.Add("safetensors/duplicate-key", Severity::kHigh,
            "header repeats key '" + Printable(parsed->duplicate_keys.front()) +
                "'; parsers disagree on which entry wins");
    return;
  }
  const nlohmann::json& root = parsed->value;
  if (!root.is_object()) {
    ctx.Undecide("safetensors: header is not a JSON object");
    return;
  }
  std::vector<Tensor> tensors;
  std::set<std::string> dtypes;
  uint64_t parameters = 0;
  for (const auto& [key, value] : root.items()) {
    if (key == "__metadata__") {
      if (!value.is_object()) {
        ctx.Undecide("safetensors: __metadata__ is not an object");
        return;
      }
      for (const auto& [mk, mv] : value.items()) {
        if (!mv.is_string()) {
          ctx.Undecide("safetensors: __metadata__ value of '" + Printable(mk) +
                       "' is not a string");
          return;
        }
      }
      continue;
    }
    Tensor t;
    uint64_t elements = 0;
    std::string dtype;
    std::string err = CheckTensor(key, value, data_len, &t, &elements, &dtype);
    if (!err.empty()) {
      ctx.Undecide("safetensors: " + err);
      return;
    }
    tensors.push_back(std::move(t));
    dtypes.insert(dtype);
    parameters += elements;  // unsigned; CheckLayout bounds the sum before it is reported
  }
  std::string err = CheckLayout(tensors, data_len);
  if (!err.empty()) {
    ctx.Undecide("safetensors: " + err);
    return;
  }
  std::string dtype_list;
  for (const auto& d : dtypes) dtype_list += (dtype_list.empty() ? "" : ",") + d;
  ctx.AddFact("safetensors_tensors", std::to_string(tensors.size()));
  ctx.AddFact("safetensors_parameters", std::to_string(parameters));
  ctx.AddFact("safetensors_dtypes", dtype_list);
}

}  // namespace modelgate::scanners
