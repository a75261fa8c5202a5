#include "policy/glob.h"

#include <vector>

namespace modelgate::policy {

// Dynamic programming over (pattern position, text position): O(|p|*|t|) time and
// O(|t|) memory, so a hostile pattern cannot cause exponential backtracking.
bool GlobMatch(std::string_view p, std::string_view t) {
  const size_t n = t.size();
  std::vector<char> cur(n + 1, 0), next(n + 1, 0);
  cur[0] = 1;  // empty pattern prefix matches empty text prefix
  size_t i = 0;
  while (i < p.size()) {
    std::fill(next.begin(), next.end(), 0);
    if (p[i] == '*') {
      const bool dbl = i + 1 < p.size() && p[i + 1] == '*';
      // next[j] = exists k <= j with cur[k] and t[k..j) free of '/' (single star).
      bool reach = false;
      for (size_t j = 0; j <= n; ++j) {
        if (j > 0 && !dbl && t[j - 1] == '/') reach = false;
        if (cur[j]) reach = true;
        next[j] = reach;
      }
      i += dbl ? 2 : 1;
    } else {
      for (size_t j = 0; j < n; ++j) {
        if (!cur[j]) continue;
        if (p[i] == '?' ? t[j] != '/' : p[i] == t[j]) next[j + 1] = 1;
      }
      i += 1;
    }
    std::swap(cur, next);
  }
  return cur[n] != 0;
}

bool IsLiteralGlob(std::string_view pattern) {
  return pattern.find_first_of("*?") == std::string_view::npos;
}

}  // namespace modelgate::policy
