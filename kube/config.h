// Where the API server is and how to authenticate to it: from a kubeconfig file or
// from the in-cluster service account.
#pragma once

#include <chrono>
#include <string>

#include "scanners/status.h"

namespace modelgate::kube {

// Everything a Client needs to reach one API server. All credentials are held as PEM
// text (files named by a kubeconfig are read once, at load time), except the bearer
// token file, which is re-read on every request so rotated service-account tokens work.
struct Config {
  // https://host:port, no trailing slash. Plain http is refused by Client::Create.
  std::string server;
  // PEM CA bundle the server certificate must chain to. Empty: the system trust store.
  std::string ca_pem;
  // PEM client certificate and key for mutual TLS; both empty or both set.
  std::string client_cert_pem;
  std::string client_key_pem;
  // Static bearer token; empty when unused.
  std::string token;
  // File holding the bearer token (in-cluster); wins over `token` when set.
  std::string token_file;
  // Namespace of the current context (kubeconfig) or of the pod (in-cluster);
  // "default" when neither says.
  std::string ns = "default";
  // Upper bound for one non-watch request, connect to last byte. Default 30 s.
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
};

// Parses kubeconfig YAML text. `context` selects a context by name; empty means the
// file's current-context. Relative file paths (certificate-authority, client-certificate,
// client-key, tokenFile) are resolved against `base_dir`. Errors name the missing or bad
// field, e.g. "kubeconfig: context \"x\" not found". Never throws.
Result<Config> ParseKubeconfig(const std::string& yaml_text, const std::string& base_dir,
                               const std::string& context = "");

// Reads and parses the kubeconfig at `path` (base_dir = its directory).
Result<Config> LoadKubeconfig(const std::string& path, const std::string& context = "");

// In-cluster configuration: server from KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT,
// CA from <sa_dir>/ca.crt, token from <sa_dir>/token, namespace from <sa_dir>/namespace.
// Fails when the variables or the token/CA files are missing.
Result<Config> InClusterConfig(
    const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// $KUBECONFIG (first entry of the list) when set, else ~/.kube/config when it exists,
// else the in-cluster configuration.
Result<Config> DefaultConfig();

}  // namespace modelgate::kube
