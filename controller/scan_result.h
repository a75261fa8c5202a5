// Reading a scan back from `modelgate scan --output json` (schema modelgate.io/scan/v1,
// docs/scan-output.md): how a scan Job hands its result to the operator, through the
// pod's log.
#pragma once

#include <optional>
#include <string>

#include "scanners/scan.h"
#include "scanners/signing/embedded_signature.h"
#include "scanners/status.h"

namespace modelgate::controller {

// A scan Job's whole answer: the report, plus the model's signature file when the Job
// was asked to embed it (`--embed-signature`, BuildScanJob). The signature is unchecked
// evidence: SignatureInput hands it to the verifier, which checks it.
struct ScanOutput {
  scanners::ScanReport report;
  std::optional<signing::EmbeddedSignature> signature;  // the report's "signature" field
};

// Parses the JSON document printed by `modelgate scan --output json`. `text` may carry
// other lines before the document (the container runtime's log may mix stderr in); the
// document is the text from the first line that starts with '{'. Errors: no document,
// invalid JSON, another schemaVersion, or a field of the wrong type (named by path).
// Unknown formats and severities are kept as kUnknown / critical (never understated).
Result<scanners::ScanReport> ParseScanJson(const std::string& text);

// ParseScanJson plus the optional top-level "signature" field (docs/scan-output.md).
// A malformed "signature" is an error like any other malformed field (named by path).
Result<ScanOutput> ParseScanOutput(const std::string& text);

}  // namespace modelgate::controller
