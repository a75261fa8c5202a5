// `modelgate controller` refuses flag values that would silently break every decision,
// before it contacts any API server (so these run without a cluster).
#include <string>

#include <gtest/gtest.h>

#include "run_modelgate.h"

namespace modelgate::cli_test {
namespace {

// A kubeconfig that cannot be read: reaching it means flag parsing accepted the flags.
const std::string kNoCluster = " --kubeconfig /nonexistent/kubeconfig";

TEST(ControllerCli, UnknownFormatInAllowedFormatsIsAUsageError) {
  CliResult r = RunModelgate("controller --allowed-formats safetensors,pkl" + kNoCluster);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("unknown format \"pkl\""), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("kubeconfig"), std::string::npos) << "must fail before loading the kubeconfig:\n" << r.err;
}

TEST(ControllerCli, EmptyAllowedFormatsIsAUsageError) {
  CliResult r = RunModelgate("controller --allowed-formats ," + kNoCluster);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("at least one format"), std::string::npos) << r.err;
}

TEST(ControllerCli, KnownFormatsPassFlagParsing) {
  CliResult r = RunModelgate("controller --allowed-formats safetensors,gguf,onnx" + kNoCluster);
  EXPECT_EQ(r.code, 1) << r.err;  // the kubeconfig error, not a usage error
  EXPECT_NE(r.err.find("/nonexistent/kubeconfig"), std::string::npos) << r.err;
}

TEST(ControllerCli, KnownFlagWithoutValueSaysSo) {
  CliResult r = RunModelgate("controller --scan-mode");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--scan-mode needs a value"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace modelgate::cli_test
