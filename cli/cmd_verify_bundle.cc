// `modelgate verify-bundle`: verifies one Sigstore bundle over an artifact
// (a file or "sha256:<hex>"), speaking the sigstore-conformance command line:
//   verify-bundle --bundle FILE (--certificate-identity ID
//     --certificate-oidc-issuer URL | --key PEM) --trusted-root FILE ARTIFACT
// Exit 0 verified, 1 rejected (reason on stderr), 2 usage or unreadable input.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "cli/flag_value.h"
#include "scanners/hashing.h"
#include "scanners/signing/bundle.h"
#include "scanners/signing/encoding.h"
#include "scanners/signing/trusted_root.h"
#include "scanners/signing/verifier.h"

namespace {
using namespace modelgate::signing;

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

constexpr const char* kUsage =
    "usage: modelgate verify-bundle --bundle FILE (--certificate-identity ID "
    "--certificate-oidc-issuer URL | --key PEM) --trusted-root FILE FILE_OR_sha256:DIGEST\n"
    "Exit status: 0 verified, 1 rejected (reason on stderr), 2 usage error or unreadable input.\n";

// A usage error: `why` (when not empty) and the usage on stderr, exit status 2.
int Usage(const std::string& why = "") {
  if (!why.empty()) std::fprintf(stderr, "modelgate verify-bundle: %s\n", why.c_str());
  std::fputs(kUsage, stderr);
  return 2;
}

int RunVerifyBundle(int argc, char** argv) {
  std::string bundle_path, identity, issuer, key_path, root_path, target;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) {
      const char* v = ::modelgate::cli::FlagValue(argc, argv, &i, "verify-bundle", kUsage);
      if (v) *out = v;
      return v != nullptr;
    };
    bool ok = true;
    if (a == "--bundle") ok = value(&bundle_path);
    else if (a == "--certificate-identity") ok = value(&identity);
    else if (a == "--certificate-oidc-issuer") ok = value(&issuer);
    else if (a == "--key") ok = value(&key_path);
    else if (a == "--trusted-root") ok = value(&root_path);
    else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (!a.empty() && a[0] == '-') return Usage("unknown option '" + a + "'");
    else if (target.empty()) target = a;
    else return Usage("unexpected argument '" + a + "'");
    if (!ok) return 2;  // FlagValue reported it
  }
  bool keyless = !identity.empty() || !issuer.empty();
  if (bundle_path.empty() || target.empty() || (keyless == !key_path.empty()) ||
      (keyless && (identity.empty() || issuer.empty())))
    return Usage();

  std::string bundle_text, root_text;
  if (!ReadFile(bundle_path, &bundle_text)) {
    std::fprintf(stderr, "cannot read bundle %s\n", bundle_path.c_str());
    return 2;
  }
  auto bundle = ParseBundle(bundle_text);
  if (!bundle.ok()) {
    std::fprintf(stderr, "invalid bundle: %s\n", bundle.status().message().c_str());
    return 1;
  }
  TrustedRoot root;
  VerifyPolicy policy;
  if (!root_path.empty()) {
    if (!ReadFile(root_path, &root_text)) {
      std::fprintf(stderr, "cannot read trusted root %s\n", root_path.c_str());
      return 2;
    }
    auto parsed = ParseTrustedRoot(root_text);
    if (!parsed.ok()) {
      std::fprintf(stderr, "invalid trusted root: %s\n", parsed.status().message().c_str());
      return 1;
    }
    root = std::move(*parsed);
    policy.root = &root;
  }
  if (keyless) {
    if (!policy.root) return Usage();
    policy.mode = SignerMode::kKeyless;
    policy.identity = identity;
    policy.issuer = issuer;
  } else {
    std::string pem;
    if (!ReadFile(key_path, &pem)) {
      std::fprintf(stderr, "cannot read key %s\n", key_path.c_str());
      return 2;
    }
    auto key = PublicKeyFromPem(pem);
    if (!key.ok()) {
      std::fprintf(stderr, "%s: %s\n", key_path.c_str(), key.status().message().c_str());
      return 2;
    }
    policy.mode = SignerMode::kPublicKey;
    policy.key = *key;
  }

  ArtifactRef artifact;
  if (target.rfind("sha256:", 0) == 0) {
    auto raw = HexDecode(target.substr(7));
    if (!raw || raw->size() != 32) {
      std::fprintf(stderr, "malformed digest %s\n", target.c_str());
      return 2;
    }
    artifact.sha256 = *raw;
  } else {
    std::string bytes;
    if (!ReadFile(target, &bytes)) {
      std::fprintf(stderr, "cannot read artifact %s\n", target.c_str());
      return 2;
    }
    artifact.sha256 = modelgate::scanners::Sha256Raw(bytes);
    artifact.bytes = std::move(bytes);
  }

  BundleVerification v = VerifyBundle(*bundle, artifact, policy);
  if (!v.ok()) {
    std::fprintf(stderr, "%s: %s\n", v.outcome == Outcome::kUntrusted ? "untrusted" : "invalid", v.reason.c_str());
    return 1;
  }
  std::printf("verified: signer %s%s%s\n", v.signer.c_str(), v.issuer.empty() ? "" : " issuer ", v.issuer.c_str());
  return 0;
}

}  // namespace

MODELGATE_COMMAND("verify-bundle", "verify a Sigstore bundle over a file or sha256 digest", RunVerifyBundle);
