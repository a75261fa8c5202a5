// `modelgate version`: prints the version. Takes no arguments but --help, so a typo
// (`version --json`) is a usage error rather than output a script might misread.
#include <cstdio>
#include <cstring>

#include "cli/command.h"

namespace {
constexpr const char* kUsage = "usage: modelgate version\nPrints \"modelgate <version>\" and exits 0.\n";

int RunVersion(int argc, char** argv) {
  if (argc >= 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (argc > 1) {
    std::fprintf(stderr, "modelgate version: unknown argument '%s'\n%s", argv[1], kUsage);
    return 2;
  }
  std::printf("modelgate %s\n", MODELGATE_VERSION);
  return 0;
}
}  // namespace

MODELGATE_COMMAND("version", "print the version", RunVersion);
