#include "controller/scan_result.h"

#include <nlohmann/json.hpp>

#include "scanners/format.h"

namespace modelgate::controller {
namespace {

using nlohmann::json;

scanners::Format FormatFromName(const std::string& name) {
  for (int i = 0; i <= static_cast<int>(scanners::Format::kText); ++i) {
    const auto f = static_cast<scanners::Format>(i);
    if (scanners::FormatName(f) == name) return f;
  }
  return scanners::Format::kUnknown;
}

// Field readers that record the first type error with its path.
struct Reader {
  std::string error;
  std::string Str(const json& o, const char* key, const std::string& path) {
    if (!o.contains(key) || o[key].is_null()) return "";
    if (!o[key].is_string()) {
      Fail(path + "." + key + ": expected a string");
      return "";
    }
    return o[key].get<std::string>();
  }
  uint64_t U64(const json& o, const char* key, const std::string& path) {
    if (!o.contains(key) || o[key].is_null()) return 0;
    if (!o[key].is_number_unsigned() && !(o[key].is_number_integer() && o[key].get<int64_t>() >= 0)) {
      Fail(path + "." + key + ": expected a non-negative integer");
      return 0;
    }
    return o[key].get<uint64_t>();
  }
  const json* Arr(const json& o, const char* key, const std::string& path) {
    if (!o.contains(key) || o[key].is_null()) return nullptr;
    if (!o[key].is_array()) {
      Fail(path + "." + key + ": expected an array");
      return nullptr;
    }
    return &o[key];
  }
  void Fail(std::string e) {
    if (error.empty()) error = std::move(e);
  }
};

std::string Idx(const std::string& p, size_t i) { return p + "[" + std::to_string(i) + "]"; }

}  // namespace

Result<scanners::ScanReport> ParseScanJson(const std::string& text) {
  Result<ScanOutput> out = ParseScanOutput(text);
  if (!out.ok()) return out.status();
  return std::move(out).value().report;
}

Result<ScanOutput> ParseScanOutput(const std::string& text) {
  size_t start = std::string::npos;
  for (size_t pos = 0; pos < text.size();) {
    if (text[pos] == '{') {
      start = pos;
      break;
    }
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  if (start == std::string::npos) return Status::Error("scan output holds no JSON document");
  json doc = json::parse(text.begin() + static_cast<std::ptrdiff_t>(start), text.end(), nullptr,
                         /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return Status::Error("scan output is not a JSON object");
  if (!doc.contains("schemaVersion") || doc["schemaVersion"] != json("modelgate.io/scan/v1"))
    return Status::Error("scan output: schemaVersion is not modelgate.io/scan/v1");

  Reader r;
  ScanOutput out;
  scanners::ScanReport& report = out.report;
  report.started = r.Str(doc, "started", "");
  report.completed = r.Str(doc, "completed", "");
  if (const json* roots = r.Arr(doc, "roots", "")) {
    for (size_t i = 0; i < roots->size(); ++i) {
      if ((*roots)[i].is_string()) report.roots.push_back((*roots)[i].get<std::string>());
      else r.Fail(Idx("roots", i) + ": expected a string");
    }
  }
  if (doc.contains("summary") && doc["summary"].is_object())
    report.total_bytes = r.U64(doc["summary"], "bytes", "summary");
  if (const json* files = r.Arr(doc, "files", "")) {
    for (size_t i = 0; i < files->size(); ++i) {
      const json& f = (*files)[i];
      const std::string p = Idx("files", i);
      if (!f.is_object()) {
        r.Fail(p + ": expected an object");
        continue;
      }
      scanners::FileReport fr;
      fr.path = r.Str(f, "path", p);
      fr.size = r.U64(f, "size", p);
      fr.sha256 = r.Str(f, "sha256", p);
      fr.format = FormatFromName(r.Str(f, "format", p));
      if (const json* fs = r.Arr(f, "findings", p)) {
        for (size_t j = 0; j < fs->size(); ++j) {
          const json& x = (*fs)[j];
          const std::string q = Idx(p + ".findings", j);
          if (!x.is_object()) {
            r.Fail(q + ": expected an object");
            continue;
          }
          scanners::Finding fi;
          fi.rule = r.Str(x, "rule", q);
          fi.severity = scanners::ParseSeverity(r.Str(x, "severity", q)).value_or(scanners::Severity::kCritical);
          fi.file = r.Str(x, "file", q);
          fi.detail = r.Str(x, "detail", q);
          fr.findings.push_back(std::move(fi));
        }
      }
      if (const json* us = r.Arr(f, "undecided", p)) {
        for (size_t j = 0; j < us->size(); ++j) {
          const json& x = (*us)[j];
          const std::string q = Idx(p + ".undecided", j);
          if (!x.is_object()) {
            r.Fail(q + ": expected an object");
            continue;
          }
          fr.undecided.push_back({r.Str(x, "file", q), r.Str(x, "reason", q)});
        }
      }
      report.files.push_back(std::move(fr));
    }
  }
  if (const json* es = r.Arr(doc, "errors", "")) {
    for (size_t i = 0; i < es->size(); ++i) {
      const json& x = (*es)[i];
      if (!x.is_object()) {
        r.Fail(Idx("errors", i) + ": expected an object");
        continue;
      }
      report.errors.push_back({r.Str(x, "file", Idx("errors", i)), r.Str(x, "reason", Idx("errors", i))});
    }
  }
  if (doc.contains("signature") && !doc["signature"].is_null()) {
    Result<signing::EmbeddedSignature> sig = signing::EmbeddedSignatureFromJson(doc["signature"]);
    if (sig.ok()) out.signature = std::move(sig).value();
    else r.Fail(sig.status().message());
  }
  if (!r.error.empty()) return Status::Error("scan output: " + r.error);
  return out;
}

}  // namespace modelgate::controller
