// `modelgate version`: prints the version.
#include <cstdio>

#include "cli/command.h"

namespace {
int RunVersion(int, char**) {
  std::printf("modelgate %s\n", MODELGATE_VERSION);
  return 0;
}
}  // namespace

MODELGATE_COMMAND("version", "print the version", RunVersion);
