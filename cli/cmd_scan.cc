// `modelgate scan PATH... [--output text|json|sarif] [--fail-on SEVERITY]
//                 [--embed-signature RELPATH]`
// Exit 0 clean, 1 findings at or above --fail-on, 2 could not decide (or usage error).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "cli/command.h"
#include "scanners/report.h"
#include "scanners/scan.h"
#include "scanners/signing/embedded_signature.h"

namespace {
using namespace modelgate::scanners;

constexpr const char* kUsage =
    "usage: modelgate scan PATH... [--output text|json|sarif] [--fail-on SEVERITY]\n"
    "                     [--threads N] [--no-progress] [--embed-signature RELPATH]\n"
    "\n"
    "Scans model files and directories from their bytes alone (nothing is loaded or run).\n"
    "  --output     text (default), json (schema modelgate.io/scan/v1), sarif (2.1.0)\n"
    "  --fail-on    lowest severity that fails the scan: info|low|medium|high|critical\n"
    "               (default medium)\n"
    "  --threads    files scanned in parallel (default: one per core)\n"
    "  --embed-signature  (--output json, one directory PATH) add the signature file\n"
    "               PATH/RELPATH to the report as \"signature\" (base64, at most the\n"
    "               Sigstore bundle size limit), or why it could not be read\n"
    "Exit status: 0 clean, 1 findings at or above --fail-on, 2 could not decide.\n";

// A one-line progress bar on stderr, redrawn at most 10 times a second.
class ProgressBar {
 public:
  void Update(uint64_t done, uint64_t total) {
    std::lock_guard<std::mutex> lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    int width = 30;
    int filled = total ? static_cast<int>(width * static_cast<double>(done) / total) : width;
    std::fprintf(stderr, "\r[%-*s] %5.1f%% %llu/%llu MiB", width, std::string(filled, '#').c_str(),
                 total ? 100.0 * done / total : 100.0, static_cast<unsigned long long>(done >> 20),
                 static_cast<unsigned long long>(total >> 20));
    drawn_ = true;
  }
  ~ProgressBar() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

int RunScan(int argc, char** argv) {
  std::vector<std::string> paths;
  std::string output = "text";
  Severity fail_on = Severity::kMedium;
  ScanOptions options;
  bool progress = true;
  std::string embed_signature;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "modelgate scan: %s needs a value\n%s", flag, kUsage);
        return nullptr;
      }
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (a == "--output" || a == "-o") {
      const char* v = value("--output");
      if (!v) return 2;
      output = v;
      if (output != "text" && output != "json" && output != "sarif") {
        std::fprintf(stderr, "modelgate scan: --output must be text, json or sarif, not '%s'\n", v);
        return 2;
      }
    } else if (a == "--fail-on") {
      const char* v = value("--fail-on");
      if (!v) return 2;
      auto s = ParseSeverity(v);
      if (!s) {
        std::fprintf(stderr,
                     "modelgate scan: --fail-on must be info, low, medium, high or critical, not '%s'\n", v);
        return 2;
      }
      fail_on = *s;
    } else if (a == "--threads") {
      const char* v = value("--threads");
      if (!v) return 2;
      options.threads = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
    } else if (a == "--embed-signature") {
      const char* v = value("--embed-signature");
      if (!v) return 2;
      embed_signature = v;
      if (modelgate::Status ok = modelgate::signing::CheckEmbedPath(embed_signature); !ok.ok()) {
        std::fprintf(stderr, "modelgate scan: --embed-signature: %s\n", ok.message().c_str());
        return 2;
      }
    } else if (a == "--no-progress") {
      progress = false;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      std::fprintf(stderr, "modelgate scan: unknown option '%s'\n%s", a.c_str(), kUsage);
      return 2;
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (!embed_signature.empty() && (output != "json" || paths.size() != 1)) {
    std::fputs("modelgate scan: --embed-signature needs --output json and exactly one PATH\n", stderr);
    return 2;
  }
  ProgressBar bar;
  if (progress && isatty(STDERR_FILENO)) {
    options.progress = [&bar](uint64_t done, uint64_t total) { bar.Update(done, total); };
  }
  ScanReport report = ScanPaths(paths, options);
  options.progress = nullptr;
  Verdict verdict = Decide(report, fail_on);
  if (output == "json") {
    nlohmann::json doc = ReportToJson(report, fail_on);
    if (!embed_signature.empty()) {
      // Evidence for whoever verifies the signature; it does not change the verdict.
      doc["signature"] = modelgate::signing::EmbeddedSignatureToJson(
          modelgate::signing::ReadEmbeddedSignature(paths[0], embed_signature));
    }
    std::puts(doc.dump(2).c_str());
  } else if (output == "sarif") {
    std::puts(ReportToSarif(report, fail_on).dump(2).c_str());
  } else {
    std::fputs(ReportToText(report, fail_on, isatty(STDOUT_FILENO)).c_str(), stdout);
  }
  return ExitCode(verdict);
}

}  // namespace

MODELGATE_COMMAND("scan", "scan model files for unsafe content (exit 0 clean, 1 findings, 2 undecided)",
                  RunScan);
