// podcreate_echo_webhook: the cheapest possible validating webhook on modelgate's own
// HTTP stack (webhook::HttpsServer, CertStore TLS): parses the AdmissionReview just to
// echo its uid (the API server rejects a response with another uid) and allows it.
// Registered in place of `modelgate webhook`, it separates what any webhook on this
// stack costs a pod create from what modelgate's decision adds.
//
// Usage: podcreate_echo_webhook --cert FILE --key FILE [--port 0]
// Prints "listening URL" once serving. GET /count returns the number of reviews
// answered (run.sh checks the API server really called it). SIGTERM/SIGINT stop it.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "webhook/cert_store.h"
#include "webhook/https_server.h"

using namespace modelgate;

int main(int argc, char** argv) {
  std::string cert, key;
  int port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--cert") cert = v;
    else if (a == "--key") key = v;
    else if (a == "--port") port = std::atoi(v.c_str());
  }
  if (cert.empty() || key.empty()) {
    std::fprintf(stderr, "usage: podcreate_echo_webhook --cert FILE --key FILE [--port 0]\n");
    return 2;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // before any thread starts

  auto store = webhook::CertStore::Load(cert, key);
  if (!store.ok()) {
    std::fprintf(stderr, "echo webhook: %s\n", store.status().message().c_str());
    return 1;
  }
  std::atomic<long> answered{0};
  auto validate = [&answered](const webhook::HttpRequest& r) {
    // The HttpsServer turns a throwing handler into a 500; the uid is all we need.
    const nlohmann::json review = nlohmann::json::parse(r.body);
    const nlohmann::json out = {{"apiVersion", "admission.k8s.io/v1"},
                                {"kind", "AdmissionReview"},
                                {"response", {{"uid", review.at("request").at("uid")}, {"allowed", true}}}};
    ++answered;
    return webhook::HttpResponse{200, "application/json", out.dump()};
  };
  webhook::ServerOptions sopts;
  sopts.address = "127.0.0.1";
  sopts.port = port;
  sopts.tls = store.value();
  auto server = webhook::HttpsServer::Start(
      sopts, {{"/validate", validate},
              {"/count", [&answered](const webhook::HttpRequest&) {
                 return webhook::HttpResponse{200, "text/plain", std::to_string(answered.load())};
               }}});
  if (!server.ok()) {
    std::fprintf(stderr, "echo webhook: %s\n", server.status().message().c_str());
    return 1;
  }
  std::printf("listening %s\n", server.value()->url().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  server.value()->Stop();
  return 0;
}
