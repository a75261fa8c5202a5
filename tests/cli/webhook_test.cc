// `modelgate webhook` refuses numeric flag values it cannot use, with exit 2 and the
// flag's range, before it reads the kubeconfig (so these run without a cluster).
// Regression: --deadline-ms was read with atoi, so a typo became 0 and every judged
// request was denied as "took longer than the internal deadline".
#include <string>

#include <gtest/gtest.h>

#include "run_modelgate.h"

namespace modelgate::cli_test {
namespace {

// Past flag parsing the webhook needs these; the kubeconfig cannot be read, so reaching
// it (exit 1, its error logged) means the flags were accepted.
const std::string kRest = " --tls-cert /nonexistent/tls.crt --tls-key /nonexistent/tls.key"
                          " --kubeconfig /nonexistent/kubeconfig";

void ExpectUsageError(const std::string& flags, const std::string& message) {
  CliResult r = RunModelgate("webhook " + flags + kRest);
  EXPECT_EQ(r.code, 2) << flags << "\n" << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << flags << "\n" << r.err;
  EXPECT_EQ(r.out, "") << "must fail before loading the kubeconfig: " << flags;
}

void ExpectAccepted(const std::string& flags) {
  CliResult r = RunModelgate("webhook " + flags + kRest);
  EXPECT_EQ(r.code, 1) << flags << "\n" << r.err;  // the kubeconfig error, not a usage error
  // Logged through spdlog, which writes to stdout.
  EXPECT_NE(r.out.find("Kubernetes config: kubeconfig: cannot read /nonexistent/kubeconfig"), std::string::npos)
      << flags << "\n" << r.out << r.err;
}

TEST(WebhookCli, DeadlineMsTypoIsAUsageErrorNotZero) {
  for (const char* v : {"abc", "25OO", "2500ms", "0", "-5", "+5", "' 5'", "''", "1.5"}) {
    ExpectUsageError(std::string("--deadline-ms ") + v, "--deadline-ms needs a whole number from 1 to 29999");
  }
}

TEST(WebhookCli, DeadlineMsAtOrAboveTheMaximumWebhookTimeoutIsRefused) {
  ExpectUsageError("--deadline-ms 30000", "got '30000'");
  ExpectUsageError("--deadline-ms 99999999999999999999", "--deadline-ms needs a whole number");
}

TEST(WebhookCli, DeadlineMsErrorNamesTheDefault) {
  CliResult r = RunModelgate("webhook --deadline-ms x" + kRest);
  EXPECT_NE(r.err.find("default 2500"), std::string::npos) << r.err;
}

TEST(WebhookCli, DeadlineMsInRangeIsAccepted) {
  ExpectAccepted("--deadline-ms 1");
  ExpectAccepted("--deadline-ms 2500");
  ExpectAccepted("--deadline-ms 29999");
}

TEST(WebhookCli, PortMustBeAWholeNumberUpTo65535) {
  for (const char* v : {"84x3", "65536", "-1", "https"}) {
    ExpectUsageError(std::string("--port ") + v, "--port needs a whole number from 0 to 65535");
  }
  ExpectAccepted("--port 0");
  ExpectAccepted("--port 65535");
}

TEST(WebhookCli, MetricsAddrNeedsANumericPort) {
  ExpectUsageError("--metrics-addr metrics", "--metrics-addr's port needs a whole number from 0 to 65535");
  ExpectUsageError("--metrics-addr 0.0.0.0:metrics", "--metrics-addr's port needs a whole number from 0 to 65535");
  ExpectUsageError("--metrics-addr 0.0.0.0:70000", "got '70000'");
  ExpectAccepted("--metrics-addr 127.0.0.1:0");
  ExpectAccepted("--metrics-addr [::1]:9090");
  ExpectAccepted("--metrics-addr 9090");  // a bare port: all interfaces, as the exposer allows
}

TEST(WebhookCli, IoThreadsOutOfRangeIsStillRefused) {
  ExpectUsageError("--io-threads 1", "--io-threads needs a whole number from 2 to 256");
  ExpectUsageError("--io-threads 4x", "--io-threads needs a whole number from 2 to 256");
  ExpectAccepted("--io-threads 2");
}

}  // namespace
}  // namespace modelgate::cli_test
