#include "controller/health.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cpprest/http_listener.h>

namespace modelgate::controller {

namespace http = web::http;

struct HealthServer::Impl {
  std::unique_ptr<http::experimental::listener::http_listener> listener;
};

namespace {

int FreePort(const std::string& host) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = 0;
  if (::inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host.c_str(), &sa.sin_addr) != 1)
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
  int port = 0;
  socklen_t len = sizeof sa;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0)
    port = ntohs(sa.sin_port);
  ::close(fd);
  return port;
}

}  // namespace

Result<std::pair<std::string, int>> SplitHostPort(const std::string& addr) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string::npos || colon + 1 >= addr.size())
    return Status::Error("address \"" + addr + "\" must be host:port");
  std::string host = addr.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  for (size_t i = colon + 1; i < addr.size(); ++i) {
    if (addr[i] < '0' || addr[i] > '9') return Status::Error("address \"" + addr + "\": port is not a number");
    port = port * 10 + (addr[i] - '0');
    if (port > 65535) return Status::Error("address \"" + addr + "\": port out of range");
  }
  if (host.empty()) host = "0.0.0.0";
  return std::make_pair(host, port);
}

HealthServer::HealthServer(std::function<std::string()> not_ready)
    : impl_(std::make_unique<Impl>()), not_ready_(std::move(not_ready)) {}

HealthServer::~HealthServer() { Stop(); }

Status HealthServer::Start(const std::string& addr) {
  auto hp = SplitHostPort(addr);
  if (!hp.ok()) return Status::Error("--health-addr: " + hp.status().message());
  auto [host, port] = hp.value();
  if (port == 0) port = FreePort(host);
  if (port == 0) return Status::Error("--health-addr " + addr + ": no free port");
  try {
    const std::string uri = "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                            std::to_string(port);
    impl_->listener = std::make_unique<http::experimental::listener::http_listener>(uri);
    auto not_ready = not_ready_;
    impl_->listener->support(http::methods::GET, [not_ready](http::http_request req) {
      const std::string path = req.relative_uri().path();
      if (path == "/healthz" || path == "/livez") {
        req.reply(http::status_codes::OK, "ok");
      } else if (path == "/readyz") {
        const std::string why = not_ready ? not_ready() : "";
        if (why.empty()) req.reply(http::status_codes::OK, "ok");
        else req.reply(http::status_codes::ServiceUnavailable, why);
      } else {
        req.reply(http::status_codes::NotFound, "not found");
      }
    });
    impl_->listener->open().wait();
  } catch (const std::exception& e) {
    impl_->listener.reset();
    return Status::Error("--health-addr " + addr + ": " + e.what());
  }
  port_ = port;
  return Status::Ok();
}

void HealthServer::Stop() {
  if (!impl_ || !impl_->listener) return;
  try {
    impl_->listener->close().wait();
  } catch (const std::exception&) {
    // Closing a listener that failed mid-way: nothing left to release.
  }
  impl_->listener.reset();
}

}  // namespace modelgate::controller
