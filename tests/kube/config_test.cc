// Kubeconfig and in-cluster parsing, from files the test writes itself.
#include "kube/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace modelgate::kube {
namespace {

namespace fs = std::filesystem;

// base64 of "CA-PEM", "CERT-PEM", "KEY-PEM".
constexpr const char* kCaB64 = "Q0EtUEVN";
constexpr const char* kCertB64 = "Q0VSVC1QRU0=";
constexpr const char* kKeyB64 = "S0VZLVBFTQ==";

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/mg-kube-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    const std::string p = path_ + "/" + name;
    std::ofstream(p) << text;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string TwoContexts() {
  return std::string(R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: )") + kCaB64 + R"(
- name: c2
  cluster:
    server: https://10.0.0.1
    certificate-authority: ca.pem
users:
- name: u-cert
  user:
    client-certificate-data: )" + kCertB64 + R"(
    client-key-data: )" + kKeyB64 + R"(
- name: u-token
  user:
    token: s3cr3t
- name: u-files
  user:
    client-certificate: sub/cert.pem
    client-key: /abs/key.pem
contexts:
- name: dev
  context: {cluster: c1, user: u-cert, namespace: team-a}
- name: prod
  context: {cluster: c2, user: u-token}
- name: broken-files
  context: {cluster: c1, user: u-files}
)";
}

TEST(KubeconfigTest, CurrentContextWithInlineDataDecodesBase64) {
  auto cfg = ParseKubeconfig(TwoContexts(), "/nowhere");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->server, "https://127.0.0.1:6443");  // trailing slash trimmed
  EXPECT_EQ(cfg->ca_pem, "CA-PEM");
  EXPECT_EQ(cfg->client_cert_pem, "CERT-PEM");
  EXPECT_EQ(cfg->client_key_pem, "KEY-PEM");
  EXPECT_EQ(cfg->ns, "team-a");
  EXPECT_TRUE(cfg->token.empty());
}

TEST(KubeconfigTest, ExplicitContextWithTokenAndRelativeCaFile) {
  TempDir dir;
  dir.Write("ca.pem", "CA-FROM-FILE");
  auto cfg = ParseKubeconfig(TwoContexts(), dir.path(), "prod");
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->server, "https://10.0.0.1");
  EXPECT_EQ(cfg->ca_pem, "CA-FROM-FILE");
  EXPECT_EQ(cfg->token, "s3cr3t");
  EXPECT_EQ(cfg->ns, "default");
}

TEST(KubeconfigTest, MissingReferencedFileNamesTheField) {
  auto cfg = ParseKubeconfig(TwoContexts(), "/nonexistent-dir", "broken-files");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("users[u-files].user.client-certificate"), std::string::npos)
      << cfg.status().message();
}

TEST(KubeconfigTest, UnknownContextIsAnError) {
  auto cfg = ParseKubeconfig(TwoContexts(), "", "nope");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("context \"nope\" not found"), std::string::npos);
}

TEST(KubeconfigTest, InsecureSkipTlsVerifyIsRefused) {
  auto cfg = ParseKubeconfig(R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://h", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
)", "");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("insecure-skip-tls-verify"), std::string::npos);
}

TEST(KubeconfigTest, CertificateWithoutKeyIsRefused) {
  auto cfg = ParseKubeconfig(std::string(R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://h"}}]
users: [{name: u, user: {client-certificate-data: )") + kCertB64 + R"(}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
)", "");
  ASSERT_FALSE(cfg.ok());
}

TEST(KubeconfigTest, InvalidBase64IsAnError) {
  auto cfg = ParseKubeconfig(R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://h", certificate-authority-data: "!!!not base64!!!"}}]
contexts: [{name: x, context: {cluster: c}}]
)", "");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("base64"), std::string::npos) << cfg.status().message();
}

TEST(KubeconfigTest, MalformedYamlIsAnErrorNotAnException) {
  auto cfg = ParseKubeconfig("clusters: [unclosed", "");
  ASSERT_FALSE(cfg.ok());
  auto cfg2 = ParseKubeconfig("- just\n- a list\n", "");
  ASSERT_FALSE(cfg2.ok());
}

TEST(KubeconfigTest, ExecPluginsAreRefusedWithAClearMessage) {
  auto cfg = ParseKubeconfig(R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://h"}}]
users: [{name: u, user: {exec: {command: aws}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
)", "");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("exec"), std::string::npos);
}

TEST(KubeconfigTest, LoadFileResolvesPathsAgainstItsDirectory) {
  TempDir dir;
  fs::create_directories(dir.path() + "/sub");
  dir.Write("sub/cert.pem", "C");
  dir.Write("key.pem", "K");
  const std::string path = dir.Write("config", R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://h:1"}}]
users: [{name: u, user: {client-certificate: sub/cert.pem, client-key: key.pem}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
)");
  auto cfg = LoadKubeconfig(path);
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->client_cert_pem, "C");
  EXPECT_EQ(cfg->client_key_pem, "K");
}

TEST(InClusterConfigTest, ReadsServiceAccountFilesAndEnvironment) {
  TempDir dir;
  dir.Write("ca.crt", "CLUSTER-CA");
  dir.Write("token", "tok\n");
  dir.Write("namespace", "modelgate-system\n");
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto cfg = InClusterConfig(dir.path());
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->server, "https://10.96.0.1:443");
  EXPECT_EQ(cfg->ca_pem, "CLUSTER-CA");
  EXPECT_EQ(cfg->token_file, dir.path() + "/token");
  EXPECT_EQ(cfg->ns, "modelgate-system");

  setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  auto v6 = InClusterConfig(dir.path());
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->server, "https://[fd00::1]:443");
}

TEST(InClusterConfigTest, MissingEnvironmentOrTokenFails) {
  TempDir dir;
  dir.Write("ca.crt", "CLUSTER-CA");
  unsetenv("KUBERNETES_SERVICE_HOST");
  EXPECT_FALSE(InClusterConfig(dir.path()).ok());
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto cfg = InClusterConfig(dir.path());  // no token file
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("token"), std::string::npos);
}

}  // namespace
}  // namespace modelgate::kube
