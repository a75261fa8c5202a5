#include "cli/flag_value.h"

#include <cstdio>

namespace modelgate::cli {

const char* FlagValue(int argc, char** argv, int* i, const char* command, const char* usage) {
  if (*i + 1 >= argc) {
    std::fprintf(stderr, "modelgate %s: %s needs a value\n%s", command, argv[*i], usage);
    return nullptr;
  }
  return argv[++*i];
}

}  // namespace modelgate::cli
