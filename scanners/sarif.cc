#include "scanners/sarif.h"

#include <cstdio>

namespace modelgate::scanners {
namespace {

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string PercentEncodePath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    if (Unreserved(c) || c == '/') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> SarifArtifactUri(std::string_view path) {
  if (path.empty() || path == "-" || path == "<stdin>") return std::nullopt;
  std::string encoded = PercentEncodePath(path);
  // "file://" + "/abs/path" gives the three slashes of a file URI with an empty host.
  if (path.front() == '/') return "file://" + encoded;
  return encoded;
}

nlohmann::json SarifLocation(std::string_view path, const std::string& logical_name,
                             const std::string& logical_kind) {
  nlohmann::json logical = {{"fullyQualifiedName", logical_name}};
  if (!logical_kind.empty()) logical["kind"] = logical_kind;
  nlohmann::json location = {{"logicalLocations", nlohmann::json::array({logical})}};
  if (auto uri = SarifArtifactUri(path)) location["physicalLocation"] = {{"artifactLocation", {{"uri", *uri}}}};
  return location;
}

nlohmann::json SarifRule(const std::string& id, const std::string& title, const std::string& help) {
  return {{"id", id},
          {"shortDescription", {{"text", title}}},
          {"fullDescription", {{"text", help}}},
          {"help", {{"text", help}}}};
}

}  // namespace modelgate::scanners
