#include "webhook/https_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ssl.hpp>
#include <cpprest/http_listener.h>
#include <nlohmann/json.hpp>

#include "kube/openssl_lifetime.h"

namespace modelgate::webhook {
namespace http = web::http;
using web::http::experimental::listener::http_listener;
using web::http::experimental::listener::http_listener_config;

struct HttpsServer::Impl {
  std::unique_ptr<http_listener> listener;
  std::map<std::string, Handler> routes;
  size_t max_body = 0;
};

namespace {

void Reply(const http::http_request& req, const HttpResponse& r) {
  http::http_response resp(static_cast<http::status_code>(r.status));
  resp.set_body(r.body, r.content_type);
  req.reply(resp).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (...) {  // client went away; nothing to do
    }
  });
}

HttpResponse JsonError(int status, const std::string& message) {
  nlohmann::json body = {{"error", message}};
  return {status, "application/json", body.dump()};
}

}  // namespace

Result<int> PickFreePort(const std::string& address) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::Error("socket() failed");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = 0;
  if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) {
    ::close(fd);
    return Status::Error("not an IPv4 address: " + address);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return Status::Error("cannot bind " + address);
  }
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return static_cast<int>(ntohs(sa.sin_port));
}

Result<std::unique_ptr<HttpsServer>> HttpsServer::Start(ServerOptions options,
                                                        std::map<std::string, Handler> routes) {
  kube::KeepOpenSslUntilExit();  // or the process can hang at exit (kube/openssl_lifetime.h)
  std::unique_ptr<HttpsServer> server(new HttpsServer());
  server->impl_ = std::make_unique<Impl>();
  server->impl_->routes = std::move(routes);
  server->impl_->max_body = options.max_body_bytes;
  server->address_ = options.address;
  server->scheme_ = options.tls ? "https" : "http";
  int port = options.port;
  if (port == 0) {
    auto p = PickFreePort(options.address == "0.0.0.0" ? "127.0.0.1" : options.address);
    if (!p.ok()) return p.status();
    port = p.value();
  }
  server->port_ = port;

  http_listener_config cfg;
  cfg.set_timeout(options.timeout);
  if (options.tls) {
    std::shared_ptr<CertStore> store = options.tls;
    cfg.set_ssl_context_callback([store](boost::asio::ssl::context& ctx) {
      store->Install(ctx.native_handle());
    });
  }
  std::string uri = server->scheme_ + "://" + options.address + ":" + std::to_string(port) + "/";
  try {
    server->impl_->listener = std::make_unique<http_listener>(uri, cfg);
    Impl* impl = server->impl_.get();
    server->impl_->listener->support([impl](http::http_request req) {
      std::string path = req.relative_uri().path();
      auto it = impl->routes.find(path);
      if (it == impl->routes.end()) {
        Reply(req, JsonError(404, "no such path: " + path));
        return;
      }
      auto declared = req.headers().content_length();
      if (declared > impl->max_body) {
        Reply(req, JsonError(413, "request body of " + std::to_string(declared) +
                                      " bytes exceeds the limit of " +
                                      std::to_string(impl->max_body)));
        return;
      }
      Handler handler = it->second;
      size_t max_body = impl->max_body;
      req.extract_string(true).then([req, handler, path, max_body](pplx::task<std::string> t) {
        HttpRequest in;
        in.method = req.method();
        in.path = path;
        in.query = req.relative_uri().query();
        in.content_type = req.headers().content_type();
        try {
          in.body = t.get();
        } catch (const std::exception& e) {
          Reply(req, JsonError(400, std::string("cannot read request body: ") + e.what()));
          return;
        }
        if (in.body.size() > max_body) {
          Reply(req, JsonError(413, "request body exceeds the limit of " + std::to_string(max_body)));
          return;
        }
        try {
          Reply(req, handler(in));
        } catch (const std::exception& e) {
          Reply(req, JsonError(500, std::string("internal error: ") + e.what()));
        }
      });
    });
    server->impl_->listener->open().wait();
  } catch (const std::exception& e) {
    return Status::Error("cannot listen on " + uri + ": " + e.what());
  }
  return server;
}

HttpsServer::~HttpsServer() { Stop(); }

void HttpsServer::Stop() {
  if (impl_ && impl_->listener) {
    try {
      impl_->listener->close().wait();
    } catch (...) {
    }
    impl_->listener.reset();
  }
}

std::string HttpsServer::url() const {
  return scheme_ + "://" + (address_ == "0.0.0.0" ? "127.0.0.1" : address_) + ":" +
         std::to_string(port_);
}

}  // namespace modelgate::webhook
