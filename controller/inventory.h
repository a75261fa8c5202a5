// The model inventory behind `modelgate inventory`: one row per ModelAdmission with
// where its files come from, what they hash to and which workloads use it. Pure
// functions over ModelAdmission JSON (as listed from the API).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace modelgate::controller {

struct InventoryWorkload {
  std::string kind, name, first_seen;
};

struct InventoryRow {
  std::string namespace_name, name;
  std::string source;       // "pvc:models/llama", "hostPath:/mnt/x", "image:reg/x@sha256:..."
  std::string origin;       // "hf:meta-llama/Llama-3@<revision>" or ""
  std::string revision;     // the origin revision alone
  std::string phase;
  std::string format;       // status.scan.format, else spec.format
  std::string digest;       // spec.digest, else status.scan.manifestDigest
  std::vector<std::string> sha256;  // every file hash (pinned and scanned), lowercase, unique
  std::string signature;    // status.signature.status, "" when not scanned
  std::vector<InventoryWorkload> workloads;
};

// One row from a ModelAdmission object; missing fields stay empty (never fails).
InventoryRow InventoryRowFromObject(const nlohmann::json& object);

struct InventoryFilter {
  std::string sha256;  // a file hash or the digest (with or without "sha256:"); "" = any
  std::string model;   // ModelAdmission name; "" = any
};

// True when `row` passes every set field of `filter` (hash compared case-insensitively
// against every file hash and the digest).
bool InventoryMatches(const InventoryRow& row, const InventoryFilter& filter);

// Sorted by namespace, name.
std::vector<InventoryRow> BuildInventory(const nlohmann::json& list, const InventoryFilter& filter);

// Renderings. Table: aligned columns NAMESPACE NAME SOURCE REVISION FORMAT DIGEST
// SIGNATURE PHASE WORKLOADS (digest shortened to 19 chars, workloads "Kind/name,...").
// JSON: an array of objects (full values). CSV: RFC 4180 with a header line, workloads
// joined by ";".
std::string InventoryTable(const std::vector<InventoryRow>& rows);
nlohmann::json InventoryJson(const std::vector<InventoryRow>& rows);
std::string InventoryCsv(const std::vector<InventoryRow>& rows);

}  // namespace modelgate::controller
