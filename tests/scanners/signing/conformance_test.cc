// The Sigstore conformance bundle-verification cases, run in-process (the
// same cases tools/sigstore-conformance.py drives through the CLI): every
// case verifies unless its name ends in "_fail", both with the artifact's
// bytes and with its digest only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "scanners/hashing.h"
#include "scanners/signing/bundle.h"
#include "scanners/signing/trusted_root.h"
#include "scanners/signing/verifier.h"

namespace modelgate::signing {
namespace {
namespace fs = std::filesystem;

const fs::path kCases = fs::path(MODELGATE_SHARED_DIR) / "testdata/sigstore/conformance-bundle-verify";
const fs::path kProdRoot = fs::path(MODELGATE_SHARED_DIR) / "testdata/sigstore/trust-roots/prod_trusted_root.json";
constexpr char kIdentity[] =
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/"
    "extremely-dangerous-oidc-beacon.yml@refs/heads/main";
constexpr char kIssuer[] = "https://token.actions.githubusercontent.com";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// Runs one case; returns "" when verified, else the reason.
std::string RunCase(const fs::path& dir, bool digest_only) {
  auto bundle = ParseBundle(Slurp(dir / "bundle.sigstore.json"));
  if (!bundle.ok()) return bundle.status().message();
  fs::path root_path = fs::exists(dir / "trusted_root.json") ? dir / "trusted_root.json" : kProdRoot;
  auto root = ParseTrustedRoot(Slurp(root_path));
  if (!root.ok()) return root.status().message();
  VerifyPolicy policy;
  policy.root = &*root;
  if (fs::exists(dir / "key.pub")) {
    auto key = PublicKeyFromPem(Slurp(dir / "key.pub"));
    if (!key.ok()) return key.status().message();
    policy.mode = SignerMode::kPublicKey;
    policy.key = *key;
  } else {
    policy.mode = SignerMode::kKeyless;
    policy.identity = fs::exists(dir / "identity") ? Trim(Slurp(dir / "identity")) : kIdentity;
    policy.issuer = fs::exists(dir / "issuer") ? Trim(Slurp(dir / "issuer")) : kIssuer;
  }
  std::string artifact = Slurp(fs::exists(dir / "artifact") ? dir / "artifact" : kCases / "a.txt");
  ArtifactRef ref;
  ref.sha256 = scanners::Sha256Raw(artifact);
  if (!digest_only) ref.bytes = artifact;
  BundleVerification v = VerifyBundle(*bundle, ref, policy);
  return v.ok() ? "" : v.reason;
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(kCases))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class ConformanceCase : public ::testing::TestWithParam<std::string> {};

TEST_P(ConformanceCase, VerdictMatchesTheCaseName) {
  const std::string& name = GetParam();
  bool expect_ok = name.size() < 5 || name.substr(name.size() - 5) != "_fail";
  for (bool digest_only : {false, true}) {
    std::string reason = RunCase(kCases / name, digest_only);
    if (expect_ok) {
      EXPECT_EQ(reason, "") << (digest_only ? "digest" : "path");
    } else {
      EXPECT_NE(reason, "") << (digest_only ? "digest" : "path") << ": verified but must fail";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sigstore, ConformanceCase, ::testing::ValuesIn(CaseNames()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(ConformanceSuite, HasAllCases) { EXPECT_EQ(CaseNames().size(), 70u); }

}  // namespace
}  // namespace modelgate::signing
