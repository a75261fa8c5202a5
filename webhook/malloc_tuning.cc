#include "webhook/malloc_tuning.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace modelgate::webhook {

std::string TunablesWithTcache(const char* current) {
  if (current == nullptr || *current == '\0') return kTcacheTunable;
  if (std::strstr(current, "glibc.malloc.tcache_count") != nullptr) return "";
  return std::string(current) + ":" + kTcacheTunable;
}

void ReexecWithMallocTuning() {
  // The marker guards against a loop should the variable not survive exec.
  if (std::getenv("MODELGATE_MALLOC_TUNED") != nullptr) return;
  const std::string tunables = TunablesWithTcache(std::getenv("GLIBC_TUNABLES"));
  if (tunables.empty()) return;
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (size_t start = 0; start < cmdline.size();) {
    size_t end = cmdline.find('\0', start);
    if (end == std::string::npos) end = cmdline.size();
    args.push_back(cmdline.substr(start, end - start));
    start = end + 1;
  }
  if (args.empty()) {
    std::fprintf(stderr, "modelgate: cannot read /proc/self/cmdline; running without malloc tuning\n");
    return;
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
  ::setenv("MODELGATE_MALLOC_TUNED", "1", 1);
  ::execv("/proc/self/exe", argv.data());
  std::fprintf(stderr, "modelgate: cannot re-execute with %s (%s); running without it\n", kTcacheTunable,
               std::strerror(errno));
}

}  // namespace modelgate::webhook
