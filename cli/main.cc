// modelgate: one binary, subcommands registered by cli/cmd_*.cc.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "cli/command.h"

namespace modelgate::cli {
namespace {
std::vector<Command>& Registry() {
  static std::vector<Command> commands;
  return commands;
}

void Usage(FILE* out) {
  std::fprintf(out, "usage: modelgate COMMAND [ARGS...]\n\ncommands:\n");
  for (const Command& c : Commands()) {
    std::fprintf(out, "  %-14.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  }
  std::fprintf(out, "\nRun `modelgate COMMAND --help` for a command's options.\n");
}
}  // namespace

bool RegisterCommand(const Command& cmd) {
  Registry().push_back(cmd);
  return true;
}

std::vector<Command> Commands() {
  std::vector<Command> sorted = Registry();
  std::sort(sorted.begin(), sorted.end(),
            [](const Command& a, const Command& b) { return a.name < b.name; });
  return sorted;
}

}  // namespace modelgate::cli

int main(int argc, char** argv) {
  using modelgate::cli::Commands;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    modelgate::cli::Usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  for (const auto& c : Commands()) {
    if (c.name == argv[1]) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "modelgate: unknown command '%s'\n", argv[1]);
  modelgate::cli::Usage(stderr);
  return 2;
}
