// LogCapture: while it lives, spdlog's default logger writes into a string, so a test can
// assert what a component logged (and that it logged nothing). The previous default logger
// is restored when it goes away. Declare it as a test fixture member: installed before
// SetUp, removed after TearDown.
#pragma once

#include <memory>
#include <sstream>
#include <string>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace modelgate::test_support {

class LogCapture {
 public:
  explicit LogCapture(const std::string& name = "log-capture") : previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(
        std::make_shared<spdlog::logger>(name, std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Everything logged so far.
  std::string Text() const {
    spdlog::default_logger()->flush();
    return out_.str();
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

// How often `needle` occurs in `haystack` (overlapping occurrences counted).
inline int CountOf(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace modelgate::test_support
