// `modelgate verify --signature`: a relative signature path is relative to MODEL_DIR
// (as a ModelAdmission's spec.signature.path is), and a signature file the user named
// that is not there is a usage error (exit 2), not an "Unsigned" model (exit 1).
#include <stdlib.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "run_modelgate.h"

namespace modelgate::cli_test {
namespace {

namespace fs = std::filesystem;

const std::string kModels = std::string(MODELGATE_SHARED_DIR) + "/testdata/sigstore/model-signing/";
const std::string kKey = " --key " + kModels + "keys/certificate/signing-key-pub.pem";

// A writable copy of the elliptic-key vector at <base>/model (/work/shared is
// read-only), and <base>/elsewhere as a working directory that is not the model's.
class VerifyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "mg-verify-cli-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    base_ = tmpl;
    model_ = base_ / "model";
    fs::copy(kModels + "v1.1.0-elliptic-key", model_, fs::copy_options::recursive);
    for (auto& e : fs::recursive_directory_iterator(model_))
      fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
    fs::permissions(model_, fs::perms::owner_all, fs::perm_options::add);
    fs::create_directories(base_ / "elsewhere");
  }
  void TearDown() override { fs::remove_all(base_); }
  CliResult Verify(const std::string& args) {
    return RunModelgate("verify " + model_.string() + kKey + args, {.stdin_file = "", .cwd = (base_ / "elsewhere").string()});
  }
  fs::path base_, model_;
};

TEST_F(VerifyCli, DefaultSignatureIsModelSigInTheModel) {
  CliResult r = Verify("");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Verified: ", 0), 0u) << r.out;
}

TEST_F(VerifyCli, RelativeSignatureIsRelativeToTheModelDirectory) {
  fs::create_directories(model_ / "sigs");
  fs::rename(model_ / "model.sig", model_ / "sigs" / "release.sig");
  // The working directory has no sigs/release.sig: only MODEL_DIR/sigs/release.sig exists.
  CliResult r = Verify(" --signature sigs/release.sig");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Verified: ", 0), 0u) << r.out;
}

TEST_F(VerifyCli, AbsoluteSignatureOutsideTheModelIsUsedAsGiven) {
  fs::rename(model_ / "model.sig", base_ / "outside.sig");
  CliResult r = Verify(" --signature " + (base_ / "outside.sig").string());
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST_F(VerifyCli, NamedSignatureThatDoesNotExistIsAUsageError) {
  CliResult r = Verify(" --signature missing.sig");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("no signature file " + (model_ / "missing.sig").string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("relative to MODEL_DIR"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Unsigned"), std::string::npos) << r.err;

  CliResult abs = Verify(" --signature " + (base_ / "missing.sig").string());
  EXPECT_EQ(abs.code, 2) << abs.err;
}

TEST_F(VerifyCli, NoSignatureAtTheDefaultPathIsUnsigned) {
  fs::remove(model_ / "model.sig");
  CliResult r = Verify("");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(r.err.rfind("Unsigned: ", 0), 0u) << r.err;
}

TEST_F(VerifyCli, SecondModelDirectoryIsAUsageError) {
  CliResult r = Verify(" " + base_.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unexpected argument"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace modelgate::cli_test
