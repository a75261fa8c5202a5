#include "scanners/signing/embedded_signature.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "scanners/signing/bundle.h"
#include "scanners/signing/encoding.h"

namespace modelgate::signing {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

EmbeddedSignature Failed(const std::string& rel, EmbeddedSignature::State state, std::string reason) {
  EmbeddedSignature s;
  s.path = rel;
  s.state = state;
  s.reason = std::move(reason);
  return s;
}

}  // namespace

const char* EmbeddedStateName(EmbeddedSignature::State s) {
  switch (s) {
    case EmbeddedSignature::State::kPresent: return "present";
    case EmbeddedSignature::State::kMissing: return "missing";
    case EmbeddedSignature::State::kTooLarge: return "too-large";
    case EmbeddedSignature::State::kUnreadable: return "unreadable";
  }
  return "unreadable";
}

Status CheckEmbedPath(const std::string& rel) {
  if (rel.empty()) return Status::Error("the signature path is empty");
  if (rel[0] == '/') return Status::Error("the signature path '" + rel + "' must be relative to the model");
  if (rel[0] == '-') return Status::Error("the signature path '" + rel + "' starts with '-' (reads as an option)");
  size_t start = 0;
  while (true) {
    const size_t end = rel.find('/', start);
    const std::string seg = rel.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (seg.empty() || seg == "." || seg == "..")
      return Status::Error("the signature path '" + rel + "' has an empty, '.' or '..' segment");
    if (end == std::string::npos) return Status::Ok();
    start = end + 1;
  }
}

EmbeddedSignature ReadEmbeddedSignature(const std::string& model_dir, const std::string& rel) {
  using State = EmbeddedSignature::State;
  if (Status ok = CheckEmbedPath(rel); !ok.ok()) return Failed(rel, State::kUnreadable, ok.message());
  std::error_code ec;
  if (!fs::is_directory(model_dir, ec))
    return Failed(rel, State::kUnreadable, "the scanned path " + model_dir + " is not a directory");
  const fs::path path = fs::path(model_dir) / rel;
  if (!fs::exists(fs::symlink_status(path, ec)))
    return Failed(rel, State::kMissing, "no file " + rel + " in the model");
  // A symlink may not lead the scanner to print a file from outside the model.
  const fs::path root = fs::canonical(model_dir, ec);
  const fs::path target = fs::canonical(path, ec);
  if (ec) return Failed(rel, State::kMissing, rel + " is a broken symlink");
  const fs::path within = target.lexically_relative(root);
  if (within.empty() || *within.begin() == "..")
    return Failed(rel, State::kUnreadable, rel + " resolves outside the model");

  const int fd = ::open(target.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Failed(rel, State::kUnreadable, rel + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Failed(rel, State::kUnreadable, rel + " is not a regular file");
  }
  EmbeddedSignature s;
  s.path = rel;
  s.size = static_cast<uint64_t>(st.st_size);
  if (s.size > kMaxBundleBytes) {
    ::close(fd);
    s.state = State::kTooLarge;
    s.reason = rel + " is " + std::to_string(s.size) + " bytes, over the " + std::to_string(kMaxBundleBytes) +
               "-byte bundle limit";
    return s;
  }
  // Read at most one byte past the limit: the file may grow after fstat.
  std::string bytes(static_cast<size_t>(s.size) + 1, '\0');
  size_t got = 0;
  while (got < bytes.size() && got <= kMaxBundleBytes) {
    const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Failed(rel, State::kUnreadable, rel + ": " + std::strerror(err));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > kMaxBundleBytes) {
    s.state = State::kTooLarge;
    s.reason = rel + " grew over the " + std::to_string(kMaxBundleBytes) + "-byte bundle limit while read";
    return s;
  }
  bytes.resize(got);
  s.size = got;
  s.bundle = std::move(bytes);
  s.state = State::kPresent;
  return s;
}

json EmbeddedSignatureToJson(const EmbeddedSignature& sig) {
  json j = {{"path", sig.path}, {"status", EmbeddedStateName(sig.state)}, {"size", sig.size}};
  if (sig.state == EmbeddedSignature::State::kPresent) j["bundleBase64"] = Base64Encode(sig.bundle);
  else j["reason"] = sig.reason;
  return j;
}

Result<EmbeddedSignature> EmbeddedSignatureFromJson(const json& j) {
  using State = EmbeddedSignature::State;
  if (!j.is_object()) return Status::Error("signature: expected an object");
  auto str = [&](const char* key, std::string* out) -> Status {
    if (!j.contains(key) || j[key].is_null()) return Status::Ok();
    if (!j[key].is_string()) return Status::Error(std::string("signature.") + key + ": expected a string");
    *out = j[key].get<std::string>();
    return Status::Ok();
  };
  EmbeddedSignature s;
  std::string status, encoded;
  for (auto [key, out] : {std::pair{"path", &s.path}, {"status", &status}, {"bundleBase64", &encoded},
                          {"reason", &s.reason}}) {
    if (Status st = str(key, out); !st.ok()) return st;
  }
  if (Status ok = CheckEmbedPath(s.path); !ok.ok()) return Status::Error("signature.path: " + ok.message());
  if (j.contains("size")) {
    if (!j["size"].is_number_unsigned()) return Status::Error("signature.size: expected a non-negative integer");
    s.size = j["size"].get<uint64_t>();
  }
  bool known = false;
  for (State st : {State::kPresent, State::kMissing, State::kTooLarge, State::kUnreadable}) {
    if (status == EmbeddedStateName(st)) {
      s.state = st;
      known = true;
    }
  }
  if (!known) return Status::Error("signature.status: unknown value '" + status + "'");
  if (s.state != State::kPresent) return s;
  // Base64 is 4/3 of the bytes: reject before decoding anything oversized.
  if (encoded.size() / 4 * 3 > kMaxBundleBytes + 3)
    return Status::Error("signature.bundleBase64: over the bundle size limit");
  auto raw = Base64Decode(encoded);
  if (!raw) return Status::Error("signature.bundleBase64: not base64");
  if (raw->size() > kMaxBundleBytes) return Status::Error("signature.bundleBase64: over the bundle size limit");
  s.bundle = std::move(*raw);
  return s;
}

}  // namespace modelgate::signing
