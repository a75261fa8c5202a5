#include "scanners/numpy_header.h"

#include <cctype>
#include <map>

namespace modelgate::scanners {
namespace {

constexpr int kMaxDepth = 32;

// A Python literal value, as far as .npy headers use them.
struct PyValue {
  enum Kind { kStr, kInt, kBool, kNone, kTuple, kList, kDict } kind = kNone;
  std::string str;
  bool negative = false;
  uint64_t magnitude = 0;  // |int|
  bool boolean = false;
  std::vector<PyValue> items;  // tuple, list; dict values
  std::vector<PyValue> keys;   // dict keys, parallel to items
};

class LiteralParser {
 public:
  explicit LiteralParser(std::string_view s) : s_(s) {}

  Result<PyValue> ParseAll() {
    PyValue v;
    Status st = Value(&v, 0);
    if (!st.ok()) return st;
    SkipSpace();
    if (pos_ != s_.size()) return Error("unexpected text after the header literal");
    return v;
  }

 private:
  Status Error(const std::string& what) const {
    return Status::Error(what + " at header offset " + std::to_string(pos_));
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' ||
                                s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool EatWord(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    size_t after = pos_ + w.size();
    if (after < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[after])) || s_[after] == '_')) {
      return false;
    }
    pos_ = after;
    return true;
  }

  Status Value(PyValue* v, int depth) {
    if (depth > kMaxDepth) return Error("literal nested too deeply");
    SkipSpace();
    if (pos_ >= s_.size()) return Error("header literal ends early");
    char c = s_[pos_];
    if ((c == 'u' || c == 'b') && pos_ + 1 < s_.size() && (s_[pos_ + 1] == '\'' || s_[pos_ + 1] == '"')) {
      ++pos_;  // Python 2 u'...' (and b'...') prefixes
      c = s_[pos_];
    }
    if (c == '\'' || c == '"') return String(v);
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) return Int(v);
    if (c == '(') return Sequence(v, PyValue::kTuple, ')', depth);
    if (c == '[') return Sequence(v, PyValue::kList, ']', depth);
    if (c == '{') return Dict(v, depth);
    if (EatWord("True") || EatWord("False")) {
      v->kind = PyValue::kBool;
      v->boolean = s_[pos_ - 1] == 'e' && s_.substr(pos_ - 4, 4) == "True";
      return Status::Ok();
    }
    if (EatWord("None")) {
      v->kind = PyValue::kNone;
      return Status::Ok();
    }
    return Error("unsupported token in header literal");
  }

  Status String(PyValue* v) {
    char quote = s_[pos_++];
    v->kind = PyValue::kStr;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (s_[pos_] == '\\') {
        if (++pos_ >= s_.size()) break;
      }
      if (s_[pos_] == '\n') return Error("newline inside a string");
      v->str.push_back(s_[pos_++]);
    }
    if (pos_ >= s_.size()) return Error("unterminated string");
    ++pos_;
    return Status::Ok();
  }

  Status Int(PyValue* v) {
    v->kind = PyValue::kInt;
    if (s_[pos_] == '-') {
      v->negative = true;
      ++pos_;
    }
    size_t start = pos_;
    while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      uint64_t d = static_cast<uint64_t>(s_[pos_] - '0');
      if (v->magnitude > (UINT64_MAX - d) / 10) return Error("integer too large");
      v->magnitude = v->magnitude * 10 + d;
      ++pos_;
    }
    if (pos_ == start) return Error("malformed integer");
    if (pos_ < s_.size() && (s_[pos_] == 'L' || s_[pos_] == 'l')) ++pos_;  // Python 2 long
    return Status::Ok();
  }

  Status Sequence(PyValue* v, PyValue::Kind kind, char close, int depth) {
    ++pos_;
    v->kind = kind;
    while (true) {
      if (Eat(close)) return Status::Ok();
      PyValue item;
      Status st = Value(&item, depth + 1);
      if (!st.ok()) return st;
      v->items.push_back(std::move(item));
      if (Eat(',')) continue;
      if (Eat(close)) return Status::Ok();
      return Error("expected ',' or closing bracket");
    }
  }

  Status Dict(PyValue* v, int depth) {
    ++pos_;
    v->kind = PyValue::kDict;
    while (true) {
      if (Eat('}')) return Status::Ok();
      PyValue key, value;
      Status st = Value(&key, depth + 1);
      if (!st.ok()) return st;
      if (!Eat(':')) return Error("expected ':' in dict");
      st = Value(&value, depth + 1);
      if (!st.ok()) return st;
      v->keys.push_back(std::move(key));
      v->items.push_back(std::move(value));
      if (Eat(',')) continue;
      if (Eat('}')) return Status::Ok();
      return Error("expected ',' or '}'");
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// "<f4" -> 4, "|b1" -> 1, "<U10" -> 40, "|O" -> 0 (object); 0 when unknown.
uint64_t ItemSize(std::string_view descr) {
  if (!descr.empty() && (descr[0] == '<' || descr[0] == '>' || descr[0] == '|' || descr[0] == '=')) {
    descr.remove_prefix(1);
  }
  if (descr.empty()) return 0;
  char kind = descr[0];
  descr.remove_prefix(1);
  uint64_t n = 0;
  size_t i = 0;
  for (; i < descr.size() && std::isdigit(static_cast<unsigned char>(descr[i])) && i < 12; ++i) {
    n = n * 10 + static_cast<uint64_t>(descr[i] - '0');
  }
  std::string_view rest = descr.substr(i);
  if (kind == '?' && i == 0 && rest.empty()) return 1;
  if (i == 0) return 0;
  switch (kind) {
    case 'b': case 'i': case 'u': case 'f': case 'c': case 'S': case 'V': case 'a':
      return rest.empty() ? n : 0;
    case 'U':
      return rest.empty() ? n * 4 : 0;
    case 'M': case 'm':
      return (rest.empty() || rest.front() == '[') ? n : 0;
    default:
      return 0;
  }
}

bool IsObjectType(std::string_view descr) {
  if (!descr.empty() && (descr[0] == '<' || descr[0] == '>' || descr[0] == '|' || descr[0] == '=')) {
    descr.remove_prefix(1);
  }
  return !descr.empty() && descr[0] == 'O';
}

// A structured dtype: [(name, type[, shape]), ...] with nested lists allowed.
Status ScanStructured(const PyValue& list, bool* object, int depth) {
  if (depth > kMaxDepth) return Status::Error("structured dtype nested too deeply");
  for (const PyValue& field : list.items) {
    if (field.kind != PyValue::kTuple || field.items.size() < 2 || field.items.size() > 3) {
      return Status::Error("malformed structured dtype field");
    }
    const PyValue& type = field.items[1];
    if (type.kind == PyValue::kStr) {
      *object = *object || IsObjectType(type.str);
    } else if (type.kind == PyValue::kList) {
      Status st = ScanStructured(type, object, depth + 1);
      if (!st.ok()) return st;
    } else {
      return Status::Error("malformed structured dtype field type");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<NpyHeader> ParseNpyHeader(std::string_view text) {
  Result<PyValue> parsed = LiteralParser(text).ParseAll();
  if (!parsed.ok()) return parsed.status();
  const PyValue& dict = parsed.value();
  if (dict.kind != PyValue::kDict) return Status::Error("header is not a dict");
  // numpy requires exactly these keys; the last duplicate wins, as in Python.
  std::map<std::string, const PyValue*> keys;
  for (size_t i = 0; i < dict.keys.size(); ++i) {
    if (dict.keys[i].kind != PyValue::kStr) return Status::Error("header has a non-string key");
    keys[dict.keys[i].str] = &dict.items[i];
  }
  if (keys.size() != 3 || !keys.count("descr") || !keys.count("fortran_order") ||
      !keys.count("shape")) {
    return Status::Error("header keys are not exactly descr, fortran_order, shape");
  }
  NpyHeader h;
  const PyValue& descr = *keys["descr"];
  if (descr.kind == PyValue::kStr) {
    h.descr = descr.str;
    h.object = IsObjectType(descr.str);
    h.item_size = h.object ? 0 : ItemSize(descr.str);
  } else if (descr.kind == PyValue::kList) {
    h.structured = true;
    h.descr = "<structured>";
    Status st = ScanStructured(descr, &h.object, 0);
    if (!st.ok()) return st;
  } else {
    return Status::Error("descr is neither a string nor a list");
  }
  const PyValue& fortran = *keys["fortran_order"];
  if (fortran.kind != PyValue::kBool) return Status::Error("fortran_order is not a bool");
  h.fortran_order = fortran.boolean;
  const PyValue& shape = *keys["shape"];
  if (shape.kind != PyValue::kTuple) return Status::Error("shape is not a tuple");
  for (const PyValue& d : shape.items) {
    if (d.kind != PyValue::kInt || d.negative) {
      return Status::Error("shape dimension is not a non-negative integer");
    }
    h.shape.push_back(d.magnitude);
  }
  return h;
}

}  // namespace modelgate::scanners
