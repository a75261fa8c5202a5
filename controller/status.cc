#include "controller/status.h"

#include <algorithm>
#include <set>

#include "controller/conditions.h"
#include "controller/hashes.h"
#include "scanners/format.h"

namespace modelgate::controller {

using nlohmann::json;

namespace {

json Base(const json& previous) {
  return previous.is_object() ? previous : json::object();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

struct FormatCheck {
  Condition cond;
  bool ok = true;
};

FormatCheck CheckFormat(const policy::ModelAdmission& ma, const scanners::ScanReport& report,
                        const std::string& detected, const StatusOptions& opts) {
  FormatCheck fc;
  std::set<std::string> allowed(opts.allowed_formats.begin(), opts.allowed_formats.end());
  std::vector<std::string> bad;
  for (const auto& f : report.files) {
    const std::string fmt(scanners::FormatName(f.format));
    if (!IsAuxiliaryFormat(fmt) && !allowed.count(fmt)) bad.push_back(f.path + " is " + fmt);
  }
  const std::string allowed_list = Join(opts.allowed_formats, ", ");
  if (!bad.empty()) {
    fc.ok = false;
    std::string msg;
    for (size_t i = 0; i < bad.size() && i < 5; ++i) msg += (i ? "; " : "") + bad[i];
    if (bad.size() > 5) msg += " (+" + std::to_string(bad.size() - 5) + " more)";
    fc.cond = {kCondFormatAllowed, "False", "FormatNotAllowed", msg + "; allowed: " + allowed_list};
    return fc;
  }
  if (!ma.format.empty() && !detected.empty() && Lower(ma.format) != detected) {
    fc.ok = false;
    fc.cond = {kCondFormatAllowed, "False", "FormatMismatch",
               "spec.format claims " + ma.format + " but the scan detected " + detected};
    return fc;
  }
  fc.cond = {kCondFormatAllowed, "True", "FormatAllowed",
             "weight format " + (detected.empty() ? std::string("(none)") : detected) + " is allowed (" +
                 allowed_list + ")"};
  return fc;
}

struct HashCheck {
  Condition cond;
  bool ok = true;  // false blocks admission
};

HashCheck CheckHashes(const policy::ModelAdmission& ma, const ScanOutcome& out) {
  HashCheck hc;
  std::vector<PinnedHash> pins;
  for (const auto& p : ma.files) pins.push_back({p.path, p.sha256});
  std::vector<ObservedFile> seen;
  for (const auto& f : out.report.files) seen.push_back({f.path, f.sha256});
  std::vector<std::string> ignore;
  if (!ma.signature_path.empty()) ignore.push_back(ma.signature_path);
  const HashComparison cmp = CompareHashes(pins, seen, ignore);

  std::string digest_problem;
  if (!ma.digest.empty()) {
    if (out.manifest_digest.empty()) {
      digest_problem = "spec.digest " + ma.digest + " is pinned but the manifest digest could not be computed";
    } else if (Lower(ma.digest) != Lower(out.manifest_digest)) {
      digest_problem = "manifest digest " + out.manifest_digest + " != pinned " + ma.digest;
    }
  }
  if (pins.empty() && ma.digest.empty()) {
    hc.cond = {kCondHashesMatch, "Unknown", "NoPinnedHashes",
               "spec.files and spec.digest are empty: nothing to compare (admission rule MG006)"};
    return hc;
  }
  if (!cmp.ok() || !digest_problem.empty()) {
    hc.ok = false;
    std::string msg = cmp.Message();
    if (!digest_problem.empty()) msg += (msg.empty() ? "" : "; ") + digest_problem;
    const char* reason = !cmp.mismatched.empty()   ? "HashMismatch"
                         : !cmp.missing.empty()    ? "FileMissing"
                         : !cmp.unpinned.empty()   ? "UnpinnedFile"
                                                   : "DigestMismatch";
    hc.cond = {kCondHashesMatch, "False", reason, msg};
    return hc;
  }
  std::string msg;
  if (!pins.empty()) msg = "all " + std::to_string(cmp.matched) + " pinned files match";
  if (!ma.digest.empty()) msg += (msg.empty() ? "" : "; ") + std::string("manifest digest matches");
  hc.cond = {kCondHashesMatch, "True", "HashesMatch", msg};
  return hc;
}

Condition SignatureCondition(const SignatureResult& s) {
  switch (s.kind) {
    case SignatureResult::Kind::kVerified:
      return {kCondSignatureVerified, "True", "Verified",
              "signed by " + s.identity + (s.issuer.empty() ? "" : " (issuer " + s.issuer + ")")};
    case SignatureResult::Kind::kUnsigned:
      return {kCondSignatureVerified, "False", "Unsigned", s.detail.empty() ? "the model is not signed" : s.detail};
    case SignatureResult::Kind::kNotVerified:
      return {kCondSignatureVerified, "False", "VerificationUnavailable", s.detail};
    case SignatureResult::Kind::kInvalid:
      return {kCondSignatureVerified, "False", "SignatureInvalid", s.detail};
    case SignatureResult::Kind::kUntrusted:
      return {kCondSignatureVerified, "False", "SignerUntrusted", s.detail};
  }
  return {kCondSignatureVerified, "Unknown", "Unknown", ""};
}

json FindingJson(const scanners::Finding& f) {
  return {{"rule", f.rule},
          {"severity", std::string(scanners::SeverityName(f.severity))},
          {"file", f.file},
          {"detail", f.detail}};
}

int64_t CurrentObservedGeneration(const json& st) {
  if (st.is_object() && st.contains("observedGeneration") && st["observedGeneration"].is_number_integer())
    return st["observedGeneration"].get<int64_t>();
  return 0;
}

}  // namespace

bool IsAuxiliaryFormat(const std::string& format) {
  return format == "json" || format == "text" || format == "empty" || format == "unknown";
}

std::string DetectedFormat(const scanners::ScanReport& report) {
  std::set<std::string> weights, aux;
  for (const auto& f : report.files) {
    const std::string fmt(scanners::FormatName(f.format));
    (IsAuxiliaryFormat(fmt) ? aux : weights).insert(fmt);
  }
  const std::set<std::string>& use = weights.empty() ? aux : weights;
  std::string out;
  for (const auto& f : use) out += (out.empty() ? "" : ",") + f;
  return out;
}

json CompletedStatus(const policy::ModelAdmission& ma, const ScanOutcome& outcome, const json& previous,
                     const StatusOptions& opts, TimePoint now) {
  const scanners::ScanReport& report = outcome.report;
  json st = Base(previous);
  st["observedGeneration"] = ma.generation;

  // scan
  json scan = json::object();
  scan["scannerVersion"] = std::string(scanners::ScannerVersion());
  scan["startedAt"] = report.started;
  scan["completedAt"] = report.completed;
  const std::string detected = DetectedFormat(report);
  scan["format"] = detected;
  json files = json::array();
  for (const auto& f : report.files) {
    if (files.size() >= opts.max_files) break;
    files.push_back({{"path", f.path},
                     {"size", f.size},
                     {"sha256", f.sha256},
                     {"format", std::string(scanners::FormatName(f.format))}});
  }
  scan["files"] = std::move(files);
  if (!outcome.manifest_digest.empty()) scan["manifestDigest"] = outcome.manifest_digest;

  std::vector<scanners::Finding> all_findings;
  std::vector<scanners::Undecided> undecided;
  for (const auto& f : report.files) {
    all_findings.insert(all_findings.end(), f.findings.begin(), f.findings.end());
    undecided.insert(undecided.end(), f.undecided.begin(), f.undecided.end());
  }
  undecided.insert(undecided.end(), report.errors.begin(), report.errors.end());
  // Worst first, so a cut list keeps what matters.
  std::stable_sort(all_findings.begin(), all_findings.end(),
                   [](const auto& a, const auto& b) { return a.severity > b.severity; });
  json findings = json::array();
  const size_t max_findings = std::max<size_t>(opts.max_findings, 2);
  const bool cut_findings = all_findings.size() > max_findings;
  for (size_t i = 0; i < all_findings.size() && findings.size() < max_findings - (cut_findings ? 1 : 0); ++i)
    findings.push_back(FindingJson(all_findings[i]));
  if (cut_findings) {
    findings.push_back({{"rule", kTruncatedRule},
                        {"severity", "info"},
                        {"file", ""},
                        {"detail", std::to_string(all_findings.size() - findings.size()) + " more findings not listed (" +
                                       std::to_string(all_findings.size()) + " in total)"}});
  }
  scan["findings"] = std::move(findings);
  json und = json::array();
  const size_t max_und = std::max<size_t>(opts.max_undecided, 2);
  const bool cut_und = undecided.size() > max_und;
  for (size_t i = 0; i < undecided.size() && und.size() < max_und - (cut_und ? 1 : 0); ++i)
    und.push_back({{"file", undecided[i].file}, {"reason", undecided[i].reason}});
  if (cut_und) {
    und.push_back({{"file", ""},
                   {"reason", std::to_string(undecided.size() - und.size()) + " more undecided files not listed (" +
                                  std::to_string(undecided.size()) + " in total)"}});
  }
  scan["undecided"] = std::move(und);
  st["scan"] = std::move(scan);

  // signature
  json sig = {{"status", SignatureStatusName(outcome.signature.kind)}};
  if (!outcome.signature.identity.empty()) sig["identity"] = outcome.signature.identity;
  if (!outcome.signature.issuer.empty()) sig["issuer"] = outcome.signature.issuer;
  if (!outcome.signature.detail.empty()) sig["message"] = outcome.signature.detail;
  st["signature"] = std::move(sig);

  // conditions
  json& conds = st["conditions"];
  const int64_t gen = ma.generation;
  size_t blocking = 0;
  for (const auto& f : all_findings)
    if (f.severity >= opts.fail_on) ++blocking;
  SetCondition(conds,
               {kCondScanned, "True", "ScanCompleted",
                "scanned " + std::to_string(report.files.size()) + " files (" + std::to_string(report.total_bytes) +
                    " bytes) with modelgate " + std::string(scanners::ScannerVersion()) + ": " +
                    std::to_string(all_findings.size()) + " findings, " + std::to_string(undecided.size()) +
                    " undecided"},
               gen, now);
  const HashCheck hc = CheckHashes(ma, outcome);
  SetCondition(conds, hc.cond, gen, now);
  const Condition sc = SignatureCondition(outcome.signature);
  SetCondition(conds, sc, gen, now);
  const FormatCheck fc = CheckFormat(ma, report, detected, opts);
  SetCondition(conds, fc.cond, gen, now);

  // Ready: the first blocking problem names the reason.
  Condition ready{kCondReady, "True", "Admitted", "the model passed every check"};
  const bool sig_bad = outcome.signature.kind == SignatureResult::Kind::kInvalid ||
                       outcome.signature.kind == SignatureResult::Kind::kUntrusted;
  if (blocking > 0) {
    const auto& w = all_findings.front();
    ready = {kCondReady, "False", "UnsafeContent",
             std::to_string(blocking) + " findings at or above " +
                 std::string(scanners::SeverityName(opts.fail_on)) + "; worst: " + w.rule + " (" +
                 std::string(scanners::SeverityName(w.severity)) + ") in " + w.file + ": " + w.detail};
  } else if (!undecided.empty()) {
    ready = {kCondReady, "False", "Undecided",
             std::to_string(undecided.size()) + " files could not be decided; first: " + undecided.front().file +
                 ": " + undecided.front().reason};
  } else if (!hc.ok) {
    ready = {kCondReady, "False", hc.cond.reason, hc.cond.message};
  } else if (!fc.ok) {
    ready = {kCondReady, "False", fc.cond.reason, fc.cond.message};
  } else if (sig_bad) {
    ready = {kCondReady, "False", sc.reason, sc.message};
  }
  SetCondition(conds, ready, gen, now);
  st["phase"] = ready.status == "True" ? kPhaseAdmitted : kPhaseRejected;
  return st;
}

json ScanningStatus(const policy::ModelAdmission& ma, const json& previous, TimePoint now) {
  json st = Base(previous);
  st["phase"] = kPhaseScanning;
  st["observedGeneration"] = CurrentObservedGeneration(st);
  json& conds = st["conditions"];
  SetCondition(conds, {kCondScanned, "Unknown", "ScanInProgress", "a scan of generation " +
                                                                     std::to_string(ma.generation) + " is running"},
               ma.generation, now);
  SetCondition(conds, {kCondReady, "False", "ScanInProgress", "waiting for the scan to finish (admission rule MG002)"},
               ma.generation, now);
  return st;
}

json ErrorStatus(const policy::ModelAdmission& ma, const std::string& message, ErrorRetry retry,
                 const json& previous, TimePoint now) {
  json st = Base(previous);
  st["phase"] = kPhaseError;
  st["observedGeneration"] = ma.generation;
  st.erase("scan");
  st.erase("signature");
  json& conds = st["conditions"];
  const int64_t gen = ma.generation;
  SetCondition(conds, {kCondScanned, "False", "ScanFailed", message}, gen, now);
  for (const char* t : {kCondHashesMatch, kCondSignatureVerified, kCondFormatAllowed})
    SetCondition(conds, {t, "Unknown", "NotScanned", "the scan failed; see the Scanned condition"}, gen, now);
  // No attempt count or next-attempt time here: they would change with every retry and
  // make each one a status write (the ScanFailed Event counts the attempts instead).
  const char* next = retry == ErrorRetry::kWithBackoff
                         ? "; the operator retries with backoff (kubectl describe counts the ScanFailed attempts)"
                         : "; not retried until the spec changes";
  SetCondition(conds, {kCondReady, "False", "ScanFailed", message + next}, gen, now);
  return st;
}

bool NeedsScan(const json& object) {
  if (!object.is_object()) return false;
  const json& md = object.contains("metadata") ? object["metadata"] : json::object();
  const int64_t generation =
      md.contains("generation") && md["generation"].is_number_integer() ? md["generation"].get<int64_t>() : 0;
  if (!object.contains("status") || !object["status"].is_object()) return true;
  const json& st = object["status"];
  const std::string phase = st.value("phase", "");
  if (phase.empty() || phase == kPhasePending || phase == kPhaseScanning || phase == kPhaseError) return true;
  if (CurrentObservedGeneration(st) != generation) return true;
  const std::string token = RescanRequested(object);
  return !token.empty() && token != RescanAnswered(object);
}

namespace {
std::string Annotation(const json& object, const char* key) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) return "";
  const json& md = object["metadata"];
  if (md.contains("annotations") && md["annotations"].is_object() && md["annotations"].contains(key) &&
      md["annotations"][key].is_string())
    return md["annotations"][key].get<std::string>();
  return "";
}
}  // namespace

std::string RescanRequested(const json& object) { return Annotation(object, kRescanAnnotation); }
std::string RescanAnswered(const json& object) { return Annotation(object, kRescanAnsweredAnnotation); }

}  // namespace modelgate::controller
