#include "controller/inventory.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace modelgate::controller {

using nlohmann::json;

namespace {

const json& Obj(const json& o, const char* key) {
  static const json kEmpty = json::object();
  return o.is_object() && o.contains(key) && o[key].is_object() ? o[key] : kEmpty;
}

std::string Str(const json& o, const char* key) {
  return o.is_object() && o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : "";
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string StripAlgo(const std::string& h) {
  std::string s = Lower(h);
  if (s.rfind("sha256:", 0) == 0) s = s.substr(7);
  return s;
}

std::string WorkloadList(const InventoryRow& r, const char* sep) {
  std::string out;
  for (const auto& w : r.workloads) out += (out.empty() ? "" : sep) + w.kind + "/" + w.name;
  return out;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

InventoryRow InventoryRowFromObject(const json& object) {
  InventoryRow r;
  const json& md = Obj(object, "metadata");
  r.namespace_name = Str(md, "namespace");
  r.name = Str(md, "name");
  const json& spec = Obj(object, "spec");
  const json& status = Obj(object, "status");
  const json& src = Obj(spec, "source");
  if (src.contains("pvc")) {
    const json& p = Obj(src, "pvc");
    r.source = "pvc:" + Str(p, "claimName") + (Str(p, "subPath").empty() ? "" : "/" + Str(p, "subPath"));
  } else if (src.contains("hostPath")) {
    r.source = "hostPath:" + Str(Obj(src, "hostPath"), "path");
  } else if (src.contains("image")) {
    r.source = "image:" + Str(Obj(src, "image"), "reference");
  }
  const json& hf = Obj(Obj(spec, "origin"), "huggingFace");
  if (!Str(hf, "repo").empty()) {
    r.revision = Str(hf, "revision");
    r.origin = "hf:" + Str(hf, "repo") + (r.revision.empty() ? "" : "@" + r.revision);
  }
  r.phase = Str(status, "phase");
  const json& scan = Obj(status, "scan");
  r.format = Str(scan, "format");
  if (r.format.empty()) r.format = Str(spec, "format");
  r.digest = Str(spec, "digest");
  if (r.digest.empty()) r.digest = Str(scan, "manifestDigest");
  std::set<std::string> hashes;
  for (const json* list : {&spec, &scan}) {
    if (list->contains("files") && (*list)["files"].is_array()) {
      for (const json& f : (*list)["files"]) {
        const std::string h = Lower(Str(f, "sha256"));
        if (!h.empty()) hashes.insert(h);
      }
    }
  }
  r.sha256.assign(hashes.begin(), hashes.end());
  r.signature = Str(Obj(status, "signature"), "status");
  if (status.contains("workloads") && status["workloads"].is_array()) {
    for (const json& w : status["workloads"]) {
      r.workloads.push_back({Str(w, "kind"), Str(w, "name"), Str(w, "firstSeen")});
    }
  }
  return r;
}

bool InventoryMatches(const InventoryRow& row, const InventoryFilter& filter) {
  if (!filter.model.empty() && row.name != filter.model) return false;
  if (!filter.sha256.empty()) {
    const std::string want = StripAlgo(filter.sha256);
    bool hit = StripAlgo(row.digest) == want;
    for (const auto& h : row.sha256) hit = hit || h == want;
    if (!hit) return false;
  }
  return true;
}

std::vector<InventoryRow> BuildInventory(const json& list, const InventoryFilter& filter) {
  std::vector<InventoryRow> rows;
  if (list.is_object() && list.contains("items") && list["items"].is_array()) {
    for (const json& item : list["items"]) {
      InventoryRow r = InventoryRowFromObject(item);
      if (InventoryMatches(r, filter)) rows.push_back(std::move(r));
    }
  }
  std::sort(rows.begin(), rows.end(), [](const InventoryRow& a, const InventoryRow& b) {
    return std::tie(a.namespace_name, a.name) < std::tie(b.namespace_name, b.name);
  });
  return rows;
}

std::string InventoryTable(const std::vector<InventoryRow>& rows) {
  const std::vector<std::string> header = {"NAMESPACE", "NAME",      "SOURCE", "REVISION", "FORMAT",
                                           "DIGEST",    "SIGNATURE", "PHASE",  "WORKLOADS"};
  std::vector<std::vector<std::string>> cells;
  cells.push_back(header);
  for (const auto& r : rows) {
    std::string digest = r.digest.size() > 19 ? r.digest.substr(0, 19) : r.digest;
    auto dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
    cells.push_back({r.namespace_name, r.name, dash(r.source), dash(r.revision.substr(0, 12)), dash(r.format),
                     dash(digest), dash(r.signature), dash(r.phase), dash(WorkloadList(r, ","))});
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : cells)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 3, ' ');
    }
    out += line + "\n";
  }
  return out;
}

json InventoryJson(const std::vector<InventoryRow>& rows) {
  json out = json::array();
  for (const auto& r : rows) {
    json w = json::array();
    for (const auto& x : r.workloads) w.push_back({{"kind", x.kind}, {"name", x.name}, {"firstSeen", x.first_seen}});
    out.push_back({{"namespace", r.namespace_name},
                   {"name", r.name},
                   {"source", r.source},
                   {"origin", r.origin},
                   {"revision", r.revision},
                   {"phase", r.phase},
                   {"format", r.format},
                   {"digest", r.digest},
                   {"sha256", r.sha256},
                   {"signature", r.signature},
                   {"workloads", w}});
  }
  return out;
}

std::string InventoryCsv(const std::vector<InventoryRow>& rows) {
  std::string out = "namespace,name,source,origin,revision,phase,format,digest,signature,workloads\n";
  for (const auto& r : rows) {
    const std::vector<std::string> f = {r.namespace_name, r.name,   r.source,    r.origin,
                                        r.revision,       r.phase,  r.format,    r.digest,
                                        r.signature,      WorkloadList(r, ";")};
    for (size_t i = 0; i < f.size(); ++i) out += (i ? "," : "") + CsvField(f[i]);
    out += "\n";
  }
  return out;
}

}  // namespace modelgate::controller
