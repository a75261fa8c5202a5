#include "webhook/packed_model_admission.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <type_traits>
#include <vector>

#include "policy/hex.h"

namespace modelgate::webhook {
namespace {

using policy::ModelAdmission;

// Fields() below must name every member: a new ModelAdmission field changes the size and
// stops the build here until it is packed too (and this number updated).
static_assert(sizeof(ModelAdmission) == 1096, "a ModelAdmission field was added or removed: update Fields()");

// How a string is stored: as it is, or (lowercase 64-hex SHA-256, alone or after
// "sha256:") as its 32 bytes. Anything else, uppercase hex included, stays as written.
enum : uint8_t { kPlain = 0, kHex64 = 1, kPrefixedHex64 = 2 };
constexpr std::string_view kShaPrefix = "sha256:";
constexpr char kHexDigits[] = "0123456789abcdef";

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

class Writer {
 public:
  std::string out;

  void Size(size_t n) {  // LEB128
    do {
      uint8_t b = n & 0x7f;
      n >>= 7;
      if (n != 0) b |= 0x80;
      out.push_back(static_cast<char>(b));
    } while (n != 0);
  }
  void Str(const std::string& s) {
    std::string_view v = s;
    uint8_t tag = kPlain;
    if (policy::IsLowerHex(v, 64)) {
      tag = kHex64;
    } else if (v.starts_with(kShaPrefix) && policy::IsLowerHex(v.substr(kShaPrefix.size()), 64)) {
      tag = kPrefixedHex64;
      v.remove_prefix(kShaPrefix.size());
    }
    out.push_back(static_cast<char>(tag));
    if (tag == kPlain) {
      Size(v.size());
      out.append(v);
      return;
    }
    for (size_t i = 0; i < v.size(); i += 2) out.push_back(static_cast<char>(HexValue(v[i]) << 4 | HexValue(v[i + 1])));
  }
  template <class T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void Num(const T& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  template <class T, class F>
  void Opt(const std::optional<T>& o, F&& f) {
    Num(o.has_value());
    if (o) f(*o);
  }
  template <class T, class F>
  void Vec(const std::vector<T>& v, F&& f) {
    Size(v.size());
    for (const auto& e : v) f(e);
  }
  void Map(const policy::Labels& m) {
    Size(m.size());
    for (const auto& [k, v] : m) {
      Str(k);
      Str(v);
    }
  }
};

// Reads what Writer wrote. Bounds-checked: past the end every read yields an empty value.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  size_t Size() {
    size_t n = 0;
    for (int shift = 0; shift < 64 && !in_.empty(); shift += 7) {
      const auto b = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      n |= static_cast<size_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return n;
    }
    in_ = {};
    return 0;
  }
  void Str(std::string& s) {
    uint8_t tag = kPlain;
    Num(tag);
    if (tag == kPlain) {
      const size_t n = Size();
      if (n > in_.size()) {
        in_ = {};
        return;
      }
      s.assign(in_.substr(0, n));
      in_.remove_prefix(n);
      return;
    }
    if (in_.size() < 32) {
      in_ = {};
      return;
    }
    s.reserve(tag == kPrefixedHex64 ? kShaPrefix.size() + 64 : 64);
    if (tag == kPrefixedHex64) s.assign(kShaPrefix);
    for (size_t i = 0; i < 32; ++i) {
      const auto b = static_cast<uint8_t>(in_[i]);
      s.push_back(kHexDigits[b >> 4]);
      s.push_back(kHexDigits[b & 15]);
    }
    in_.remove_prefix(32);
  }
  template <class T>
    requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void Num(T& v) {
    if (in_.size() < sizeof v) {
      in_ = {};
      return;
    }
    std::memcpy(&v, in_.data(), sizeof v);
    in_.remove_prefix(sizeof v);
  }
  template <class T, class F>
  void Opt(std::optional<T>& o, F&& f) {
    bool has = false;
    Num(has);
    if (has) f(o.emplace());
  }
  template <class T, class F>
  void Vec(std::vector<T>& v, F&& f) {
    const size_t n = Size();
    if (n > in_.size()) {  // every element takes at least one byte
      in_ = {};
      return;
    }
    v.resize(n);
    for (auto& e : v) f(e);
  }
  void Map(policy::Labels& m) {
    const size_t n = Size();
    for (size_t i = 0; i < n && !in_.empty(); ++i) {
      std::string k, v;
      Str(k);
      Str(v);
      m.emplace(std::move(k), std::move(v));
    }
  }

 private:
  std::string_view in_;
};

// Every field of a ModelAdmission, in one order for both directions (Io = Writer with a
// const ModelAdmission, or Reader).
template <class Io, class MA>
void Fields(Io& io, MA& ma) {
  auto str = [&](auto& s) { io.Str(s); };
  auto num = [&](auto& v) { io.Num(v); };
  io.Str(ma.name);
  io.Str(ma.namespace_name);
  io.Str(ma.uid);
  io.Num(ma.generation);
  io.Map(ma.labels);
  io.Num(ma.source.kind);
  io.Str(ma.source.claim_name);
  io.Str(ma.source.sub_path);
  io.Str(ma.source.host_path);
  io.Str(ma.source.image_reference);
  io.Opt(ma.hf_repo, str);
  io.Opt(ma.hf_revision, str);
  io.Vec(ma.files, [&](auto& f) {
    io.Str(f.path);
    io.Str(f.sha256);
  });
  io.Str(ma.digest);
  io.Str(ma.format);
  io.Num(ma.signature_declared);
  io.Str(ma.signature_path);
  io.Str(ma.signature_identity);
  io.Str(ma.signature_issuer);
  io.Opt(ma.signature_key, [&](auto& k) {
    io.Str(k.kind);
    io.Str(k.name);
    io.Str(k.key);
  });
  io.Str(ma.license);
  io.Opt(ma.training_data_summary, str);
  io.Opt(ma.training_compute_flops, num);
  io.Num(ma.has_status);
  io.Str(ma.phase);
  io.Num(ma.observed_generation);
  io.Vec(ma.conditions, [&](auto& c) {
    io.Str(c.type);
    io.Str(c.status);
    io.Str(c.reason);
    io.Str(c.message);
  });
  io.Num(ma.has_scan);
  io.Str(ma.scan_completed_at);
  io.Str(ma.scan_format);
  io.Str(ma.scan_manifest_digest);
  io.Vec(ma.scan_files, [&](auto& f) {
    io.Str(f.path);
    io.Str(f.sha256);
    io.Str(f.format);
    io.Opt(f.size, num);
  });
  auto finding = [&](auto& f) {
    io.Str(f.rule);
    io.Str(f.severity);
    io.Str(f.file);
    io.Str(f.detail);
  };
  io.Vec(ma.scan_findings, finding);
  io.Vec(ma.scan_undecided, finding);
  io.Str(ma.signature_status);
  io.Str(ma.signature_status_identity);
  io.Str(ma.signature_status_issuer);
}

}  // namespace

std::string PackModelAdmission(const ModelAdmission& ma) {
  Writer w;
  w.out.reserve(4096);
  Fields(w, ma);
  return std::string(w.out);  // a copy of exactly the packed size, not the 4 KB buffer
}

ModelAdmission UnpackModelAdmission(std::string_view packed) {
  ModelAdmission ma;
  Reader r(packed);
  Fields(r, ma);
  return ma;
}

}  // namespace modelgate::webhook
