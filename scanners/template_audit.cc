#include "scanners/template_audit.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "scanners/hashing.h"
#include "scanners/json_printable.h"
#include "scanners/template_code.h"

namespace modelgate::scanners {
namespace {

// Reports each rule at most once per template: one hostile template should
// not bury the report in hundreds of identical lines.
class Reporter {
 public:
  Reporter(std::string_view where, ScanContext& ctx) : where_(where), ctx_(ctx) {}
  void Add(const char* rule, Severity sev, const std::string& what) {
    if (!done_.insert(rule).second) return;
    ctx_.Add(rule, sev, "chat template " + Printable(where_, 80) + ": " + what);
  }

 private:
  std::string_view where_;
  ScanContext& ctx_;
  std::set<std::string> done_;
};

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Calls fn(identifier, position, is_first) for each identifier in `code`,
// without collecting them (a huge tag must not cost memory per token).
template <typename Fn>
void ForEachIdentifier(const std::string& code, Fn fn) {
  size_t i = 0;
  bool first = true;
  while (i < code.size()) {
    if (!IsIdentStart(code[i]) || (i > 0 && IsIdentChar(code[i - 1]))) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < code.size() && IsIdentChar(code[i])) ++i;
    fn(std::string_view(code).substr(start, i - start), start, first);
    first = false;
  }
}

// Next / previous non-space character around [pos, pos+len) in `code`.
char NextChar(const std::string& code, size_t after) {
  while (after < code.size() && std::isspace(static_cast<unsigned char>(code[after]))) ++after;
  return after < code.size() ? code[after] : '\0';
}
char PrevChar(const std::string& code, size_t before) {
  while (before > 0 && std::isspace(static_cast<unsigned char>(code[before - 1]))) --before;
  return before > 0 ? code[before - 1] : '\0';
}

// Names that only matter for reaching Python internals: any dunder, and a
// few attributes of frames, functions and Jinja objects when used after '.'.
bool IsInternalName(std::string_view id, char before) {
  if (id.size() >= 4 && id.compare(0, 2, "__") == 0) return true;  // __class__, __x
  static const std::set<std::string, std::less<>> kAttributes = {
      "mro",      "func_globals", "f_globals", "f_locals", "f_back",
      "gi_frame", "gi_code",      "tb_frame",  "co_code",  "cr_frame",
      "ag_frame", "_TemplateReference__context", "_module", "_Undefined__obj"};
  return before == '.' && kAttributes.count(id) > 0;
}

// True when `s` holds a complete dunder, "__<word>__".
bool HasFullDunder(std::string_view s) {
  for (size_t p = s.find("__"); p != std::string_view::npos; p = s.find("__", p + 1)) {
    size_t q = p + 2, n = 0;
    while (q + n < s.size() && IsIdentChar(s[q + n]) && s[q + n] != '_') ++n;
    if (n > 0 && s.substr(q + n, 2) == "__") return true;
  }
  return false;
}

// True when `s` holds "__" followed by one of the internals sandbox escapes
// use (the trailing "__" may be missing: '__globals' is as telling).
bool HasKnownDunder(std::string_view s) {
  static const char* const kNames[] = {
      "class", "mro",  "subclasses", "globals", "builtins", "init",  "import",  "base",
      "dict",  "getattr", "code",    "func",    "reduce",   "loader", "spec",   "getitem",
      "call",  "new",  "closure",    "self",    "module"};
  for (size_t p = s.find("__"); p != std::string_view::npos; p = s.find("__", p + 1)) {
    for (const char* name : kNames) {
      if (s.substr(p + 2).rfind(name, 0) == 0) return true;
    }
  }
  return false;
}

void AuditTag(const TemplateTag& tag, Reporter& rep) {
  static const std::set<std::string, std::less<>> kLoaders = {"import", "from", "include",
                                                               "extends"};
  static const std::set<std::string, std::less<>> kObjects = {
      "cycler", "joiner", "namespace", "self", "request", "config", "url_for",
      "get_flashed_messages"};
  ForEachIdentifier(tag.code, [&](std::string_view id, size_t pos, bool first) {
    // A statement's first word says what it does.
    if (first && tag.statement && kLoaders.count(id)) {
      rep.Add("template/import", Severity::kHigh,
              "{% " + std::string(id) + " %} loads other templates; a chat template has none to load");
    }
    char before = PrevChar(tag.code, pos);
    char after = NextChar(tag.code, pos + id.size());
    if (IsInternalName(id, before)) {
      rep.Add("template/dunder-access", Severity::kCritical,
              "reaches Python internals through '" + Printable(id) + "'");
    }
    if (id == "attr" && before == '|') {
      rep.Add("template/attr-filter", Severity::kHigh,
              "uses the |attr() filter, the usual way around the sandbox's attribute checks");
    }
    if (before == '.' || before == '|') return;  // an attribute or filter, not a global
    if (id == "lipsum") {
      rep.Add("template/escape-global", Severity::kHigh,
              "uses the 'lipsum' global, whose function globals lead to os");
    }
    if (kObjects.count(id) && (after == '.' || after == '[' || after == '|')) {
      rep.Add("template/escape-global", Severity::kHigh,
              "reaches into the '" + std::string(id) + "' object instead of calling it");
    }
  });
  // Strings: a dunder written out, or assembled from pieces.
  const std::string& joined = tag.joined;
  bool written_out = false;
  for (const std::string& lit : tag.literals) {
    if (HasFullDunder(lit) || HasKnownDunder(lit)) {
      written_out = true;
      rep.Add("template/dunder-access", Severity::kCritical,
              "names Python internals in a string: '" + Printable(lit, 60) + "'");
    }
  }
  std::string reversed(joined.rbegin(), joined.rend());
  if ((!written_out && (HasFullDunder(joined) || HasKnownDunder(joined))) ||
      HasKnownDunder(reversed)) {
    rep.Add("template/obfuscated-name", Severity::kCritical,
            "assembles a Python internal name from string pieces: '" + Printable(joined, 60) + "'");
  }
  if (tag.escaped_ascii) {
    rep.Add("template/obfuscated-name", Severity::kCritical,
            "spells plain ASCII with \\x/\\u/octal escapes, hiding a name from review");
  }
  if (joined.find("%c") != std::string::npos) {
    rep.Add("template/obfuscated-name", Severity::kCritical,
            "builds characters from numbers with a %c format");
  }
  // Character harvesting: dict(__x=1)|list, ()|string|list, x|string[3].
  std::string code;
  for (char c : tag.code) {
    if (!std::isspace(static_cast<unsigned char>(c))) code.push_back(c);
  }
  bool harvest = code.find("|string|list") != std::string::npos ||
                 code.find("|string)[") != std::string::npos ||
                 code.find("|string[") != std::string::npos;
  if (code.find("dict(") != std::string::npos &&
      (code.find("|list") != std::string::npos || code.find("|join") != std::string::npos ||
       code.find("|first") != std::string::npos || code.find("|last") != std::string::npos)) {
    harvest = true;
  }
  if (harvest) {
    rep.Add("template/obfuscated-name", Severity::kCritical,
            "harvests characters from objects' string forms to assemble names");
  }
}

// Decodes one UTF-8 code point at s[*i] and advances; -1 (one byte skipped)
// on a malformed sequence.
long NextCodePoint(std::string_view s, size_t* i) {
  unsigned char c = static_cast<unsigned char>(s[*i]);
  if (c < 0x80) {
    ++*i;
    return c;
  }
  int extra = (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
  if (extra < 0 || *i + extra >= s.size()) {
    ++*i;
    return -1;
  }
  long cp = c & (0x3f >> extra);
  for (int k = 1; k <= extra; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[*i + k]);
    if ((cc & 0xc0) != 0x80) {
      ++*i;
      return -1;
    }
    cp = (cp << 6) | (cc & 0x3f);
  }
  *i += extra + 1;
  return cp;
}

bool IsInvisible(long cp) {
  return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff ||
         cp == 0x180e || cp == 0x00ad || (cp >= 0xe0000 && cp <= 0xe007f);
}

void AuditHiddenContent(std::string_view source, Reporter& rep) {
  for (size_t i = 0; i < source.size();) {
    long cp = NextCodePoint(source, &i);
    if (IsInvisible(cp)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "U+%04lX", cp);
      rep.Add("template/invisible-unicode", Severity::kMedium,
              std::string("contains invisible or bidi-control character ") + buf);
      break;
    }
  }
  // Phrases matched on lowercased text with whitespace runs folded to one space.
  std::string folded;
  folded.reserve(source.size());
  for (char c : source) {
    bool space = std::isspace(static_cast<unsigned char>(c));
    if (space && !folded.empty() && folded.back() == ' ') continue;
    folded.push_back(space ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  static const char* const kPhrases[] = {
      "ignore previous instructions", "ignore all previous", "ignore the above",
      "ignore prior instructions",    "disregard previous",  "disregard all previous",
      "disregard the above",          "forget previous instructions", "forget all previous",
      "do not tell the user",         "don't tell the user", "without telling the user",
      "do not reveal this",           "never reveal this",   "exfiltrate"};
  for (const char* phrase : kPhrases) {
    if (folded.find(phrase) != std::string::npos) {
      rep.Add("template/hidden-instruction", Severity::kMedium,
              std::string("contains the instruction-like text \"") + phrase + "\"");
      break;
    }
  }
  static const char* const kSchemes[] = {"http://", "https://", "ftp://", "file://"};
  for (const char* scheme : kSchemes) {
    size_t p = folded.find(scheme);
    if (p != std::string::npos) {
      size_t e = p;
      while (e < folded.size() && folded[e] != ' ' && folded[e] != '\'' && folded[e] != '"') ++e;
      rep.Add("template/url", Severity::kLow,
              "contains URL '" + Printable(folded.substr(p, std::min<size_t>(e - p, 80))) + "'");
      break;
    }
  }
  // base64: a long run of the alphabet mixing upper, lower case and digits.
  size_t run = 0;
  bool upper = false, lower = false, digit = false;
  for (size_t i = 0; i <= source.size(); ++i) {
    char c = i < source.size() ? source[i] : ' ';
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/') {
      ++run;
      upper |= std::isupper(static_cast<unsigned char>(c)) != 0;
      lower |= std::islower(static_cast<unsigned char>(c)) != 0;
      digit |= std::isdigit(static_cast<unsigned char>(c)) != 0;
      continue;
    }
    if (run >= 80 && upper && lower && digit) {
      rep.Add("template/encoded-blob", Severity::kLow,
              "contains a " + std::to_string(run) + "-character base64-like run");
      break;
    }
    run = 0;
    upper = lower = digit = false;
  }
}

}  // namespace

void AuditChatTemplate(std::string_view source, std::string_view where, ScanContext& ctx) {
  ctx.AddFact(std::string(where) + "_sha256", Sha256Hex(source));
  Reporter rep(where, ctx);
  LexTemplateTags(source, [&](const TemplateTag& tag) { AuditTag(tag, rep); });
  AuditHiddenContent(source, rep);
}

}  // namespace modelgate::scanners
