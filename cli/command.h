// Subcommand registry for the `modelgate` binary. Each cli/cmd_*.cc file
// registers its subcommand with MODELGATE_COMMAND, so adding a command never
// touches main.cc.
#pragma once

#include <string_view>
#include <vector>

namespace modelgate::cli {

// Runs a subcommand; argv[0] is the subcommand name. Returns the process exit code.
using CommandFn = int (*)(int argc, char** argv);

struct Command {
  std::string_view name;
  std::string_view summary;  // one line for `modelgate --help`
  CommandFn run;
};

// Adds `cmd`; returns true so it can initialise a static.
bool RegisterCommand(const Command& cmd);
// All registered commands, sorted by name.
std::vector<Command> Commands();

}  // namespace modelgate::cli

#define MODELGATE_COMMAND(name, summary, fn) \
  static const bool modelgate_registered_##fn = ::modelgate::cli::RegisterCommand({name, summary, fn})
