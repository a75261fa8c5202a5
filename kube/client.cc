// The one place that wraps cpprestsdk: its exceptions stop here and become Status values.
#include "kube/client.h"
#include "kube/openssl_lifetime.h"

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>
#include <cpprest/uri_builder.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>

namespace modelgate::kube {
namespace http = web::http;

struct CancelToken::Impl {
  pplx::cancellation_token_source source;
};

CancelToken::CancelToken() : impl_(std::make_shared<Impl>()) {}
void CancelToken::Cancel() const { impl_->source.cancel(); }
bool CancelToken::cancelled() const { return impl_->source.get_token().is_canceled(); }

namespace {

bool PemHas(const std::string& pem, bool key) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return false;
  bool ok;
  if (key) {
    EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    ok = k != nullptr;
    EVP_PKEY_free(k);
  } else {
    X509* c = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    ok = c != nullptr;
    X509_free(c);
  }
  BIO_free(bio);
  return ok;
}

std::string PatchContentType(PatchType t) {
  switch (t) {
    case PatchType::kMerge: return "application/merge-patch+json";
    case PatchType::kStrategicMerge: return "application/strategic-merge-patch+json";
    case PatchType::kJson: return "application/json-patch+json";
    case PatchType::kApply: return "application/apply-patch+yaml";  // JSON is valid YAML
  }
  return "application/json";
}

WatchEvent::Type EventType(const std::string& t) {
  if (t == "ADDED") return WatchEvent::Type::kAdded;
  if (t == "MODIFIED") return WatchEvent::Type::kModified;
  if (t == "DELETED") return WatchEvent::Type::kDeleted;
  if (t == "BOOKMARK") return WatchEvent::Type::kBookmark;
  return WatchEvent::Type::kError;
}

}  // namespace

struct Client::Impl {
  Config config;
  std::unique_ptr<http::client::http_client> http;

  http::client::http_client_config HttpConfig(std::chrono::milliseconds timeout) const {
    http::client::http_client_config c;
    c.set_validate_certificates(true);
    c.set_timeout(timeout);
    const std::string ca = config.ca_pem;
    const std::string cert = config.client_cert_pem;
    const std::string key = config.client_key_pem;
    c.set_ssl_context_callback([ca, cert, key](boost::asio::ssl::context& ctx) {
      // PEM was validated in Create(); a failure here still must not escape into asio.
      try {
        if (!ca.empty()) ctx.add_certificate_authority(boost::asio::buffer(ca.data(), ca.size()));
        if (!cert.empty()) {
          ctx.use_certificate_chain(boost::asio::buffer(cert.data(), cert.size()));
          ctx.use_private_key(boost::asio::buffer(key.data(), key.size()),
                              boost::asio::ssl::context::pem);
        }
      } catch (const std::exception&) {
        // Leaves the context without the credential; the handshake then fails and
        // surfaces as a transport error.
      }
    });
    return c;
  }

  http::http_request NewRequest(const std::string& method, const std::string& path_and_query) const {
    http::http_request req(method);
    req.set_request_uri(path_and_query);
    req.headers().add("Accept", "application/json");
    req.headers().add("User-Agent", "modelgate-kube/0.1");
    std::string token = config.token;
    if (!config.token_file.empty()) {
      std::ifstream in(config.token_file);
      std::ostringstream s;
      s << in.rdbuf();
      token = s.str();
      while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
        token.pop_back();
    }
    if (!token.empty()) req.headers().add("Authorization", "Bearer " + token);
    return req;
  }

  // Sends a request and returns the body on 2xx, an ApiError otherwise.
  //
  // A keep-alive connection that the server closed while it sat in cpprestsdk's pool (an
  // API server restart) fails on first use; cpprestsdk retries that for plain sockets
  // but not through TLS. Retried here, up to kMaxStaleRetries times (each failure drops
  // one dead pooled connection):
  //  - any method when writing the request failed: a server never acts on a request it
  //    did not receive in full;
  //  - idempotent methods (GET, PUT, DELETE) when the connection dropped before the
  //    status line. POST and PATCH are not repeated then: the server may have applied them.
  Result<std::string> Send(const std::string& method, const std::string& path_and_query,
                           const std::string& body, const std::string& content_type) {
    const std::string what = method + " " + path_and_query;
    const bool idempotent = method == "GET" || method == "PUT" || method == "DELETE";
    constexpr int kMaxStaleRetries = 4;
    for (int attempt = 0;; ++attempt) {
      std::string error;
      bool write_failed = false;
      try {
        auto req = NewRequest(method, path_and_query);
        if (!content_type.empty()) req.set_body(body, content_type);
        http::http_response resp = http->request(req).get();
        std::string text = resp.extract_utf8string(true).get();
        const int code = resp.status_code();
        if (code < 200 || code > 299) return ApiError(code, text, what);
        return text;
      } catch (const http::http_exception& e) {
        error = std::string(e.what()) + " (" + e.error_code().message() + ")";
        write_failed = error.find("Failed to write request") != std::string::npos;
      } catch (const std::exception& e) {
        error = e.what();
      }
      const bool retry = write_failed || (idempotent && LooksLikeDroppedConnection(error));
      if (attempt < kMaxStaleRetries && retry) continue;
      return TransportError(error, what);
    }
  }

  static bool LooksLikeDroppedConnection(const std::string& error) {
    for (const char* s : {"stream truncated", "short read", "End of file", "end of file",
                          "Connection reset", "Broken pipe", "Failed to read HTTP status line"})
      if (error.find(s) != std::string::npos) return true;
    return false;
  }

  Result<Json> SendJson(const std::string& method, const std::string& path_and_query,
                        const std::string& body, const std::string& content_type) {
    auto text = Send(method, path_and_query, body, content_type);
    if (!text.ok()) return text.status();
    auto j = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
      return Status::Error("response of " + method + " " + path_and_query + " is not JSON", 200);
    return j;
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;
const Config& Client::config() const { return impl_->config; }

Result<std::shared_ptr<Client>> Client::Create(Config config) {
  KeepOpenSslUntilExit();  // or the process can hang at exit (kube/openssl_lifetime.h)
  if (config.server.rfind("https://", 0) != 0)
    return Status::Error("kube config: server \"" + config.server + "\" must be an https:// URL");
  if (!config.ca_pem.empty() && !PemHas(config.ca_pem, false))
    return Status::Error("kube config: certificate authority is not a PEM certificate");
  if (!config.client_cert_pem.empty() && !PemHas(config.client_cert_pem, false))
    return Status::Error("kube config: client certificate is not a PEM certificate");
  if (!config.client_key_pem.empty() && !PemHas(config.client_key_pem, true))
    return Status::Error("kube config: client key is not a PEM private key");
  if (config.timeout.count() <= 0) return Status::Error("kube config: timeout must be positive");
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  try {
    impl->http = std::make_unique<http::client::http_client>(
        utility::conversions::to_string_t(impl->config.server), impl->HttpConfig(impl->config.timeout));
  } catch (const std::exception& e) {
    return Status::Error(std::string("kube config: server URL: ") + e.what());
  }
  return std::shared_ptr<Client>(new Client(std::move(impl)));
}

namespace {

std::string WithQuery(const std::string& path, const std::vector<std::pair<std::string, std::string>>& q) {
  web::uri_builder b(utility::conversions::to_string_t(path));
  for (const auto& [k, v] : q)
    if (!v.empty()) b.append_query(utility::conversions::to_string_t(k), utility::conversions::to_string_t(v), true);
  return utility::conversions::to_utf8string(b.to_string());
}

std::string NameOf(const Json& object) {
  if (object.is_object() && object.contains("metadata") && object["metadata"].is_object() &&
      object["metadata"].contains("name") && object["metadata"]["name"].is_string())
    return object["metadata"]["name"].get<std::string>();
  return "";
}

}  // namespace

Result<Json> Client::Get(const Resource& r, const std::string& ns, const std::string& name,
                         const std::string& subresource) {
  if (name.empty()) return Status::Error("Get: empty name");
  return impl_->SendJson("GET", r.Path(ns, name, subresource), "", "");
}

Result<Json> Client::List(const Resource& r, const std::string& ns, const ListOptions& o) {
  return impl_->SendJson(
      "GET",
      WithQuery(r.Path(ns), {{"labelSelector", o.label_selector},
                             {"fieldSelector", o.field_selector},
                             {"limit", o.limit > 0 ? std::to_string(o.limit) : ""},
                             {"continue", o.continue_token},
                             {"resourceVersion", o.resource_version}}),
      "", "");
}

Result<Json> Client::ListAll(const Resource& r, const std::string& ns, ListOptions opts, int64_t page_size,
                             const std::function<void(Json&)>& each_item) {
  opts.limit = page_size;
  opts.continue_token.clear();
  Json merged;
  while (true) {
    auto page = List(r, ns, opts);
    if (!page.ok()) return page.status();
    Json& p = page.value();
    if (each_item && p.contains("items") && p["items"].is_array()) {
      for (auto& item : p["items"]) each_item(item);
    }
    if (merged.is_null()) {
      merged = p;
      if (!merged.contains("items") || !merged["items"].is_array()) merged["items"] = Json::array();
    } else if (p.contains("items") && p["items"].is_array()) {
      for (auto& item : p["items"]) merged["items"].push_back(std::move(item));
    }
    std::string next;
    if (p.contains("metadata") && p["metadata"].is_object()) next = p["metadata"].value("continue", "");
    if (next.empty()) break;
    opts.continue_token = next;
    // A continue token pins the snapshot; resourceVersion must not be sent alongside it.
    opts.resource_version.clear();
  }
  if (merged["metadata"].is_object()) merged["metadata"].erase("continue");
  return merged;
}

Result<Json> Client::Create(const Resource& r, const std::string& ns, const Json& object) {
  return impl_->SendJson("POST", r.Path(ns), object.dump(), "application/json");
}

Result<Json> Client::Update(const Resource& r, const std::string& ns, const Json& object,
                            const std::string& subresource) {
  const std::string name = NameOf(object);
  if (name.empty()) return Status::Error("Update: object has no metadata.name");
  return impl_->SendJson("PUT", r.Path(ns, name, subresource), object.dump(), "application/json");
}

Result<Json> Client::Patch(const Resource& r, const std::string& ns, const std::string& name,
                           PatchType type, const Json& body, const PatchOptions& o) {
  if (name.empty()) return Status::Error("Patch: empty name");
  if (type == PatchType::kApply && o.field_manager.empty())
    return Status::Error("Patch: server-side apply needs a field manager");
  if (type == PatchType::kJson && !body.is_array())
    return Status::Error("Patch: a JSON patch is an array of operations");
  const std::string path =
      WithQuery(r.Path(ns, name, o.subresource),
                {{"fieldManager", o.field_manager},
                 {"force", type == PatchType::kApply && o.force ? "true" : ""}});
  return impl_->SendJson("PATCH", path, body.dump(), PatchContentType(type));
}

Result<Json> Client::Delete(const Resource& r, const std::string& ns, const std::string& name,
                            const DeleteOptions& o) {
  if (name.empty()) return Status::Error("Delete: empty name");
  Json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!o.propagation_policy.empty()) body["propagationPolicy"] = o.propagation_policy;
  if (o.grace_period_seconds) body["gracePeriodSeconds"] = *o.grace_period_seconds;
  if (!o.precondition_uid.empty()) body["preconditions"]["uid"] = o.precondition_uid;
  if (!o.precondition_resource_version.empty())
    body["preconditions"]["resourceVersion"] = o.precondition_resource_version;
  return impl_->SendJson("DELETE", r.Path(ns, name), body.dump(), "application/json");
}

Result<std::string> Client::Raw(const std::string& method, const std::string& path_and_query,
                                const std::string& body, const std::string& content_type) {
  return impl_->Send(method, path_and_query, body, content_type);
}

Status Client::Watch(const Resource& r, const std::string& ns, const WatchOptions& o,
                     const std::function<bool(WatchEvent&&)>& on_event, const CancelToken& cancel) {
  const std::string path =
      WithQuery(r.Path(ns), {{"watch", "true"},
                             {"resourceVersion", o.resource_version},
                             {"labelSelector", o.label_selector},
                             {"fieldSelector", o.field_selector},
                             {"allowWatchBookmarks", o.allow_bookmarks ? "true" : ""},
                             {"timeoutSeconds", std::to_string(o.timeout_seconds)}});
  const std::string what = "WATCH " + path;
  try {
    // The client's inactivity timeout must outlast the server's own stream timeout:
    // a quiet watch is healthy until the server ends it.
    http::client::http_client client(
        utility::conversions::to_string_t(impl_->config.server),
        impl_->HttpConfig(std::chrono::seconds(o.timeout_seconds + 30)));
    auto token = cancel.impl()->source.get_token();
    http::http_response resp = client.request(impl_->NewRequest("GET", path), token).get();
    if (resp.status_code() != 200) {
      std::string text = resp.extract_utf8string(true).get();
      return ApiError(resp.status_code(), text, what);
    }
    auto body = resp.body();
    while (true) {
      if (cancel.cancelled()) return Status::Error("watch cancelled (" + what + ")", 0);
      concurrency::streams::container_buffer<std::string> line;
      const size_t n = body.read_line(line).get();
      const std::string& text = line.collection();
      if (n == 0 && text.empty()) {
        if (body.is_eof()) return Status::Ok();  // server closed the stream cleanly
        continue;
      }
      auto j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        return TransportError("malformed watch event", what);
      WatchEvent ev{EventType(j["type"].get<std::string>()), std::move(j["object"])};
      if (!on_event(std::move(ev))) return Status::Ok();
    }
  } catch (const pplx::task_canceled&) {
    return Status::Error("watch cancelled (" + what + ")", 0);
  } catch (const std::exception& e) {
    if (cancel.cancelled()) return Status::Error("watch cancelled (" + what + ")", 0);
    return TransportError(e.what(), what);
  }
}

}  // namespace modelgate::kube
