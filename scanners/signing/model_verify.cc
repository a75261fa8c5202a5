#include "scanners/signing/model_verify.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "scanners/signing/bundle.h"

namespace modelgate::signing {
namespace fs = std::filesystem;
namespace {
using nlohmann::json;

constexpr char kStatementType[] = "https://in-toto.io/Statement/v1";
constexpr char kPredicateV1[] = "https://model_signing/signature/v1.0";
constexpr char kPredicateCompat[] = "https://model_signing/Digests/v0.1";

ModelVerification Verdict(SignatureStatus s, std::string reason) {
  ModelVerification v;
  v.status = s;
  v.reason = std::move(reason);
  return v;
}

// What the signed statement says the model is.
struct SignedManifest {
  ManifestOptions options;
  std::vector<ManifestEntry> resources;
  std::string root_digest;
};

Result<SignedManifest> ParseStatement(const std::string& payload) {
  try {
    json doc = json::parse(payload);
    if (doc.value("_type", "") != kStatementType) return Status::Error("payload is not an in-toto Statement v1");
    std::string predicate_type = doc.value("predicateType", "");
    SignedManifest m;
    const json& subjects = doc.at("subject");
    if (!subjects.is_array()) return Status::Error("statement subject is not a list");
    if (predicate_type == kPredicateCompat) {
      // v0.1 "Digests": one subject per file, files serialization, sha256.
      for (const auto& s : subjects)
        m.resources.push_back({s.at("name").get<std::string>(), s.at("digest").at("sha256").get<std::string>()});
      SortCanonical(m.resources);
      return m;
    }
    if (predicate_type != kPredicateV1) return Status::Error("unsupported predicate type '" + predicate_type + "'");
    if (subjects.size() != 1) return Status::Error("statement must have exactly one subject");
    m.root_digest = subjects[0].at("digest").at("sha256").get<std::string>();
    const json& pred = doc.at("predicate");
    const json& ser = pred.at("serialization");
    std::string method = ser.at("method").get<std::string>();
    std::string hash_type = ser.at("hash_type").get<std::string>();
    if (hash_type != "sha256") return Status::Error("unsupported hash_type '" + hash_type + "'");
    if (method == "files") {
      m.options.method = SerializationMethod::kFiles;
    } else if (method == "shards") {
      m.options.method = SerializationMethod::kShards;
      int64_t size = ser.at("shard_size").get<int64_t>();
      if (size <= 0) return Status::Error("shard_size must be positive");
      m.options.shard_size = static_cast<uint64_t>(size);
    } else {
      return Status::Error("unsupported serialization method '" + method + "'");
    }
    const json& sym = ser.at("allow_symlinks");
    m.options.allow_symlinks = sym.is_boolean() ? sym.get<bool>() : sym.get<std::string>() == "true";
    if (ser.contains("ignore_paths"))
      for (const auto& p : ser.at("ignore_paths")) m.options.ignore_paths.push_back(p.get<std::string>());
    for (const auto& r : pred.at("resources")) {
      if (r.at("algorithm").get<std::string>() != "sha256")
        return Status::Error("unsupported resource algorithm for " + r.at("name").get<std::string>());
      m.resources.push_back({r.at("name").get<std::string>(), r.at("digest").get<std::string>()});
    }
    // The subject digest must be the hash of the resource digests as listed.
    auto root = RootDigest(m.resources);
    if (!root.ok()) return root.status();
    if (*root != m.root_digest)
      return Status::Error("signed manifest is inconsistent: resources hash to " + *root + ", subject says " +
                           m.root_digest);
    return m;
  } catch (const json::exception& e) {
    return Status::Error(std::string("malformed model_signing statement: ") + e.what());
  }
}

// Checks the bundle (DSSE in-toto, signer per `policy`, log/timestamp evidence) and
// parses the statement it signs into `out`. Returns kVerified with signer, issuer,
// root digest and resources filled when all of that holds; otherwise the verdict
// (kInvalid / kUntrusted) with its reason. The files are not looked at here.
ModelVerification VerifyStatement(std::string_view bundle_json, const VerifyPolicy& policy, SignedManifest* out) {
  auto bundle = ParseBundle(std::string(bundle_json));
  if (!bundle.ok()) return Verdict(SignatureStatus::kInvalid, "malformed signature: " + bundle.status().message());
  if (!bundle->is_dsse) return Verdict(SignatureStatus::kInvalid, "signature is not a DSSE envelope");
  if (bundle->payload_type != "application/vnd.in-toto+json")
    return Verdict(SignatureStatus::kInvalid, "DSSE payload type is " + bundle->payload_type + ", not in-toto");

  BundleVerification bv = VerifyBundle(*bundle, ArtifactRef{}, policy);
  if (!bv.ok()) {
    ModelVerification v = Verdict(bv.outcome == Outcome::kUntrusted ? SignatureStatus::kUntrusted : SignatureStatus::kInvalid,
                                 bv.reason);
    v.signer = bv.signer;
    v.issuer = bv.issuer;
    return v;
  }
  auto signed_manifest = ParseStatement(bv.payload);
  if (!signed_manifest.ok()) return Verdict(SignatureStatus::kInvalid, signed_manifest.status().message());
  *out = std::move(signed_manifest).value();

  ModelVerification v;
  v.status = SignatureStatus::kVerified;
  v.signer = bv.signer;
  v.issuer = bv.issuer;
  v.root_digest = out->root_digest;
  v.resources = out->resources;
  return v;
}

// How to serialize the model for comparison: as signed, plus the caller's exclusions.
ManifestOptions ActualOptions(const SignedManifest& signed_manifest, const ModelVerifyOptions& options) {
  ManifestOptions mopts = signed_manifest.options;
  mopts.ignore_git_paths = options.ignore_git_paths;
  for (const auto& p : options.ignore_paths) mopts.ignore_paths.push_back(p);
  return mopts;
}

// Compares the signed resources with the model's: kVerified when they are the same
// set with the same digests, else kInvalid naming every modified, missing and extra
// resource (`v` otherwise keeps what VerifyStatement filled in).
void CompareResources(const std::vector<ManifestEntry>& signed_resources, const std::vector<ManifestEntry>& actual,
                      ModelVerification& v) {
  std::map<std::string, std::string> expected, got;
  for (const auto& e : signed_resources) expected[e.name] = e.sha256;
  for (const auto& e : actual) got[e.name] = e.sha256;
  for (const auto& [name, digest] : expected) {
    auto it = got.find(name);
    if (it == got.end()) v.mismatches.push_back({FileMismatch::Kind::kMissing, name});
    else if (it->second != digest) v.mismatches.push_back({FileMismatch::Kind::kModified, name});
  }
  for (const auto& [name, digest] : got)
    if (!expected.count(name)) v.mismatches.push_back({FileMismatch::Kind::kExtra, name});
  if (v.mismatches.empty()) {
    v.status = SignatureStatus::kVerified;
    return;
  }
  v.status = SignatureStatus::kInvalid;
  std::string list;
  for (const auto& m : v.mismatches) {
    if (!list.empty()) list += ", ";
    list += m.kind == FileMismatch::Kind::kModified ? "modified " : m.kind == FileMismatch::Kind::kMissing ? "missing " : "extra ";
    list += m.name;
  }
  v.reason = "model does not match its signature: " + list;
}

}  // namespace

const char* SignatureStatusName(SignatureStatus s) {
  switch (s) {
    case SignatureStatus::kVerified: return "Verified";
    case SignatureStatus::kInvalid: return "Invalid";
    case SignatureStatus::kUntrusted: return "Untrusted";
    case SignatureStatus::kUnsigned: return "Unsigned";
    case SignatureStatus::kError: return "Error";
  }
  return "Error";
}

ModelVerification VerifyModel(const std::string& dir, const ModelVerifyOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Verdict(SignatureStatus::kError, dir + ": not a directory");
  std::string sig_path = options.signature_path.empty() ? (fs::path(dir) / "model.sig").string() : options.signature_path;
  if (!fs::exists(sig_path, ec)) return Verdict(SignatureStatus::kUnsigned, "no signature file " + sig_path);
  auto sig_size = fs::file_size(sig_path, ec);
  if (ec) return Verdict(SignatureStatus::kError, "cannot read " + sig_path + ": " + ec.message());
  if (sig_size > kMaxBundleBytes) return Verdict(SignatureStatus::kInvalid, "signature file is implausibly large");
  std::ifstream in(sig_path, std::ios::binary);
  if (!in) return Verdict(SignatureStatus::kError, "cannot read " + sig_path);
  std::ostringstream text;
  text << in.rdbuf();

  SignedManifest signed_manifest;
  ModelVerification v = VerifyStatement(text.str(), options.policy, &signed_manifest);
  if (v.status != SignatureStatus::kVerified) return v;

  ManifestOptions mopts = ActualOptions(signed_manifest, options);
  // The signature file is never part of what it signs.
  fs::path sig_abs = fs::weakly_canonical(sig_path, ec);
  fs::path dir_abs = fs::weakly_canonical(dir, ec);
  fs::path rel = sig_abs.lexically_relative(dir_abs);
  if (!rel.empty() && *rel.begin() != "..") mopts.ignore_paths.push_back(rel.generic_string());

  auto actual = ComputeManifest(dir, mopts);
  if (!actual.ok()) {
    v.status = SignatureStatus::kInvalid;
    v.reason = "model does not match its signature: " + actual.status().message();
    return v;
  }
  CompareResources(signed_manifest.resources, actual->entries, v);
  return v;
}

ModelVerification VerifyModelDigests(std::string_view bundle_json, const std::vector<ManifestEntry>& files,
                                     const ModelVerifyOptions& options) {
  if (bundle_json.size() > kMaxBundleBytes)
    return Verdict(SignatureStatus::kInvalid, "signature file is implausibly large");
  SignedManifest signed_manifest;
  ModelVerification v = VerifyStatement(bundle_json, options.policy, &signed_manifest);
  if (v.status != SignatureStatus::kVerified) return v;
  if (signed_manifest.options.method == SerializationMethod::kShards) {
    v.status = SignatureStatus::kError;
    v.reason = "the signature uses the shards serialization, which cannot be checked against whole-file "
               "SHA-256s; verify it where the model's bytes can be read";
    return v;
  }
  ManifestOptions mopts = ActualOptions(signed_manifest, options);
  // The signature file is never part of what it signs.
  mopts.ignore_paths.push_back(options.signature_path.empty() ? "model.sig" : options.signature_path);
  auto actual = ManifestFromDigests(files, mopts);
  if (!actual.ok()) {
    v.status = SignatureStatus::kError;
    v.reason = "cannot compare the model with its signature: " + actual.status().message();
    return v;
  }
  CompareResources(signed_manifest.resources, actual->entries, v);
  return v;
}

}  // namespace modelgate::signing
