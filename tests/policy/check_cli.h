// Runs the built `modelgate check` for the CLI tests. The binary is a build dependency
// of these tests and its path is compiled in (tests/CMakeLists.txt), so a missing binary
// fails them instead of skipping them.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace modelgate::policy::cli_test {

inline std::filesystem::path Binary() { return MODELGATE_BINARY; }

struct CliRun {
  int code = -1;  // exit status; -1 if it could not run or was killed
  std::string out;
};

// `modelgate check ARGS [< stdin_file]`: its stdout, plus stderr when `with_stderr`.
inline CliRun RunCheck(const std::string& args, const std::string& stdin_file = "", bool with_stderr = false) {
  std::string cmd = Binary().string() + " check " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  if (!stdin_file.empty()) cmd += " < " + stdin_file;
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace modelgate::policy::cli_test
