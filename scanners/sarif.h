// SARIF 2.1.0 building blocks shared by `modelgate scan` (scanners/report_sarif.cc) and
// `modelgate check` (cli/cmd_check.cc), so both logs point at files and describe rules
// the same way. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace modelgate::scanners {

// The `artifactLocation.uri` for a file path as the user gave it (SARIF 2.1.0 §3.4.3
// requires a valid URI or URI reference):
//  - a relative path ("k8s/app.yaml") stays a relative reference, resolved against the
//    directory the tool ran in, which is what code-scanning UIs expect for repository
//    paths;
//  - an absolute path ("/tmp/a b.yaml") becomes a `file://` URI ("file:///tmp/a%20b.yaml");
//  - every byte outside RFC 3986 unreserved characters and "/" is percent-encoded
//    (spaces, "#", "?", "%", ":", non-ASCII UTF-8 bytes), so a file name can never be
//    read as a scheme, query or fragment;
//  - std::nullopt for input that has no file: "" , "-" and "<stdin>". Callers then leave
//    `physicalLocation` out (SARIF requires it to hold an artifactLocation or an address)
//    and keep only the logical location.
std::optional<std::string> SarifArtifactUri(std::string_view path);

// One SARIF `location`: a physicalLocation for `path` when it has a URI (above), and a
// logicalLocation named `logical_name` (of `logical_kind` when that is not empty).
nlohmann::json SarifLocation(std::string_view path, const std::string& logical_name,
                             const std::string& logical_kind = "");

// A `reportingDescriptor` (an entry of tool.driver.rules) for `id`: shortDescription
// `title`, and fullDescription plus help.text `help` (plain text, shown by code-scanning
// UIs next to each result). No helpUri: modelgate's rule documentation ships with the
// source (docs/rules.md, docs/rules/*.md), not on a web site, so `help` names the file.
nlohmann::json SarifRule(const std::string& id, const std::string& title, const std::string& help);

}  // namespace modelgate::scanners
