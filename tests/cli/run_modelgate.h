// Runs the built `modelgate` binary for the CLI tests (tests/cli/, tests/policy/check_cli*).
// The binary is a build dependency of these tests and its path is compiled in
// (MODELGATE_BINARY, tests/CMakeLists.txt), so a missing binary fails them instead of
// skipping them.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

namespace modelgate::cli_test {

inline std::filesystem::path Binary() { return MODELGATE_BINARY; }

struct CliResult {
  int code = -1;    // exit status; -1 if it could not run or was killed
  std::string out;  // stdout
  std::string err;  // stderr
};

struct RunOptions {
  std::string stdin_file;  // "" = no redirection
  std::string cwd;         // "" = the test's working directory
};

// `modelgate ARGS` through /bin/sh (so ARGS may hold quotes and globs), with its stdout
// and stderr kept apart: tests assert which stream a message goes to.
inline CliResult RunModelgate(const std::string& args, const RunOptions& options = {}) {
  static int counter = 0;
  const std::filesystem::path err_file = std::filesystem::path(::testing::TempDir()) /
                                         ("mg-cli-stderr-" + std::to_string(getpid()) + "-" +
                                          std::to_string(counter++));
  std::string cmd;
  if (!options.cwd.empty()) cmd += "cd '" + options.cwd + "' && ";
  cmd += Binary().string() + " " + args + " 2>'" + err_file.string() + "'";
  if (!options.stdin_file.empty()) cmd += " < '" + options.stdin_file + "'";
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream err(err_file, std::ios::binary);
  r.err.assign(std::istreambuf_iterator<char>(err), {});
  std::filesystem::remove(err_file);
  return r;
}

}  // namespace modelgate::cli_test
