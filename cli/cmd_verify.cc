// `modelgate verify MODEL_DIR`: verifies a model directory against its
// model_signing signature (sigstore/model-transparency v1.x).
//   modelgate verify MODEL_DIR [--signature FILE (relative to MODEL_DIR)]
//       (--key PEM | --certificate-chain PEM... | --identity ID --issuer URL)
//       [--trusted-root FILE] [--ignore-paths PATH...] [--no-ignore-git-paths]
// Exit 0 verified; 1 unsigned, invalid (which file differs / is missing /
// is extra) or untrusted (who signed instead); 2 usage or could not decide.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/flag_value.h"
#include "scanners/signing/model_verify.h"
#include "scanners/signing/trusted_root.h"

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
    "usage: modelgate verify MODEL_DIR [--signature FILE]\n"
    "         (--key PEM | --certificate-chain PEM... | --identity ID --issuer URL)\n"
    "         [--trusted-root FILE] [--ignore-paths PATH...] [--no-ignore-git-paths]\n"
    "  --signature        signature file; a relative path is relative to MODEL_DIR, as a\n"
    "                     ModelAdmission's spec.signature.path is (default MODEL_DIR/model.sig)\n"
    "  --key              PEM public key (elliptic-key / key signing)\n"
    "  --certificate-chain PEM files holding the trusted roots and intermediates\n"
    "  --identity/--issuer keyless Sigstore signer (SAN) and OIDC issuer; needs --trusted-root\n"
    "  --trusted-root     Sigstore trusted_root.json (also checks log entries for keys/chains)\n"
    "  --ignore-paths     extra paths (relative to MODEL_DIR) not covered by the signature\n"
    "Exit status: 0 verified; 1 unsigned, invalid or untrusted; 2 usage error or could not decide.\n";

// A usage error: `why` and the usage on stderr, exit status 2.
int Usage(const std::string& why) {
  std::fprintf(stderr, "modelgate verify: %s\n%s", why.c_str(), kUsage);
  return 2;
}

int RunVerify(int argc, char** argv) {
  std::string model_dir, signature, key_path, identity, issuer, root_path;
  std::vector<std::string> chain_paths, ignore_paths;
  bool ignore_git = true;
  std::vector<std::string>* list = nullptr;  // multi-value flag being filled
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) {
      const char* v = ::modelgate::cli::FlagValue(argc, argv, &i, "verify", kUsage);
      if (v) *out = v;
      return v != nullptr;
    };
    bool ok = true;
    if (a.rfind("--", 0) == 0) list = nullptr;
    if (a == "--signature") ok = value(&signature);
    else if (a == "--key") ok = value(&key_path);
    else if (a == "--identity") ok = value(&identity);
    else if (a == "--issuer") ok = value(&issuer);
    else if (a == "--trusted-root") ok = value(&root_path);
    else if (a == "--certificate-chain") list = &chain_paths;
    else if (a == "--ignore-paths") list = &ignore_paths;
    else if (a == "--no-ignore-git-paths") ignore_git = false;
    else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a.rfind("-", 0) == 0) return Usage("unknown option '" + a + "'");
    else if (list && !(model_dir.empty() && std::filesystem::is_directory(a) && list == &chain_paths)) list->push_back(a);
    else if (model_dir.empty()) model_dir = a;
    else return Usage("unexpected argument '" + a + "' (MODEL_DIR is " + model_dir + ")");
    if (!ok) return 2;  // FlagValue reported it
  }
  if (model_dir.empty()) return Usage("MODEL_DIR is required");
  int modes = !key_path.empty() + !chain_paths.empty() + (!identity.empty() || !issuer.empty());
  if (modes != 1) return Usage("give exactly one of --key, --certificate-chain, --identity/--issuer");

  ModelVerifyOptions opts;
  if (!signature.empty()) {
    // Relative to the model, like spec.signature.path; a file the user named explicitly
    // that is not there is a mistake to report, not an unsigned model.
    std::filesystem::path sig(signature);
    if (sig.is_relative()) sig = std::filesystem::path(model_dir) / sig;
    std::error_code ec;
    if (std::filesystem::is_directory(model_dir, ec) && !std::filesystem::is_regular_file(sig, ec)) {
      std::fprintf(stderr, "modelgate verify: --signature: no signature file %s%s\n", sig.string().c_str(),
                   std::filesystem::path(signature).is_relative() ? " (a relative --signature is relative to MODEL_DIR)"
                                                                  : "");
      return 2;
    }
    opts.signature_path = sig.string();
  }
  opts.ignore_paths = ignore_paths;
  opts.ignore_git_paths = ignore_git;
  TrustedRoot root;
  if (!root_path.empty()) {
    std::string text;
    if (!ReadFile(root_path, &text)) return Usage("cannot read " + root_path);
    auto parsed = ParseTrustedRoot(text);
    if (!parsed.ok()) {
      std::fprintf(stderr, "modelgate verify: invalid trusted root: %s\n", parsed.status().message().c_str());
      return 2;
    }
    root = std::move(*parsed);
    opts.policy.root = &root;
  }
  if (!key_path.empty()) {
    std::string pem;
    if (!ReadFile(key_path, &pem)) return Usage("cannot read " + key_path);
    auto key = PublicKeyFromPem(pem);
    if (!key.ok()) return Usage(key_path + ": " + key.status().message());
    opts.policy.mode = SignerMode::kPublicKey;
    opts.policy.key = *key;
  } else if (!chain_paths.empty()) {
    opts.policy.mode = SignerMode::kCertificateChain;
    for (const auto& p : chain_paths) {
      std::string pem;
      if (!ReadFile(p, &pem)) return Usage("cannot read " + p);
      auto certs = CertsFromPem(pem);
      if (!certs.ok()) return Usage(p + ": " + certs.status().message());
      for (auto& c : *certs) opts.policy.anchors.push_back(c);
    }
  } else {
    if (identity.empty() || issuer.empty()) return Usage("--identity and --issuer go together");
    if (!opts.policy.root) return Usage("keyless verification needs --trusted-root");
    opts.policy.mode = SignerMode::kKeyless;
    opts.policy.identity = identity;
    opts.policy.issuer = issuer;
  }

  ModelVerification v = VerifyModel(model_dir, opts);
  if (v.status == SignatureStatus::kVerified) {
    std::printf("Verified: %s (%zu resources, root digest sha256:%s) signed by %s%s%s\n", model_dir.c_str(),
                v.resources.size(), v.root_digest.c_str(), v.signer.c_str(), v.issuer.empty() ? "" : " issuer ",
                v.issuer.c_str());
    return 0;
  }
  std::fprintf(stderr, "%s: %s\n", SignatureStatusName(v.status), v.reason.c_str());
  return v.status == SignatureStatus::kError ? 2 : 1;
}

}  // namespace

MODELGATE_COMMAND("verify", "verify a model directory against its model_signing signature", RunVerify);
