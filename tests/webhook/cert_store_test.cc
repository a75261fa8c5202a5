// CertStore's reload bookkeeping and logging: a failed reload after rotation must be
// reported (once per distinct error, not on every handshake that retries it) while the
// old pair keeps serving; a successful one is logged too.
#include "webhook/cert_store.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "tests/webhook/test_certs.h"
#include "tests/log_capture.h"

namespace modelgate::webhook {
namespace {
namespace fs = std::filesystem;

using test_support::CountOf;

class CertStoreReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mg_cert_store_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    ASSERT_TRUE(testing::WriteSelfSignedCert(Path("a.crt"), Path("a.key"), "cert-a"));
    ASSERT_TRUE(testing::WriteSelfSignedCert(Path("b.crt"), Path("b.key"), "cert-b"));
    Replace("tls.crt", "a.crt");
    Replace("tls.key", "a.key");
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Log() const { return log_.Text(); }
  std::string Path(const std::string& n) const { return (dir_ / n).string(); }

  // Copies `from` over `to` and gives it a modification time of its own, so the change
  // is seen even when two copies land within one tick of the file system clock.
  void Replace(const std::string& to, const std::string& from) {
    fs::copy_file(Path(from), Path(to), fs::copy_options::overwrite_existing);
    fs::last_write_time(Path(to), fs::file_time_type::clock::now() + std::chrono::seconds(++tick_));
  }
  void Write(const std::string& to, const std::string& text) {
    std::FILE* f = std::fopen(Path(to).c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(text.c_str(), f);
    std::fclose(f);
    fs::last_write_time(Path(to), fs::file_time_type::clock::now() + std::chrono::seconds(++tick_));
  }

  fs::path dir_;
  int tick_ = 0;
  test_support::LogCapture log_{"cert-store-test"};
};

TEST_F(CertStoreReloadTest, MismatchedKeyIsLoggedOnceAndTheOldPairKeepsServing) {
  auto store = CertStore::Load(Path("tls.crt"), Path("tls.key"), std::chrono::milliseconds(0));
  ASSERT_TRUE(store.ok()) << store.status().message();
  const std::string old = store.value()->Fingerprint();
  Replace("tls.crt", "b.crt");  // new certificate, old key: mid-rotation

  // Every handshake retries the reload; the log must not grow with them.
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(store.value()->ReloadIfChanged().ok());
  EXPECT_EQ(CountOf(Log(), "webhook certificate reload failed"), 1) << Log();
  EXPECT_NE(Log().find("[warning]"), std::string::npos) << Log();
  EXPECT_NE(Log().find("does not match"), std::string::npos) << Log();
  EXPECT_NE(Log().find("still serving sha256 " + old), std::string::npos) << Log();

  CertStore::ReloadState st = store.value()->reload_state();
  EXPECT_EQ(st.generation, 1);
  EXPECT_EQ(st.failed_attempts, 5);
  EXPECT_NE(st.last_error.find("does not match"), std::string::npos);
  EXPECT_EQ(store.value()->Fingerprint(), old);
}

TEST_F(CertStoreReloadTest, ADifferentFailureIsLoggedAgain) {
  auto store = CertStore::Load(Path("tls.crt"), Path("tls.key"), std::chrono::milliseconds(0));
  ASSERT_TRUE(store.ok());
  Replace("tls.crt", "b.crt");
  EXPECT_FALSE(store.value()->ReloadIfChanged().ok());
  Write("tls.key", "-----BEGIN PRIV");  // the key, half-written
  EXPECT_FALSE(store.value()->ReloadIfChanged().ok());
  EXPECT_FALSE(store.value()->ReloadIfChanged().ok());
  EXPECT_EQ(CountOf(Log(), "webhook certificate reload failed"), 2) << Log();
  EXPECT_NE(Log().find("no PEM private key"), std::string::npos) << Log();
  EXPECT_NE(store.value()->reload_state().last_error.find("no PEM private key"), std::string::npos);
}

TEST_F(CertStoreReloadTest, CompletedRotationIsLoggedAndClearsTheFailure) {
  auto store = CertStore::Load(Path("tls.crt"), Path("tls.key"), std::chrono::milliseconds(0));
  ASSERT_TRUE(store.ok());
  Replace("tls.crt", "b.crt");
  EXPECT_FALSE(store.value()->ReloadIfChanged().ok());
  Replace("tls.key", "b.key");
  ASSERT_TRUE(store.value()->ReloadIfChanged().ok());

  CertStore::ReloadState st = store.value()->reload_state();
  EXPECT_EQ(st.generation, 2);
  EXPECT_EQ(st.failed_attempts, 0);
  EXPECT_EQ(st.last_error, "");
  EXPECT_NE(Log().find("[info] webhook certificate reloaded from " + Path("tls.crt")), std::string::npos)
      << Log();
  EXPECT_NE(Log().find("now serving sha256 " + store.value()->Fingerprint() + " (generation 2)"),
            std::string::npos)
      << Log();

  // The same error after a success is a new failure: reported again.
  Replace("tls.crt", "a.crt");
  EXPECT_FALSE(store.value()->ReloadIfChanged().ok());
  EXPECT_EQ(CountOf(Log(), "webhook certificate reload failed"), 2) << Log();
}

TEST_F(CertStoreReloadTest, UnchangedFilesAreNeitherReloadedNorLogged) {
  auto store = CertStore::Load(Path("tls.crt"), Path("tls.key"), std::chrono::milliseconds(0));
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(store.value()->ReloadIfChanged().ok());
  EXPECT_EQ(store.value()->generation(), 1);
  EXPECT_EQ(Log(), "");
}

TEST_F(CertStoreReloadTest, ChecksAtMostOncePerInterval) {
  auto store = CertStore::Load(Path("tls.crt"), Path("tls.key"), std::chrono::hours(1));
  ASSERT_TRUE(store.ok());
  Replace("tls.crt", "b.crt");
  Replace("tls.key", "b.key");
  EXPECT_TRUE(store.value()->ReloadIfChanged().ok());
  EXPECT_EQ(store.value()->generation(), 1);  // not looked at within the hour after Load
}

}  // namespace
}  // namespace modelgate::webhook
