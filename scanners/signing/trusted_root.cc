#include "scanners/signing/trusted_root.h"

#include <nlohmann/json.hpp>

#include "scanners/signing/json_fields.h"

namespace modelgate::signing {
namespace {
using nlohmann::json;
namespace jf = json_fields;

Result<ValidFor> ParseValidFor(const json& obj, const std::string& where, bool required) {
  const json* vf = jf::Find(obj, "validFor");
  ValidFor out;
  if (!vf) {
    if (required) return Status::Error(where + ".validFor is missing");
    return out;
  }
  auto start = jf::String(*vf, "start", where + ".validFor");
  if (!start.ok()) return start.status();
  if (!*start) return Status::Error(where + ".validFor.start is missing");
  if (!ParseRfc3339(**start, &out.start)) return Status::Error(where + ".validFor.start is not an RFC 3339 time");
  auto end = jf::String(*vf, "end", where + ".validFor");
  if (!end.ok()) return end.status();
  if (*end) {
    int64_t e = 0;
    if (!ParseRfc3339(**end, &e)) return Status::Error(where + ".validFor.end is not an RFC 3339 time");
    out.end = e;
  }
  return out;
}

Result<std::vector<LogKey>> ParseLogs(const json& doc, const std::string& name) {
  std::vector<LogKey> out;
  const json* list = jf::Find(doc, name);
  if (!list) return out;
  if (!list->is_array()) return Status::Error(name + " must be an array");
  for (size_t i = 0; i < list->size(); ++i) {
    const json& l = (*list)[i];
    std::string w = name + "[" + std::to_string(i) + "]";
    LogKey k;
    auto url = jf::String(l, "baseUrl", w);
    if (!url.ok()) return url.status();
    if (*url) k.base_url = **url;
    const json* log_id = jf::Find(l, "logId");
    if (!log_id) return Status::Error(w + ".logId is missing");
    auto id = jf::Bytes(*log_id, "keyId", w + ".logId");
    if (!id.ok()) return id.status();
    if (!*id) return Status::Error(w + ".logId.keyId is missing");
    k.log_id = **id;
    const json* pk = jf::Find(l, "publicKey");
    if (!pk) return Status::Error(w + ".publicKey is missing");
    auto raw = jf::Bytes(*pk, "rawBytes", w + ".publicKey");
    if (!raw.ok()) return raw.status();
    if (*raw) {
      auto key = PublicKeyFromDer(**raw);
      if (key.ok()) k.key = *key;
    }
    auto vf = ParseValidFor(*pk, w + ".publicKey", true);
    if (!vf.ok()) return vf.status();
    k.valid_for = *vf;
    out.push_back(std::move(k));
  }
  return out;
}

Result<std::vector<Authority>> ParseAuthorities(const json& doc, const std::string& name) {
  std::vector<Authority> out;
  const json* list = jf::Find(doc, name);
  if (!list) return out;
  if (!list->is_array()) return Status::Error(name + " must be an array");
  for (size_t i = 0; i < list->size(); ++i) {
    const json& a = (*list)[i];
    std::string w = name + "[" + std::to_string(i) + "]";
    Authority auth;
    auto uri = jf::String(a, "uri", w);
    if (!uri.ok()) return uri.status();
    if (*uri) auth.uri = **uri;
    const json* chain = jf::Find(a, "certChain");
    const json* certs = chain ? jf::Find(*chain, "certificates") : nullptr;
    if (!certs || !certs->is_array() || certs->empty()) return Status::Error(w + ".certChain is empty");
    for (const auto& c : *certs) {
      auto der = jf::Bytes(c, "rawBytes", w + ".certChain");
      if (!der.ok()) return der.status();
      if (!*der) return Status::Error(w + ".certChain certificate without rawBytes");
      auto cert = CertFromDer(**der);
      if (!cert.ok()) return Status::Error(w + ": " + cert.status().message());
      auth.chain.push_back(*cert);
    }
    auto vf = ParseValidFor(a, w, true);
    if (!vf.ok()) return vf.status();
    auth.valid_for = *vf;
    out.push_back(std::move(auth));
  }
  return out;
}

}  // namespace

const LogKey* TrustedRoot::FindTlog(std::string_view log_id) const {
  for (const auto& l : tlogs)
    if (l.log_id == log_id) return &l;
  return nullptr;
}

const LogKey* TrustedRoot::FindCtlog(std::string_view log_id) const {
  for (const auto& l : ctlogs)
    if (l.log_id == log_id) return &l;
  return nullptr;
}

Result<TrustedRoot> ParseTrustedRoot(std::string_view json_text) {
  try {
    json doc = json::parse(json_text.begin(), json_text.end());
    if (!doc.is_object()) return Status::Error("trusted root is not a JSON object");
    TrustedRoot root;
    auto tlogs = ParseLogs(doc, "tlogs");
    if (!tlogs.ok()) return tlogs.status();
    root.tlogs = std::move(*tlogs);
    auto ctlogs = ParseLogs(doc, "ctlogs");
    if (!ctlogs.ok()) return ctlogs.status();
    root.ctlogs = std::move(*ctlogs);
    auto cas = ParseAuthorities(doc, "certificateAuthorities");
    if (!cas.ok()) return cas.status();
    root.certificate_authorities = std::move(*cas);
    auto tsas = ParseAuthorities(doc, "timestampAuthorities");
    if (!tsas.ok()) return tsas.status();
    root.timestamp_authorities = std::move(*tsas);
    return root;
  } catch (const json::exception& e) {
    return Status::Error(std::string("trusted root is not valid JSON: ") + e.what());
  }
}

}  // namespace modelgate::signing
