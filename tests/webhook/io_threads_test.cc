#include "webhook/io_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cpprest/http_client.h>
#include <filesystem>
#include <thread>
#include <vector>

#include "webhook/https_server.h"

namespace modelgate::webhook {
namespace {

size_t ThreadsOfThisProcess() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// The pool is process-wide and can be sized once, so this is one test in steps.
TEST(IoThreadsTest, SizesThePoolOnceAndServesOnIt) {
  Status one = SetIoThreads(1);
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.message().find("at least 2"), std::string::npos) << one.message();

  const size_t before = ThreadsOfThisProcess();
  Status three = SetIoThreads(3);
  ASSERT_TRUE(three.ok()) << three.message();
  EXPECT_EQ(ThreadsOfThisProcess(), before + 3);  // not cpprestsdk's default of 40

  Status again = SetIoThreads(4);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.message().find("cannot size the I/O thread pool"), std::string::npos) << again.message();
  EXPECT_EQ(ThreadsOfThisProcess(), before + 3);

  // Handlers that take a while still all get served by 3 threads, and the server
  // stops cleanly afterwards.
  std::atomic<int> handled{0};
  auto server = HttpsServer::Start({}, {{"/slow", [&](const HttpRequest&) {
                                           std::this_thread::sleep_for(std::chrono::milliseconds(5));
                                           ++handled;
                                           return HttpResponse{200, "text/plain", "ok"};
                                         }}});
  ASSERT_TRUE(server.ok()) << server.status().message();
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      web::http::client::http_client client(server.value()->url());
      for (int i = 0; i < 10; ++i) {
        try {
          if (client.request("POST", "/slow", "x", "text/plain").get().status_code() == 200) ++ok;
        } catch (const std::exception&) {
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 80);
  EXPECT_EQ(handled.load(), 80);
  server.value()->Stop();  // returns: stopping needs no thread beyond the pool's
}

}  // namespace
}  // namespace modelgate::webhook
