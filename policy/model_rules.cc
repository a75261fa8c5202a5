// MG002-MG008, MG013-MG015: judging one ModelAdmission's spec and the status the
// operator wrote.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "policy/checks.h"
#include "policy/glob.h"
#include "policy/hex.h"

namespace modelgate::policy::internal {

namespace {

constexpr size_t kMaxLinesPerRule = 5;  // more findings are summarised in one line

bool IsCommit(const std::string& s) { return IsLowerHex(s, 40); }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string Flops(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// Appends the capped list `items` as violations of `rule`.
void AddCapped(std::vector<Violation>& out, const std::string& target, const std::string& rule,
               const std::vector<std::string>& items, const std::string& fix) {
  for (size_t i = 0; i < items.size() && i < kMaxLinesPerRule; ++i) out.push_back({rule, target, items[i], fix});
  if (items.size() > kMaxLinesPerRule)
    out.push_back({rule, target, "and " + std::to_string(items.size() - kMaxLinesPerRule) + " more", fix});
}

// MG002: true when the status describes a finished scan of the current spec.
// The fix must be true wherever the decision runs: the webhook asks for a scan (but not
// on dry-run, nor while one runs), offline `check` asks for nothing, and the operator
// scans an applied ModelAdmission on its own either way.
bool ScanUsable(const ModelAdmission& ma, const std::string& target, const AdmissionPolicy& p,
                std::vector<Violation>& out, std::vector<ScanRequest>& scans) {
  enum class Fix { kWaitForScan, kScanRunning, kScanFailed };
  std::string problem, reason;
  Fix fix = Fix::kWaitForScan;
  if (!ma.has_status || (!ma.has_scan && ma.phase.empty())) {
    problem = "has not been scanned yet";
    reason = "not scanned";
  } else if (ma.generation > 0 && ma.observed_generation != ma.generation) {
    problem = "scan is stale (spec generation " + std::to_string(ma.generation) + ", scanned generation " +
              std::to_string(ma.observed_generation) + ")";
    reason = "spec changed";
  } else if (ma.phase == "Pending" || ma.phase == "Scanning") {
    problem = "scan in progress (phase " + ma.phase + ")";
    fix = Fix::kScanRunning;
  } else if (ma.phase == "Error") {
    const ModelCondition* c = ma.Condition("Scanned");
    problem = "scan failed" + (c && !c->message.empty() ? ": " + c->message : std::string());
    reason = "scan failed";
    fix = Fix::kScanFailed;
  } else if (!ma.has_scan) {
    problem = "has no scan result (phase " + ma.phase + ")";
    reason = "no scan result";
  }
  if (problem.empty()) return true;
  if (!reason.empty()) scans.push_back({ma.namespace_name, ma.name, reason});
  if (!p.RuleEnabled("MG002")) return false;
  const std::string ref = " " + ma.name + " -n " + ma.namespace_name;
  const std::string done = "retry once kubectl get ma" + ref + " shows the scan finished";
  switch (fix) {
    case Fix::kScanRunning:
      out.push_back({"MG002", target, problem, done});
      break;
    case Fix::kScanFailed:
      out.push_back({"MG002", target, problem,
                     "the operator retries failed scans with backoff; fix the cause (or force a rescan: kubectl "
                     "annotate ma" + ref + " modelgate.io/rescan=$(date +%s) --overwrite), then " + done});
      break;
    case Fix::kWaitForScan:
      out.push_back({"MG002", target, problem,
                     "the operator scans a ModelAdmission once it is applied and again when its spec changes; " +
                         done});
      break;
  }
  return false;
}

void UnsafeContent(const ModelAdmission& ma, const std::string& target, const AdmissionPolicy& p,
                   std::vector<Violation>& out) {
  const int threshold = SeverityRank(p.rules.fail_on_severity);
  std::vector<std::string> items;
  for (const auto& f : ma.scan_findings) {
    const int rank = SeverityRank(Lower(f.severity));
    if (rank >= 0 && rank < threshold) continue;  // unknown severities fail closed
    items.push_back("file " + Quote(f.file) + ": " + f.rule + " (" + (f.severity.empty() ? "unknown" : f.severity) +
                    ")" + (f.detail.empty() ? "" : ": " + f.detail));
  }
  for (const auto& u : ma.scan_undecided)
    items.push_back("file " + Quote(u.file) + ": scanner could not decide" + (u.detail.empty() ? "" : ": " + u.detail));
  AddCapped(out, target, "MG003", items,
            "replace the model with a clean (SafeTensors) export, then update the ModelAdmission to rescan");
}

bool NonWeightFormat(const std::string& f) { return f == "json" || f == "text" || f == "empty" || f == "unknown"; }

void FormatAllowed(const ModelAdmission& ma, const std::string& target, const AdmissionPolicy& p,
                   std::vector<Violation>& out) {
  const auto& allowed = p.rules.allowed_formats;
  auto ok = [&](const std::string& f) { return std::find(allowed.begin(), allowed.end(), f) != allowed.end(); };
  std::string list;
  for (const auto& f : allowed) list += (list.empty() ? "" : ", ") + f;
  const std::string fix = "convert the weights to an allowed format (" + list + ") or allow it in the policy";
  std::vector<std::string> items;
  // Config, tokenizer and unknown side files are judged by MG003, not by format.
  for (const auto& f : ma.scan_files)
    if (!f.format.empty() && !NonWeightFormat(f.format) && !ok(f.format))
      items.push_back("file " + Quote(f.path) + " is " + f.format + ", not an allowed format");
  if (items.empty() && !ma.scan_format.empty() && !ok(ma.scan_format))
    items.push_back("detected format " + ma.scan_format + " is not allowed");
  AddCapped(out, target, "MG004", items, fix);
}

void HashesMatch(const ModelAdmission& ma, const std::string& target, std::vector<Violation>& out) {
  std::vector<std::string> items;
  if (!ma.scan_files.empty()) {
    // Normalised once per file, not once per pinned x scanned pair (this runs on every
    // admission request for every bound model).
    std::map<std::string, const ScannedFile*> scanned;
    for (const auto& f : ma.scan_files) scanned.emplace(NormalizePath(f.path), &f);
    for (const auto& pin : ma.files) {
      if (pin.sha256.empty()) continue;
      auto it = scanned.find(NormalizePath(pin.path));
      if (it == scanned.end()) {
        items.push_back("pinned file " + Quote(pin.path) + " is missing");
      } else if (!EqualsIgnoreCase(it->second->sha256, pin.sha256)) {
        const std::string& got = it->second->sha256;
        items.push_back("file " + Quote(pin.path) + " has sha256 " + (got.empty() ? "(not computed)" : got) +
                        ", pinned " + pin.sha256);
      }
    }
  }
  if (!ma.digest.empty() && !ma.scan_manifest_digest.empty() && !EqualsIgnoreCase(ma.digest, ma.scan_manifest_digest))
    items.push_back("manifest digest is " + ma.scan_manifest_digest + ", pinned " + ma.digest);
  if (items.empty()) {
    const ModelCondition* c = ma.Condition("HashesMatch");
    if (c && c->status == "False") items.push_back(c->message.empty() ? "file hashes differ from the pinned ones" : c->message);
  }
  AddCapped(out, target, "MG005", items,
            "the bytes on disk are not the ones pinned: restore the published files or correct spec.files/spec.digest");
}

bool SignerTrusted(const ModelAdmission& ma, const AdmissionPolicy& p) {
  if (p.rules.trusted_signers.empty()) return true;
  for (const auto& s : p.rules.trusted_signers) {
    if (s.public_key) {
      if (ma.signature_key && *ma.signature_key == *s.public_key) return true;
      continue;
    }
    const std::string& id = ma.signature_status_identity.empty() ? ma.signature_identity : ma.signature_status_identity;
    const std::string& iss = ma.signature_status_issuer.empty() ? ma.signature_issuer : ma.signature_status_issuer;
    if (!id.empty() && GlobMatch(s.identity, id) && s.issuer == iss) return true;
  }
  return false;
}

void Signature(const ModelAdmission& ma, const std::string& target, const AdmissionPolicy& p, bool scan_usable,
               std::vector<Violation>& out) {
  if (!ma.signature_declared) {
    if (p.rules.require_signature)
      out.push_back({"MG008", target, "is not signed and the policy requires signatures",
                     "sign the model (model_signing) and set spec.signature"});
    return;
  }
  if (!scan_usable) return;  // MG002 already says the verification has not happened
  const std::string& st = ma.signature_status;
  if (st == "Verified") {
    if (!SignerTrusted(ma, p)) {
      const std::string who = ma.signature_status_identity.empty() ? ma.signature_identity : ma.signature_status_identity;
      out.push_back({"MG008", target, "signature by " + Quote(who) + " is verified but the signer is not trusted",
                     "add the signer to spec.rules.trustedSigners of the policy, or use a model signed by a trusted "
                     "signer"});
    }
    return;
  }
  std::string what = st.empty() ? "signature has not been verified" : "signature status is " + st;
  if (st == "Unsigned") what = "declares a signature but none was found at " + Quote(ma.signature_path);
  if (st == "Invalid") what = "signature is invalid (the bytes or the bundle do not verify)";
  if (st == "Untrusted") what = "signature is from an untrusted signer or key";
  out.push_back({"MG008", target, what, "re-sign the model with a trusted identity, or check spec.signature"});
}

}  // namespace

void CheckModel(const ModelAdmission& ma, const AdmissionPolicy& p, std::vector<Violation>& out,
                std::vector<ScanRequest>& scans) {
  const std::string target = "ModelAdmission " + Quote(ma.name);
  const bool usable = ScanUsable(ma, target, p, out, scans);
  if (usable) {
    if (p.RuleEnabled("MG003")) UnsafeContent(ma, target, p, out);
    if (p.RuleEnabled("MG004")) FormatAllowed(ma, target, p, out);
    if (p.RuleEnabled("MG005")) HashesMatch(ma, target, out);
  }
  if (p.RuleEnabled("MG006")) {
    const bool pinned = std::any_of(ma.files.begin(), ma.files.end(), [](const auto& f) { return !f.sha256.empty(); });
    if (p.rules.require_digest && ma.digest.empty())
      out.push_back({"MG006", target, "has no spec.digest and the policy requires one",
                     "set spec.digest to the model_signing manifest digest (sha256:<64 hex>)"});
    else if (!pinned && ma.digest.empty())
      out.push_back({"MG006", target, "pins no hashes",
                     "set spec.files[].sha256 to the publisher's SHA-256 of each file, or spec.digest"});
  }
  if (p.RuleEnabled("MG007") && (ma.hf_repo || ma.hf_revision)) {
    const std::string rev = ma.hf_revision.value_or("");
    // Hex that is not 40 lowercase digits is an abbreviated or upper-case commit id, not a
    // branch: say so, or the message sends the user looking for a branch they never named.
    const bool hex = !rev.empty() && std::all_of(rev.begin(), rev.end(), [](char c) {
      return std::isxdigit(static_cast<unsigned char>(c)) != 0;
    });
    if (!IsCommit(rev))
      out.push_back({"MG007", target,
                     rev.empty() ? "origin has no revision (the hub serves whatever main points to)"
                     : hex       ? "origin revision " + Quote(rev) +
                                 " looks like a commit id but is not 40 lowercase hex digits (abbreviated or upper-case)"
                                 : "origin revision " + Quote(rev) + " is a branch or tag, not a commit",
                     "set spec.origin.huggingFace.revision to the 40-hex commit id the files come from"});
  }
  if (p.RuleEnabled("MG008")) Signature(ma, target, p, usable, out);
  if (p.RuleEnabled("MG013")) {
    const auto& allowed = p.rules.allowed_licenses;
    if (ma.license.empty())
      out.push_back({"MG013", target, "declares no licence", "set spec.license.spdx"});
    else if (std::find(allowed.begin(), allowed.end(), ma.license) == allowed.end())
      out.push_back({"MG013", target, "licence " + ma.license + " is not in the allowed list",
                     "use a model under an allowed licence or add an exemption with the legal review's reason"});
  }
  if (p.RuleEnabled("MG014") && ma.training_compute_flops &&
      *ma.training_compute_flops >= p.rules.systemic_risk_flops) {
    out.push_back({"MG014", target,
                   "training compute " + Flops(*ma.training_compute_flops) +
                       " FLOP is at or above the systemic-risk threshold " + Flops(p.rules.systemic_risk_flops),
                   "deploy it only under an exemption that records the systemic-risk review (AI Act Art. 51/55)"});
  }
  if (p.RuleEnabled("MG015") && (!ma.training_data_summary || ma.training_data_summary->empty())) {
    out.push_back({"MG015", target, "has no training-data summary on file",
                   "set spec.compliance.trainingDataSummary to the published summary (AI Act Art. 53(1)(d))"});
  }
}

}  // namespace modelgate::policy::internal
