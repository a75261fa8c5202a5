#include "webhook/packed_model_admission.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "policy/objects.h"

namespace modelgate::webhook {
namespace {

using nlohmann::json;
using policy::ModelAdmission;

// Every field set, with values that exercise each string encoding: lowercase 64-hex
// (packed as 32 bytes), "sha256:" + 64-hex, uppercase hex and near-misses (kept as written).
ModelAdmission Full() {
  ModelAdmission ma;
  ma.name = "llama";
  ma.namespace_name = "ml";
  ma.uid = "0d6c1b6e-8a52-4c0e-9f43-3d2b1a0f9e77";
  ma.generation = 7;
  ma.labels = {{"team", "search"}, {"tier", ""}};
  ma.source.kind = policy::ModelSource::Kind::kPvc;
  ma.source.claim_name = "models";
  ma.source.sub_path = "llama-3-8b";
  ma.source.host_path = "/mnt/x";
  ma.source.image_reference = "reg/x@sha256:" + std::string(64, 'e');
  ma.hf_repo = "meta-llama/Meta-Llama-3-8B";
  ma.hf_revision = std::string(40, 'c');
  ma.files = {{"model.safetensors", std::string(64, 'a')},
              {"config.json", std::string(64, 'A')},          // uppercase: kept as written
              {"tokenizer.json", std::string(63, 'a')},       // one short
              {"x.bin", std::string(63, 'a') + "g"},          // not hex
              {"empty-pin.json", ""}};
  ma.digest = "sha256:" + std::string(64, 'd');
  ma.format = "safetensors";
  ma.signature_declared = true;
  ma.signature_path = "model.sig";
  ma.signature_identity = "https://github.com/acme-ai/models/.github/workflows/release.yml@refs/heads/main";
  ma.signature_issuer = "https://token.actions.githubusercontent.com";
  ma.signature_key = policy::KeyRef{"Secret", "keys", "cosign.pub"};
  ma.license = "Apache-2.0";
  ma.training_data_summary = "";  // present but empty is not absent
  ma.training_compute_flops = 1.2e24;
  ma.has_status = true;
  ma.phase = "Admitted";
  ma.observed_generation = 7;
  ma.conditions = {{"Scanned", "True", "Clean", "scanned 5 files"}, {"HashesMatch", "False", "Mismatch", "differs"}};
  ma.has_scan = true;
  ma.scan_completed_at = "2026-11-26T12:00:00Z";
  ma.scan_format = "safetensors";
  ma.scan_manifest_digest = "sha256:" + std::string(64, 'f');
  ma.scan_files = {{"model.safetensors", std::string(64, '0'), "safetensors", 1 << 30},
                   {"config.json", "", "json", std::nullopt}};
  ma.scan_findings = {{"pickle/dangerous-global", "critical", "x.bin", "os.system"}};
  ma.scan_undecided = {{"", "", "y.bin", "truncated"}};
  ma.signature_status = "Verified";
  ma.signature_status_identity = "id";
  ma.signature_status_issuer = "https://issuer";
  return ma;
}

// Field by field (ModelAdmission has no operator==); fails naming the field.
void ExpectSame(const ModelAdmission& a, const ModelAdmission& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.namespace_name, b.namespace_name);
  EXPECT_EQ(a.uid, b.uid);
  EXPECT_EQ(a.generation, b.generation);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.source.kind, b.source.kind);
  EXPECT_EQ(a.source.claim_name, b.source.claim_name);
  EXPECT_EQ(a.source.sub_path, b.source.sub_path);
  EXPECT_EQ(a.source.host_path, b.source.host_path);
  EXPECT_EQ(a.source.image_reference, b.source.image_reference);
  EXPECT_EQ(a.hf_repo, b.hf_repo);
  EXPECT_EQ(a.hf_revision, b.hf_revision);
  ASSERT_EQ(a.files.size(), b.files.size());
  for (size_t i = 0; i < a.files.size(); ++i) {
    EXPECT_EQ(a.files[i].path, b.files[i].path);
    EXPECT_EQ(a.files[i].sha256, b.files[i].sha256);
  }
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(a.format, b.format);
  EXPECT_EQ(a.signature_declared, b.signature_declared);
  EXPECT_EQ(a.signature_path, b.signature_path);
  EXPECT_EQ(a.signature_identity, b.signature_identity);
  EXPECT_EQ(a.signature_issuer, b.signature_issuer);
  EXPECT_EQ(a.signature_key, b.signature_key);
  EXPECT_EQ(a.license, b.license);
  EXPECT_EQ(a.training_data_summary, b.training_data_summary);
  EXPECT_EQ(a.training_compute_flops, b.training_compute_flops);
  EXPECT_EQ(a.has_status, b.has_status);
  EXPECT_EQ(a.phase, b.phase);
  EXPECT_EQ(a.observed_generation, b.observed_generation);
  ASSERT_EQ(a.conditions.size(), b.conditions.size());
  for (size_t i = 0; i < a.conditions.size(); ++i) {
    EXPECT_EQ(a.conditions[i].type, b.conditions[i].type);
    EXPECT_EQ(a.conditions[i].status, b.conditions[i].status);
    EXPECT_EQ(a.conditions[i].reason, b.conditions[i].reason);
    EXPECT_EQ(a.conditions[i].message, b.conditions[i].message);
  }
  EXPECT_EQ(a.has_scan, b.has_scan);
  EXPECT_EQ(a.scan_completed_at, b.scan_completed_at);
  EXPECT_EQ(a.scan_format, b.scan_format);
  EXPECT_EQ(a.scan_manifest_digest, b.scan_manifest_digest);
  ASSERT_EQ(a.scan_files.size(), b.scan_files.size());
  for (size_t i = 0; i < a.scan_files.size(); ++i) {
    EXPECT_EQ(a.scan_files[i].path, b.scan_files[i].path);
    EXPECT_EQ(a.scan_files[i].sha256, b.scan_files[i].sha256);
    EXPECT_EQ(a.scan_files[i].format, b.scan_files[i].format);
    EXPECT_EQ(a.scan_files[i].size, b.scan_files[i].size);
  }
  for (auto [x, y] : {std::pair{&a.scan_findings, &b.scan_findings}, std::pair{&a.scan_undecided, &b.scan_undecided}}) {
    ASSERT_EQ(x->size(), y->size());
    for (size_t i = 0; i < x->size(); ++i) {
      EXPECT_EQ((*x)[i].rule, (*y)[i].rule);
      EXPECT_EQ((*x)[i].severity, (*y)[i].severity);
      EXPECT_EQ((*x)[i].file, (*y)[i].file);
      EXPECT_EQ((*x)[i].detail, (*y)[i].detail);
    }
  }
  EXPECT_EQ(a.signature_status, b.signature_status);
  EXPECT_EQ(a.signature_status_identity, b.signature_status_identity);
  EXPECT_EQ(a.signature_status_issuer, b.signature_status_issuer);
}

TEST(PackedModelAdmission, RoundTripsEveryField) {
  const ModelAdmission ma = Full();
  ExpectSame(UnpackModelAdmission(PackModelAdmission(ma)), ma);
}

TEST(PackedModelAdmission, RoundTripsTheEmptyObject) {
  ExpectSame(UnpackModelAdmission(PackModelAdmission(ModelAdmission{})), ModelAdmission{});
}

TEST(PackedModelAdmission, KeepsLowercaseSha256sAsTheir32Bytes) {
  ModelAdmission one, many;
  one.files = {{"f", ""}};
  many.files = {{"f", std::string(64, 'a')}};
  // 64 characters in, 32 bytes (after the tag) stored.
  EXPECT_EQ(PackModelAdmission(many).size() - PackModelAdmission(one).size(), 31u);  // "" is tag + length
  ModelAdmission upper;
  upper.files = {{"f", std::string(64, 'A')}};
  EXPECT_EQ(PackModelAdmission(upper).size() - PackModelAdmission(one).size(), 64u);
}

TEST(PackedModelAdmission, BenchmarkShapedModelFitsIn2KB) {
  // The benchmark's shape (7 pinned + 7 scanned files with SHA-256s, signer URLs, 2
  // conditions): ~5 KB of heap decoded, 8.5 KB of JSON from the API server.
  ModelAdmission ma = Full();
  ma.files.assign(7, {"model-00001-of-00002.safetensors", std::string(64, 'a')});
  ma.scan_files.assign(7, {"model-00001-of-00002.safetensors", std::string(64, 'a'), "safetensors", 1});
  EXPECT_LT(PackModelAdmission(ma).size(), 2048u);
}

TEST(PackedModelAdmission, TruncatedBytesNeverCrash) {
  const std::string packed = PackModelAdmission(Full());
  for (size_t n = 0; n < packed.size(); ++n) {
    const ModelAdmission ma = UnpackModelAdmission(std::string_view(packed).substr(0, n));
    if (n == 0) {
      EXPECT_EQ(ma.name, "");
    }
  }
  const ModelAdmission half = UnpackModelAdmission(std::string_view(packed).substr(0, packed.size() / 2));
  EXPECT_EQ(half.name, "llama");
  EXPECT_TRUE(half.signature_status_issuer.empty());
}

}  // namespace
}  // namespace modelgate::webhook
