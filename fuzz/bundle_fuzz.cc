// Fuzzes Sigstore bundle parsing and verification: the bundle JSON, the log
// entry bodies, inclusion proofs, checkpoints, embedded SCTs and RFC 3161
// tokens it carries, plus trusted-root parsing of the same bytes. A fixed
// trusted root whose Rekor and CT log ids match the production ones (with a
// throwaway key) lets mutated seeds reach the transparency-log checks.
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "scanners/signing/bundle.h"
#include "scanners/signing/checkpoint.h"
#include "scanners/signing/encoding.h"
#include "scanners/signing/trusted_root.h"
#include "scanners/signing/verifier.h"

namespace {
using namespace modelgate::signing;

struct Fixture {
  PKey key;
  TrustedRoot root;
  Fixture() {
    key = PKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), PkeyFree());
    LogKey rekor;
    rekor.base_url = "https://rekor.sigstore.dev";
    rekor.log_id = *Base64Decode("wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=");
    rekor.key = key;
    root.tlogs.push_back(rekor);
    LogKey ct;
    ct.log_id = *Base64Decode("3T0wasbHETJjGR4cmWc3AqJKXrjePK3/h4pygC8p7o4=");
    ct.key = key;
    root.ctlogs.push_back(ct);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fx;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParseTrustedRoot(text);
  (void)VerifyCheckpoint(text, fx.root.tlogs[0]);
  auto bundle = ParseBundle(text);
  if (!bundle.ok()) return 0;
  ArtifactRef artifact;
  artifact.sha256 = std::string(32, '\x01');
  VerifyPolicy keyless;
  keyless.mode = SignerMode::kKeyless;
  keyless.root = &fx.root;
  keyless.identity = "fuzz@example.com";
  keyless.issuer = "https://example.com";
  keyless.now = 1'700'000'000;
  (void)VerifyBundle(*bundle, artifact, keyless);
  VerifyPolicy key;
  key.mode = SignerMode::kPublicKey;
  key.key = fx.key;
  key.root = &fx.root;
  key.now = 1'700'000'000;
  (void)VerifyBundle(*bundle, artifact, key);
  return 0;
}
