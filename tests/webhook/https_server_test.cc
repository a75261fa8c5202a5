#include "webhook/https_server.h"

#include <gtest/gtest.h>

#include <boost/asio/ssl.hpp>
#include <cpprest/http_client.h>
#include <filesystem>
#include <thread>

#include "tests/webhook/test_certs.h"

namespace modelgate::webhook {
namespace {
namespace fs = std::filesystem;
using web::http::client::http_client;
using web::http::client::http_client_config;

class HttpsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mg_https_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    ASSERT_TRUE(testing::WriteSelfSignedCert(Path("a.crt"), Path("a.key"), "cert-a"));
    ASSERT_TRUE(testing::WriteSelfSignedCert(Path("b.crt"), Path("b.key"), "cert-b"));
    fs::copy_file(Path("a.crt"), Path("tls.crt"));
    fs::copy_file(Path("a.key"), Path("tls.key"));
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& n) const { return (dir_ / n).string(); }

  // GET/POST with a client that trusts only `ca_file`. Returns the status or -1
  // when the TLS handshake (or connection) fails.
  int Call(const std::string& url, const std::string& ca_file, const std::string& method = "GET",
           const std::string& body = "") {
    http_client_config cfg;
    cfg.set_timeout(std::chrono::seconds(5));
    cfg.set_ssl_context_callback([ca_file](boost::asio::ssl::context& ctx) {
      ctx.set_verify_mode(boost::asio::ssl::verify_peer);
      ctx.load_verify_file(ca_file);
    });
    try {
      http_client client(url, cfg);
      auto resp = client.request(method, "", body, "application/json").get();
      last_body_ = resp.extract_string().get();
      return resp.status_code();
    } catch (const std::exception&) {
      return -1;
    }
  }

  std::unique_ptr<HttpsServer> StartServer(std::shared_ptr<CertStore> store) {
    ServerOptions opts;
    opts.tls = std::move(store);
    opts.max_body_bytes = 1024;
    auto s = HttpsServer::Start(
        opts, {{"/healthz", [](const HttpRequest&) { return HttpResponse{200, "text/plain", "ok"}; }},
               {"/echo", [](const HttpRequest& r) { return HttpResponse{200, "text/plain", r.body}; }},
               {"/boom", [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("bug"); }}});
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  fs::path dir_;
  std::string last_body_;
};

TEST_F(HttpsServerTest, ServesRoutesOverVerifiedTls) {
  auto store = CertStore::Load(Path("tls.crt"), Path("tls.key"));
  ASSERT_TRUE(store.ok()) << store.status().message();
  auto server = StartServer(store.value());
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Call(server->url() + "/healthz", Path("a.crt")), 200);
  EXPECT_EQ(last_body_, "ok");
  EXPECT_EQ(Call(server->url() + "/nope", Path("a.crt")), 404);
  EXPECT_EQ(Call(server->url() + "/echo", Path("a.crt"), "POST", "hello"), 200);
  EXPECT_EQ(last_body_, "hello");
  EXPECT_EQ(Call(server->url() + "/echo", Path("a.crt"), "POST", std::string(2048, 'x')), 413);
  EXPECT_EQ(Call(server->url() + "/boom", Path("a.crt")), 500);
  // A client that does not trust the serving certificate cannot connect.
  EXPECT_EQ(Call(server->url() + "/healthz", Path("b.crt")), -1);
}

TEST_F(HttpsServerTest, RotatedCertificateIsServedWithoutRestart) {
  auto store = CertStore::Load(Path("tls.crt"), Path("tls.key"));
  ASSERT_TRUE(store.ok());
  auto server = StartServer(store.value());
  ASSERT_NE(server, nullptr);
  std::string before = store.value()->Fingerprint();
  EXPECT_EQ(Call(server->url() + "/healthz", Path("a.crt")), 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // reload checks at most 1/s
  fs::copy_file(Path("b.crt"), Path("tls.crt"), fs::copy_options::overwrite_existing);
  fs::copy_file(Path("b.key"), Path("tls.key"), fs::copy_options::overwrite_existing);
  EXPECT_EQ(Call(server->url() + "/healthz", Path("b.crt")), 200);
  EXPECT_NE(store.value()->Fingerprint(), before);
  EXPECT_EQ(store.value()->generation(), 2);
  EXPECT_EQ(Call(server->url() + "/healthz", Path("a.crt")), -1);
}

TEST_F(HttpsServerTest, HalfWrittenRotationKeepsTheOldPair) {
  auto store = CertStore::Load(Path("tls.crt"), Path("tls.key"));
  ASSERT_TRUE(store.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  // New certificate, old key: mid-rotation state.
  fs::copy_file(Path("b.crt"), Path("tls.crt"), fs::copy_options::overwrite_existing);
  Status s = store.value()->ReloadIfChanged();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not match"), std::string::npos);
  EXPECT_EQ(store.value()->generation(), 1);
}

TEST(CertStore, MissingOrGarbageFilesAreErrors) {
  EXPECT_FALSE(CertStore::Load("/nonexistent.crt", "/nonexistent.key").ok());
  auto dir = fs::temp_directory_path();
  std::string junk = (dir / "mg_junk.pem").string();
  { std::FILE* f = std::fopen(junk.c_str(), "w"); std::fputs("not a cert", f); std::fclose(f); }
  auto r = CertStore::Load(junk, junk);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no PEM certificate"), std::string::npos);
  fs::remove(junk);
}

}  // namespace
}  // namespace modelgate::webhook
