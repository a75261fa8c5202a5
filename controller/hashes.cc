#include "controller/hashes.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace modelgate::controller {
namespace {

std::string Clean(const std::string& p) {
  std::string s = p;
  while (s.rfind("./", 0) == 0) s.erase(0, 2);
  return s;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Short(const std::string& hex) {
  return hex.empty() ? "<unhashed>" : hex.substr(0, 12) + "...";
}

template <typename T, typename F>
void AppendList(std::string& out, const char* label, const std::vector<T>& items, size_t max_items, F fmt) {
  if (items.empty()) return;
  if (!out.empty()) out += "; ";
  out += label;
  for (size_t i = 0; i < items.size() && i < max_items; ++i) {
    out += i == 0 ? " " : ", ";
    out += fmt(items[i]);
  }
  if (items.size() > max_items) out += " (+" + std::to_string(items.size() - max_items) + " more)";
}

}  // namespace

HashComparison CompareHashes(const std::vector<PinnedHash>& pins, const std::vector<ObservedFile>& files,
                             const std::vector<std::string>& ignore) {
  HashComparison cmp;
  cmp.pinned = static_cast<int>(pins.size());
  if (pins.empty()) return cmp;
  std::map<std::string, std::string> seen;  // path -> sha256
  for (const auto& f : files) seen[Clean(f.path)] = Lower(f.sha256);
  std::set<std::string> pinned_paths;
  for (const auto& p : pins) {
    const std::string path = Clean(p.path);
    pinned_paths.insert(path);
    auto it = seen.find(path);
    if (it == seen.end()) {
      cmp.missing.push_back(path);
    } else if (it->second.empty() || it->second != Lower(p.sha256)) {
      cmp.mismatched.push_back({path, Lower(p.sha256), it->second});
    } else {
      ++cmp.matched;
    }
  }
  std::set<std::string> ignored;
  for (const auto& i : ignore) ignored.insert(Clean(i));
  for (const auto& [path, sha] : seen) {
    if (!pinned_paths.count(path) && !ignored.count(path)) cmp.unpinned.push_back(path);
  }
  std::sort(cmp.missing.begin(), cmp.missing.end());
  return cmp;
}

std::string HashComparison::Message(size_t max_items) const {
  std::string out;
  for (size_t i = 0; i < mismatched.size() && i < max_items; ++i) {
    if (!out.empty()) out += "; ";
    const auto& m = mismatched[i];
    out += m.path + ": sha256 " + Short(m.actual) + " != pinned " + Short(m.pinned);
  }
  if (mismatched.size() > max_items) {
    out += " (+" + std::to_string(mismatched.size() - max_items) + " more mismatches)";
  }
  AppendList(out, "missing:", missing, max_items, [](const std::string& s) { return s; });
  AppendList(out, "not pinned:", unpinned, max_items, [](const std::string& s) { return s; });
  return out;
}

}  // namespace modelgate::controller
