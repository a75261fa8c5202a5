// Sigstore trusted_root.json (media type trustedroot v0.1/v0.2): the keys and
// certificate authorities a verifier trusts, each with its validity window.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scanners/signing/crypto.h"
#include "scanners/status.h"

namespace modelgate::signing {

// A [start, end] window in Unix seconds; both ends inclusive, no end = open.
struct ValidFor {
  int64_t start = 0;
  std::optional<int64_t> end;
  bool Contains(int64_t t) const { return t >= start && (!end || t <= *end); }
};

// A transparency log (Rekor) or CT log key.
struct LogKey {
  std::string base_url;
  std::string log_id;  // raw key id
  PKey key;            // null when the key could not be parsed (never matches)
  ValidFor valid_for;
};

// A Fulcio CA or a timestamp authority: its chain (leaf/intermediate first,
// root last) and validity window.
struct Authority {
  std::string uri;
  std::vector<Cert> chain;
  ValidFor valid_for;
};

struct TrustedRoot {
  std::vector<LogKey> tlogs;
  std::vector<LogKey> ctlogs;
  std::vector<Authority> certificate_authorities;
  std::vector<Authority> timestamp_authorities;

  // The log with `log_id`, or nullptr.
  const LogKey* FindTlog(std::string_view log_id) const;
  const LogKey* FindCtlog(std::string_view log_id) const;
};

// Parses trusted_root.json. A key or authority whose validFor lacks its
// start is an error (a missing bound must not read as "forever"), as is a
// certificate that does not parse. Never throws.
Result<TrustedRoot> ParseTrustedRoot(std::string_view json_text);

}  // namespace modelgate::signing
