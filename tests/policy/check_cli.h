// Runs the built `modelgate check` for the CLI tests (the runner: tests/cli/run_modelgate.h).
#pragma once

#include <string>

#include "../cli/run_modelgate.h"

namespace modelgate::policy::cli_test {

using ::modelgate::cli_test::Binary;

struct CliRun {
  int code = -1;  // exit status; -1 if it could not run or was killed
  std::string out;
};

// `modelgate check ARGS [< stdin_file]`: its stdout, plus stderr after it when `with_stderr`.
inline CliRun RunCheck(const std::string& args, const std::string& stdin_file = "", bool with_stderr = false) {
  ::modelgate::cli_test::CliResult r = ::modelgate::cli_test::RunModelgate("check " + args, {.stdin_file = stdin_file, .cwd = ""});
  return {r.code, with_stderr ? r.out + r.err : r.out};
}

}  // namespace modelgate::policy::cli_test
