#include "kube/labels.h"

#include <algorithm>
#include <cctype>

namespace modelgate::kube {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

bool ValidToken(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
  });
}

// Splits on commas that are not inside parentheses.
Result<std::vector<std::string>> SplitTerms(const std::string& text) {
  std::vector<std::string> terms;
  std::string cur;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0) return Status::Error("label selector: unbalanced ')'");
    if (c == ',' && depth == 0) {
      terms.push_back(Trim(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (depth != 0) return Status::Error("label selector: unbalanced '('");
  terms.push_back(Trim(cur));
  return terms;
}

Result<LabelSelector::Requirement> ParseTerm(const std::string& term) {
  using Op = LabelSelector::Op;
  auto bad = [&](const char* why) {
    return Status::Error(std::string("label selector: ") + why + " in \"" + term + "\"");
  };
  if (term.empty()) return bad("empty term");
  if (term[0] == '!') {
    std::string key = Trim(term.substr(1));
    if (!ValidToken(key)) return bad("bad key");
    return LabelSelector::Requirement{key, Op::kDoesNotExist, {}};
  }
  size_t paren = term.find('(');
  if (paren != std::string::npos) {
    if (term.back() != ')') return bad("set must end with ')'");
    std::string head = Trim(term.substr(0, paren));
    size_t sp = head.find_last_of(" \t");
    if (sp == std::string::npos) return bad("expected 'key in (...)'");
    std::string key = Trim(head.substr(0, sp));
    std::string word = head.substr(sp + 1);
    Op op;
    if (word == "in") op = Op::kIn;
    else if (word == "notin") op = Op::kNotIn;
    else return bad("expected 'in' or 'notin'");
    if (!ValidToken(key)) return bad("bad key");
    std::vector<std::string> values;
    std::string inner = term.substr(paren + 1, term.size() - paren - 2);
    size_t start = 0;
    while (true) {
      size_t comma = inner.find(',', start);
      std::string v = Trim(inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (!v.empty()) {
        if (!ValidToken(v)) return bad("bad value");
        values.push_back(v);
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (values.empty()) return bad("empty value set");
    std::sort(values.begin(), values.end());
    return LabelSelector::Requirement{key, op, values};
  }
  size_t ne = term.find("!=");
  size_t eq = term.find('=');
  if (ne != std::string::npos) {
    std::string key = Trim(term.substr(0, ne));
    std::string value = Trim(term.substr(ne + 2));
    if (!ValidToken(key)) return bad("bad key");
    if (!value.empty() && !ValidToken(value)) return bad("bad value");
    return LabelSelector::Requirement{key, Op::kNotEquals, {value}};
  }
  if (eq != std::string::npos) {
    std::string key = Trim(term.substr(0, eq));
    size_t vstart = (eq + 1 < term.size() && term[eq + 1] == '=') ? eq + 2 : eq + 1;
    std::string value = Trim(term.substr(vstart));
    if (!ValidToken(key)) return bad("bad key");
    if (!value.empty() && !ValidToken(value)) return bad("bad value");
    return LabelSelector::Requirement{key, Op::kEquals, {value}};
  }
  std::string key = Trim(term);
  if (!ValidToken(key)) return bad("bad key");
  return LabelSelector::Requirement{key, Op::kExists, {}};
}

}  // namespace

Result<LabelSelector> LabelSelector::Parse(const std::string& text) {
  LabelSelector sel;
  if (Trim(text).empty()) return sel;
  auto terms = SplitTerms(text);
  if (!terms.ok()) return terms.status();
  for (const auto& t : *terms) {
    auto req = ParseTerm(t);
    if (!req.ok()) return req.status();
    sel.reqs_.push_back(std::move(req).value());
  }
  return sel;
}

bool LabelSelector::Matches(const Labels& labels) const {
  for (const auto& r : reqs_) {
    auto it = labels.find(r.key);
    const bool has = it != labels.end();
    switch (r.op) {
      case Op::kEquals:
        if (!has || it->second != r.values[0]) return false;
        break;
      case Op::kNotEquals:
        if (has && it->second == r.values[0]) return false;
        break;
      case Op::kIn:
        if (!has || !std::binary_search(r.values.begin(), r.values.end(), it->second)) return false;
        break;
      case Op::kNotIn:
        if (has && std::binary_search(r.values.begin(), r.values.end(), it->second)) return false;
        break;
      case Op::kExists:
        if (!has) return false;
        break;
      case Op::kDoesNotExist:
        if (has) return false;
        break;
    }
  }
  return true;
}

Labels ObjectLabels(const nlohmann::json& object) {
  Labels out;
  if (!object.is_object()) return out;
  auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) return out;
  auto labels = md->find("labels");
  if (labels == md->end() || !labels->is_object()) return out;
  for (const auto& [k, v] : labels->items())
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  return out;
}

bool LabelSelector::MatchesObject(const nlohmann::json& object) const {
  if (reqs_.empty()) return true;
  return Matches(ObjectLabels(object));
}

std::string LabelSelector::ToString() const {
  std::string out;
  for (const auto& r : reqs_) {
    if (!out.empty()) out += ",";
    auto set = [&] {
      std::string s = "(";
      for (size_t i = 0; i < r.values.size(); ++i) s += (i ? "," : "") + r.values[i];
      return s + ")";
    };
    switch (r.op) {
      case Op::kEquals: out += r.key + "=" + r.values[0]; break;
      case Op::kNotEquals: out += r.key + "!=" + r.values[0]; break;
      case Op::kIn: out += r.key + " in " + set(); break;
      case Op::kNotIn: out += r.key + " notin " + set(); break;
      case Op::kExists: out += r.key; break;
      case Op::kDoesNotExist: out += "!" + r.key; break;
    }
  }
  return out;
}

}  // namespace modelgate::kube
