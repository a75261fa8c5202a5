// The one way subcommands read a flag's value, so every command reports a missing
// value the same way.
#pragma once

namespace modelgate::cli {

// The argument after the flag at argv[*i], advancing *i to it; or nullptr, after
// writing "modelgate <command>: <flag> needs a value\n" and then `usage` to stderr,
// when the flag is the last argument.
const char* FlagValue(int argc, char** argv, int* i, const char* command, const char* usage = "");

}  // namespace modelgate::cli
