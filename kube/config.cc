#include "kube/config.h"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace modelgate::kube {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Decodes standard base64 (kubeconfig *-data fields) through OpenSSL.
Result<std::string> DecodeBase64(const std::string& in, const std::string& field) {
  std::string clean;
  for (char c : in)
    if (c != '\n' && c != '\r' && c != ' ') clean.push_back(c);
  std::vector<unsigned char> out(clean.size() / 4 * 3 + 3);
  EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
  if (ctx == nullptr) return Status::Error("out of memory");
  EVP_DecodeInit(ctx);
  int n = 0;
  int fin = 0;
  int rc = EVP_DecodeUpdate(ctx, out.data(), &n, reinterpret_cast<const unsigned char*>(clean.data()),
                            static_cast<int>(clean.size()));
  if (rc >= 0) rc = EVP_DecodeFinal(ctx, out.data() + n, &fin);
  EVP_ENCODE_CTX_free(ctx);
  if (rc < 0) return Status::Error("kubeconfig: " + field + " is not valid base64");
  return std::string(reinterpret_cast<char*>(out.data()), static_cast<size_t>(n + fin));
}

std::string Resolve(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).string();
}

// Finds the entry `name` in a kubeconfig list such as clusters: [{name, cluster: {...}}]
// and returns its `inner` map.
Result<YAML::Node> FindNamed(const YAML::Node& root, const char* list, const char* inner,
                             const std::string& name) {
  const YAML::Node items = root[list];
  if (items && items.IsSequence()) {
    for (const auto& item : items) {
      if (item["name"] && item["name"].as<std::string>() == name) {
        if (!item[inner] || !item[inner].IsMap())
          return Status::Error(std::string("kubeconfig: ") + list + "[" + name + "]." + inner +
                               " missing");
        return item[inner];
      }
    }
  }
  return Status::Error(std::string("kubeconfig: ") + inner + " \"" + name + "\" not found");
}

std::string Str(const YAML::Node& map, const char* key) {
  const YAML::Node v = map[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

// Loads PEM either from `<key>-data` (base64) or from the file `<key>`.
Result<std::string> PemField(const YAML::Node& map, const std::string& key,
                             const std::string& where, const std::string& base_dir) {
  const std::string data = Str(map, (key + "-data").c_str());
  if (!data.empty()) return DecodeBase64(data, where + "." + key + "-data");
  const std::string file = Str(map, key.c_str());
  if (file.empty()) return std::string();
  auto text = ReadFile(Resolve(file, base_dir));
  if (!text.ok()) return Status::Error("kubeconfig: " + where + "." + key + ": " + text.status().message());
  return std::move(text).value();
}

Result<Config> ParseTree(const YAML::Node& root, const std::string& base_dir,
                         const std::string& context_arg) {
  if (!root || !root.IsMap()) return Status::Error("kubeconfig: not a YAML map");
  std::string context_name = context_arg.empty() ? Str(root, "current-context") : context_arg;
  if (context_name.empty()) return Status::Error("kubeconfig: no current-context and none given");
  auto context = FindNamed(root, "contexts", "context", context_name);
  if (!context.ok()) return context.status();
  const std::string cluster_name = Str(*context, "cluster");
  const std::string user_name = Str(*context, "user");
  if (cluster_name.empty())
    return Status::Error("kubeconfig: context \"" + context_name + "\" names no cluster");

  Config cfg;
  const std::string ns = Str(*context, "namespace");
  if (!ns.empty()) cfg.ns = ns;

  auto cluster = FindNamed(root, "clusters", "cluster", cluster_name);
  if (!cluster.ok()) return cluster.status();
  cfg.server = Str(*cluster, "server");
  while (!cfg.server.empty() && cfg.server.back() == '/') cfg.server.pop_back();
  if (cfg.server.empty())
    return Status::Error("kubeconfig: clusters[" + cluster_name + "].cluster.server missing");
  if (Str(*cluster, "insecure-skip-tls-verify") == "true")
    return Status::Error("kubeconfig: clusters[" + cluster_name +
                         "].cluster.insecure-skip-tls-verify is not supported: TLS is always verified");
  auto ca = PemField(*cluster, "certificate-authority", "clusters[" + cluster_name + "].cluster", base_dir);
  if (!ca.ok()) return ca.status();
  cfg.ca_pem = std::move(ca).value();

  if (!user_name.empty()) {
    auto user = FindNamed(root, "users", "user", user_name);
    if (!user.ok()) return user.status();
    const std::string where = "users[" + user_name + "].user";
    auto cert = PemField(*user, "client-certificate", where, base_dir);
    if (!cert.ok()) return cert.status();
    auto key = PemField(*user, "client-key", where, base_dir);
    if (!key.ok()) return key.status();
    cfg.client_cert_pem = std::move(cert).value();
    cfg.client_key_pem = std::move(key).value();
    if (cfg.client_cert_pem.empty() != cfg.client_key_pem.empty())
      return Status::Error("kubeconfig: " + where + " has a client certificate without a key or vice versa");
    cfg.token = Str(*user, "token");
    const std::string token_file = Str(*user, "tokenFile");
    if (!token_file.empty()) cfg.token_file = Resolve(token_file, base_dir);
    if ((*user)["exec"] || (*user)["auth-provider"])
      return Status::Error("kubeconfig: " + where + ": exec and auth-provider plugins are not supported");
  }
  return cfg;
}

}  // namespace

Result<Config> ParseKubeconfig(const std::string& yaml_text, const std::string& base_dir,
                               const std::string& context) {
  try {
    return ParseTree(YAML::Load(yaml_text), base_dir, context);
  } catch (const YAML::Exception& e) {
    return Status::Error(std::string("kubeconfig: ") + e.what());
  }
}

Result<Config> LoadKubeconfig(const std::string& path, const std::string& context) {
  auto text = ReadFile(path);
  if (!text.ok()) return Status::Error("kubeconfig: " + text.status().message());
  return ParseKubeconfig(*text, std::filesystem::path(path).parent_path().string(), context);
}

Result<Config> InClusterConfig(const std::string& sa_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0' || port == nullptr || *port == '\0')
    return Status::Error("in-cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set");
  Config cfg;
  const std::string h = host;
  // IPv6 service addresses need brackets in a URL.
  cfg.server = "https://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + port;
  auto ca = ReadFile(sa_dir + "/ca.crt");
  if (!ca.ok()) return Status::Error("in-cluster: " + ca.status().message());
  cfg.ca_pem = std::move(ca).value();
  cfg.token_file = sa_dir + "/token";
  auto token = ReadFile(cfg.token_file);
  if (!token.ok()) return Status::Error("in-cluster: " + token.status().message());
  auto ns = ReadFile(sa_dir + "/namespace");
  if (ns.ok()) {
    std::string n = *ns;
    while (!n.empty() && (n.back() == '\n' || n.back() == ' ')) n.pop_back();
    if (!n.empty()) cfg.ns = n;
  }
  return cfg;
}

Result<Config> DefaultConfig() {
  const char* env = std::getenv("KUBECONFIG");
  if (env != nullptr && *env != '\0') {
    std::string first = env;
    first = first.substr(0, first.find(':'));
    return LoadKubeconfig(first);
  }
  const char* home = std::getenv("HOME");
  if (home != nullptr) {
    const std::string path = std::string(home) + "/.kube/config";
    if (std::filesystem::exists(path)) return LoadKubeconfig(path);
  }
  return InClusterConfig();
}

}  // namespace modelgate::kube
