#include "scanners/signing/checkpoint.h"

#include <charconv>
#include <vector>

#include "scanners/signing/encoding.h"

namespace modelgate::signing {
namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      out.push_back(text);
      break;
    }
    out.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace

Result<Checkpoint> VerifyCheckpoint(std::string_view note, const LogKey& log) {
  size_t sep = note.find("\n\n");
  if (sep == std::string_view::npos) return Status::Error("checkpoint has no signature block");
  std::string_view body = note.substr(0, sep + 1);
  std::string_view sigs = note.substr(sep + 2);
  auto lines = Lines(body);
  if (lines.size() < 3) return Status::Error("checkpoint needs origin, size and root hash lines");
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  if (cp.origin.empty()) return Status::Error("checkpoint origin is empty");
  std::string_view size = lines[1];
  auto [p, ec] = std::from_chars(size.data(), size.data() + size.size(), cp.tree_size);
  if (ec != std::errc() || p != size.data() + size.size() || size.empty() || cp.tree_size < 0)
    return Status::Error("checkpoint size line is not a number");
  auto root = Base64Decode(lines[2]);
  if (!root || root->size() != 32) return Status::Error("checkpoint root hash line is not a base64 SHA-256");
  cp.root_hash = *root;

  std::string origin_host = cp.origin.substr(0, cp.origin.find(" - "));
  static const std::string kDash = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
  bool any = false;
  for (std::string_view line : Lines(sigs)) {
    if (line.empty()) continue;
    if (line.substr(0, kDash.size()) != kDash) return Status::Error("checkpoint signature line is malformed");
    line.remove_prefix(kDash.size());
    size_t sp = line.rfind(' ');
    if (sp == std::string_view::npos) return Status::Error("checkpoint signature line is malformed");
    any = true;
    std::string name(line.substr(0, sp));
    auto blob = Base64Decode(line.substr(sp + 1));
    if (!blob || blob->size() < 5) continue;
    if (blob->compare(0, 4, log.log_id.substr(0, 4)) != 0) continue;
    if (name != cp.origin && name != origin_host) continue;
    if (!log.key) continue;
    if (VerifyMessage(log.key.get(), body, blob->substr(4)).ok()) return cp;
  }
  if (!any) return Status::Error("checkpoint carries no signature");
  return Status::Error("checkpoint has no valid signature by the log '" + log.base_url + "'");
}

}  // namespace modelgate::signing
