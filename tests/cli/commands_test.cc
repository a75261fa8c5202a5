// Every `modelgate` subcommand answers --help and a mistyped flag the same way: help on
// stdout with exit 0, an unknown argument on stderr with exit 2 (a usage error), so
// scripts and users can rely on it whichever command they call.
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "run_modelgate.h"

namespace modelgate::cli_test {
namespace {

// The command names `modelgate --help` lists ("  NAME   summary" lines after "commands:").
std::vector<std::string> ListedCommands() {
  CliResult r = RunModelgate("--help");
  std::vector<std::string> names;
  std::istringstream in(r.out);
  bool in_list = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "commands:") {
      in_list = true;
    } else if (in_list && line.rfind("  ", 0) == 0) {
      std::istringstream words(line);
      std::string name;
      words >> name;
      names.push_back(name);
    } else if (in_list) {
      break;
    }
  }
  return names;
}

TEST(Commands, TopLevelHelpListsTheCommands) {
  CliResult r = RunModelgate("--help");
  EXPECT_EQ(r.code, 0);
  const auto names = ListedCommands();
  for (const char* expected : {"check", "scan", "verify", "verify-bundle", "version"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected << " in\n" << r.out;
}

TEST(Commands, HelpGoesToStdoutAndExitsZero) {
  for (const std::string& name : ListedCommands()) {
    for (const char* flag : {"--help", "-h"}) {
      CliResult r = RunModelgate(name + " " + flag);
      EXPECT_EQ(r.code, 0) << name << " " << flag << "\nstderr: " << r.err;
      EXPECT_EQ(r.out.rfind("usage: modelgate " + name, 0), 0u) << name << " " << flag << " stdout:\n" << r.out;
      EXPECT_EQ(r.err, "") << name << " " << flag;
    }
  }
}

TEST(Commands, UnknownFlagIsAUsageError) {
  for (const std::string& name : ListedCommands()) {
    CliResult r = RunModelgate(name + " --no-such-flag");
    EXPECT_EQ(r.code, 2) << name << "\nstdout: " << r.out << "\nstderr: " << r.err;
    EXPECT_EQ(r.out, "") << name;
    EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << name << " stderr:\n" << r.err;
    // Named as unknown, not mistaken for a known flag missing its value.
    EXPECT_NE(r.err.find("unknown"), std::string::npos) << name << " stderr:\n" << r.err;
  }
}

TEST(Commands, VersionPrintsTheVersionAndTakesNoArguments) {
  CliResult r = RunModelgate("version");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("modelgate ", 0), 0u) << r.out;
  CliResult extra = RunModelgate("version extra");
  EXPECT_EQ(extra.code, 2);
  EXPECT_EQ(extra.out, "");
  EXPECT_NE(extra.err.find("unknown argument 'extra'"), std::string::npos) << extra.err;
}

TEST(Commands, UnknownCommandIsAUsageError) {
  CliResult r = RunModelgate("no-such-command");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown command 'no-such-command'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace modelgate::cli_test
