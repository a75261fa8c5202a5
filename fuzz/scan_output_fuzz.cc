// Fuzzes how the operator reads a scan Job's answer from the pod log
// (controller::ParseScanOutput: the report of `modelgate scan --output json` plus the
// embedded signature of `--embed-signature`). The log is text the scan pod printed, so
// it is read as untrusted: any crash, hang or sanitizer report is a bug, and every
// input must yield either an error or a report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "controller/scan_result.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto out = modelgate::controller::ParseScanOutput(text);
  if (out.ok()) {
    // Touch what the operator reads next.
    size_t n = out.value().report.files.size();
    if (out.value().signature) n += out.value().signature->bundle.size();
    (void)n;
  }
  return 0;
}
