#include "scanners/pickle_vm.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "scanners/pickle_text.h"

namespace modelgate::scanners {
namespace {

// Strings longer than this are never names a load could import; they are
// counted, not kept.
constexpr uint64_t kMaxKeptString = 1024;
// GLOBAL/INST lines are kept up to this many bytes.
constexpr uint64_t kMaxKeptLine = 4096;
// Memory caps for what the machine keeps beside stack and memo.
constexpr uint64_t kMaxArenaBytes = 64ull << 20;
constexpr uint64_t kMaxTupleItems = 1u << 18;
constexpr size_t kMaxDistinctGlobals = 65536;
constexpr uint32_t kNoRef = UINT32_MAX;

// torch.serialization.MAGIC_NUMBER (0x1950a86a20f9469cfc6c) as LONG1 bytes.
constexpr std::string_view kTorchMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);

enum class Kind : uint8_t {
  kMissing,  // empty memo slot
  kNone, kBool, kInt, kBigInt, kFloat,
  kStr,      // ref = arena offset (kNoRef when the arena was full), num = length
  kLongStr,  // longer than kMaxKeptString
  kBytes, kTuple, kList, kDict, kSet, kFrozenSet,
  kGlobal,   // ref = index into globals
  kModule,   // ref = index into globals (a module object)
  kObject,   // built at load time; ref = index of the callable that built it, or kNoRef
  kPersistent, kBuffer,
};

constexpr uint8_t kFlagTorchMagic = 1;
constexpr uint8_t kFlagPartial = 2;  // kObject: functools.partial wrapping globals[ref]

// 16 bytes: the whole VM state is vectors of these.
struct Value {
  Kind kind = Kind::kMissing;
  uint8_t flags = 0;
  uint32_t ref = kNoRef;
  uint64_t num = 0;
};

// True for values whose Python type is known and is not `kind`-compatible
// with a callable/type: using them as one makes the real load raise.
bool IsPlainData(Kind k) {
  switch (k) {
    case Kind::kNone: case Kind::kBool: case Kind::kInt: case Kind::kBigInt:
    case Kind::kFloat: case Kind::kStr: case Kind::kLongStr: case Kind::kBytes:
    case Kind::kTuple: case Kind::kList: case Kind::kDict: case Kind::kSet:
    case Kind::kFrozenSet:
      return true;
    default:
      return false;
  }
}

uint32_t OwnerOf(const Value& v) {
  if (v.kind == Kind::kGlobal || v.kind == Kind::kModule || v.kind == Kind::kObject) {
    return v.ref;
  }
  return kNoRef;
}

}  // namespace

std::string DescribeCallOps(uint32_t mask) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {kCallReduce, "REDUCE (called)"},
      {kCallNewObj, "NEWOBJ (instantiated)"},
      {kCallNewObjEx, "NEWOBJ_EX (instantiated)"},
      {kCallInst, "INST/OBJ (instantiated)"},
      {kCallBuild, "BUILD (__setstate__/attribute writes)"},
      {kCallAppend, "APPEND(S) (.append/.extend)"},
      {kCallSetItem, "SETITEM(S) (__setitem__)"},
      {kCallAddItems, "ADDITEMS (.add)"},
      {kCallPartial, "called through functools.partial"},
  };
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if (mask & bit) {
      if (!out.empty()) out += ", ";
      out += name;
    }
  }
  return out;
}

std::string GlobalUse::DisplayName() const {
  if (source == GlobalSource::kDynamic || source == GlobalSource::kUnresolvedExtension) {
    return note;
  }
  if (name.empty()) return module;
  return module + "." + name;
}

// One Run(): the stack machine proper.
class PickleMachine::Impl {
 public:
  Impl(PickleMachine& m, const ByteSource& src, uint64_t begin)
      : m_(m),
        limits_(m.limits_),
        window_end_(begin + std::min(m.limits_.max_pickle_bytes, src.size() - std::min(begin, src.size()))),
        clipped_(window_end_ < src.size()),
        r_(src, begin, window_end_) {
    res_.begin = begin;
  }

  StreamResult Run() {
    while (Step()) {
    }
    res_.end = r_.offset();
    return std::move(res_);
  }

 private:
  // ---- outcome helpers (each returns false so callers can `return Fail(...)`)
  bool Fail(StreamResult::Outcome o, std::string why) {
    res_.outcome = o;
    res_.error = std::move(why);
    res_.error_offset = op_offset_;
    return false;
  }
  bool Malformed(std::string why) { return Fail(StreamResult::Outcome::kMalformed, std::move(why)); }
  bool Limit(std::string why) { return Fail(StreamResult::Outcome::kLimit, std::move(why)); }
  // A read ran out of bytes: truncation, or the max_pickle_bytes window.
  bool Short() {
    if (r_.io_error()) return Fail(StreamResult::Outcome::kIoError, "read error");
    if (clipped_) {
      return Limit("pickle stream longer than max_pickle_bytes (" +
                   std::to_string(limits_.max_pickle_bytes) + ")");
    }
    return Malformed("pickle data was truncated (no STOP opcode before the end)");
  }
  bool Underflow() { return Malformed("unpickling stack underflow"); }

  // ---- stack
  size_t fence() const { return marks_.empty() ? 0 : marks_.back(); }
  size_t above() const { return stack_.size() - fence(); }
  bool Push(Value v) {
    if (stack_.size() >= limits_.max_pickle_stack) {
      return Limit("stack deeper than max_pickle_stack (" +
                   std::to_string(limits_.max_pickle_stack) + ")");
    }
    stack_.push_back(v);
    return true;
  }
  bool Push(Kind k, uint64_t num = 0, uint32_t ref = kNoRef, uint8_t flags = 0) {
    return Push(Value{k, flags, ref, num});
  }
  Value Pop() {
    Value v = stack_.back();
    stack_.pop_back();
    return v;
  }
  // Pops the innermost MARK; *k receives the stack length it recorded.
  bool PopMark(size_t* k) {
    if (marks_.empty()) return Malformed("could not find MARK");
    *k = marks_.back();
    marks_.pop_back();
    return true;
  }

  // ---- reading
  // Reads a protocol-0 argument line (without its '\n'); keeps at most `keep`
  // bytes in *out and sets *overflow when the line was longer.
  bool ReadLine(std::string* out, uint64_t keep, bool* overflow) {
    out->clear();
    *overflow = false;
    while (true) {
      uint8_t c;
      if (!r_.U8(&c)) return Short();
      if (c == '\n') return true;
      if (out->size() < keep) {
        out->push_back(static_cast<char>(c));
      } else {
        *overflow = true;
      }
    }
  }
  // Reads `n` payload bytes claimed by the input: checked against what
  // remains before anything is allocated; kept (returned in scratch_) only
  // when `keep` and short.
  bool ReadPayload(uint64_t n, bool keep, bool* kept) {
    *kept = false;
    if (n > r_.remaining()) return Short();
    if (keep && n <= kMaxKeptString) {
      if (!r_.Bytes(n, &scratch_)) return Short();
      *kept = true;
      return true;
    }
    if (!r_.Skip(n)) return Short();
    return true;
  }

  // Pushes a str whose bytes are in `s` (or a long/unkept str marker).
  bool PushStr(std::string_view s, bool long_str) {
    if (long_str || s.size() > kMaxKeptString) return Push(Kind::kLongStr, s.size());
    if (arena_.size() + s.size() > kMaxArenaBytes) return Push(Kind::kStr, s.size(), kNoRef);
    uint32_t off = static_cast<uint32_t>(arena_.size());
    arena_.append(s);
    return Push(Kind::kStr, s.size(), off);
  }
  std::string_view StrOf(const Value& v) const {
    return std::string_view(arena_).substr(v.ref, v.num);
  }
  bool KeptStr(const Value& v) const { return v.kind == Kind::kStr && v.ref != kNoRef; }

  // Builds a tuple from the top `n` stack values (all above the fence).
  bool MakeTuple(size_t n) {
    size_t first = stack_.size() - n;
    Value t{Kind::kTuple, 0, kNoRef, n};
    // Items are kept only where they can matter for resolving a call:
    // getattr(obj, 'name'), __import__('mod'), partial(f, ...), add_extension(...).
    if (n > 0 && n <= 4 && tuple_items_.size() + n <= kMaxTupleItems) {
      Kind k0 = stack_[first].kind;
      if (k0 == Kind::kStr || k0 == Kind::kGlobal || k0 == Kind::kModule) {
        t.ref = static_cast<uint32_t>(tuple_items_.size());
        tuple_items_.insert(tuple_items_.end(), stack_.begin() + first, stack_.end());
      }
    }
    stack_.resize(first);
    return Push(t);
  }
  const Value* TupleItem(const Value& t, size_t i) const {
    if (t.kind != Kind::kTuple || t.ref == kNoRef || i >= t.num) return nullptr;
    return &tuple_items_[t.ref + i];
  }

  // ---- globals
  void Use(uint32_t owner, uint32_t op) {
    if (owner == kNoRef) return;
    res_.globals[owner].call_ops |= op;
    res_.globals[owner].calls++;
  }
  bool AddGlobal(GlobalSource source, std::string module, std::string name, std::string note,
                 uint32_t* idx) {
    std::string key;
    key.reserve(module.size() + name.size() + note.size() + 3);
    key.append(1, static_cast<char>(source)).append(module).append(1, '\0').append(name);
    key.append(1, '\0').append(note);
    auto it = index_.find(key);
    if (it != index_.end()) {
      *idx = it->second;
      res_.globals[*idx].imports++;
      return true;
    }
    if (res_.globals.size() >= kMaxDistinctGlobals) {
      return Limit("more than " + std::to_string(kMaxDistinctGlobals) + " distinct globals");
    }
    GlobalUse g;
    g.source = source;
    g.offset = op_offset_;
    g.imports = 1;
    switch (source) {
      case GlobalSource::kDynamic:
        g.classification = {GlobalVerdict::kDangerous,
                            "STACK_GLOBAL names computed at load time cannot be checked"};
        break;
      case GlobalSource::kUnresolvedExtension:
        g.classification = {GlobalVerdict::kDangerous,
                            "extension code not in the default copyreg registry; it resolves "
                            "only through an add_extension the loader ran"};
        break;
      case GlobalSource::kImport:
        g.classification = ClassifyModule(module);
        break;
      default:
        g.classification = ClassifyGlobal(module, name);
    }
    g.module = std::move(module);
    g.name = std::move(name);
    g.note = std::move(note);
    *idx = static_cast<uint32_t>(res_.globals.size());
    res_.globals.push_back(std::move(g));
    index_.emplace(std::move(key), *idx);
    return true;
  }
  bool PushGlobal(GlobalSource source, std::string module, std::string name, std::string note) {
    uint32_t idx;
    if (!AddGlobal(source, std::move(module), std::move(name), std::move(note), &idx)) return false;
    return Push(Kind::kGlobal, 0, idx);
  }
  bool PushDynamic(std::string why) {
    return PushGlobal(GlobalSource::kDynamic, "", "", std::move(why));
  }
  const GlobalUse* GlobalAt(const Value& v) const {
    if (v.kind != Kind::kGlobal || v.ref == kNoRef) return nullptr;
    return &res_.globals[v.ref];
  }
  static bool Named(const GlobalUse* g, std::string_view module, std::string_view name) {
    return g != nullptr && g->module == module && g->name == name;
  }

  // REDUCE: callable(*args). Resolves the few calls that create new names.
  bool Call(const Value& callable, const Value& args) {
    if (callable.kind == Kind::kObject && (callable.flags & kFlagPartial)) {
      Use(callable.ref, kCallReduce | kCallPartial);
      return Push(Kind::kObject, 0, callable.ref);
    }
    uint32_t owner = OwnerOf(callable);
    Use(owner, kCallReduce);
    const GlobalUse* g = GlobalAt(callable);
    const Value* a0 = TupleItem(args, 0);
    const Value* a1 = TupleItem(args, 1);
    if (g != nullptr && g->classification.verdict != GlobalVerdict::kAllowed) {
      std::string_view fn = g->name;
      bool builtins = g->module == "builtins" || g->module == "__builtin__";
      if (builtins && fn == "getattr" && a0 != nullptr && a1 != nullptr && KeptStr(*a1)) {
        if (const GlobalUse* base = GlobalAt(*a0)) {
          std::string attr(StrOf(*a1));
          std::string note = "getattr(" + base->DisplayName() + ", '" + attr + "')";
          if (base->source == GlobalSource::kImport) {
            return PushGlobal(GlobalSource::kGetattr, base->module, attr, note);
          }
          if (base->source != GlobalSource::kDynamic &&
              base->source != GlobalSource::kUnresolvedExtension) {
            return PushGlobal(GlobalSource::kGetattr, base->module, base->name + "." + attr, note);
          }
        }
      }
      bool importer = (builtins && fn == "__import__") ||
                      (g->module == "importlib" && fn == "import_module");
      if (importer && a0 != nullptr && KeptStr(*a0)) {
        std::string mod(StrOf(*a0));
        return PushGlobal(GlobalSource::kImport, mod, "", g->DisplayName() + "('" + mod + "')");
      }
      if (Named(g, "copyreg", "add_extension") || Named(g, "copy_reg", "add_extension")) {
        const Value* a2 = TupleItem(args, 2);
        if (a0 && a1 && a2 && KeptStr(*a0) && KeptStr(*a1) && a2->kind == Kind::kInt) {
          m_.extensions_[a2->num] = {std::string(StrOf(*a0)), std::string(StrOf(*a1))};
        }
      }
      if (Named(g, "functools", "partial") && a0 != nullptr && a0->kind == Kind::kGlobal) {
        return Push(Kind::kObject, 0, a0->ref, kFlagPartial);
      }
    }
    return Push(Kind::kObject, 0, owner);
  }

  bool Ext(uint64_t code) {
    if (code == 0) return Malformed("EXT specifies code <= 0");
    auto it = m_.extensions_.find(code);
    std::string note = "EXT code " + std::to_string(code);
    if (it != m_.extensions_.end()) {
      return PushGlobal(GlobalSource::kExtension, it->second.first, it->second.second, note);
    }
    return PushGlobal(GlobalSource::kUnresolvedExtension, "", "", note);
  }

  // ---- memo
  bool MemoPut(uint64_t key) {
    if (above() < 1) return Underflow();
    if (key >= limits_.max_pickle_memo) {
      return Limit("memo key " + std::to_string(key) + " over max_pickle_memo (" +
                   std::to_string(limits_.max_pickle_memo) + ")");
    }
    if (key >= memo_.size()) memo_.resize(key + 1);
    if (memo_[key].kind == Kind::kMissing) ++memo_len_;
    memo_[key] = stack_.back();
    return true;
  }
  bool MemoGet(uint64_t key) {
    if (key >= memo_.size() || memo_[key].kind == Kind::kMissing) {
      return Malformed("memo value not found at index " + std::to_string(key));
    }
    return Push(memo_[key]);
  }
  bool LineNumber(bool allow_negative_error, uint64_t* out) {
    std::string line;
    bool overflow;
    if (!ReadLine(&line, 64, &overflow)) return false;
    if (overflow) return Malformed("memo index line too long");
    std::optional<int64_t> v = ParsePickleInt(line);
    if (!v) return Malformed("invalid memo index");
    if (*v < 0) return Malformed(allow_negative_error ? "negative PUT argument" : "memo value not found");
    *out = static_cast<uint64_t>(*v);
    return true;
  }

  // ---- one opcode
  bool Step() {
    if (*m_.op_budget_ == 0 || res_.ops >= limits_.max_pickle_ops) {
      return Limit("more than max_pickle_ops (" + std::to_string(limits_.max_pickle_ops) +
                   ") opcodes");
    }
    --*m_.op_budget_;
    ++res_.ops;
    op_offset_ = r_.offset();
    uint8_t op;
    if (!r_.U8(&op)) return Short();
    if (!Exec(op)) return false;
    // CPython reading from a file without peek() (torch.load's BytesIO of
    // data.pkl) drops the rest of a frame when an opcode runs past its end,
    // while pickle.loads reads straight on: the two see different opcodes.
    // Python's pickler never writes this, so it is treated as malformed.
    if (frame_end_ != 0 && op_offset_ < frame_end_ && r_.offset() > frame_end_) {
      return Malformed("opcode crosses the end of its FRAME (loaders disagree on what follows)");
    }
    return true;
  }

  bool Exec(uint8_t op) {
    switch (op) {
      case 0x80: {  // PROTO
        uint8_t p;
        if (!r_.U8(&p)) return Short();
        if (p > 5) return Malformed("unsupported pickle protocol " + std::to_string(p));
        res_.protocol = std::max<int>(res_.protocol, p);
        return true;
      }
      case 0x95: {  // FRAME: the frame must be fully present
        uint64_t n;
        if (!r_.U64LE(&n)) return Short();
        if (n > r_.remaining()) return Short();
        if (frame_end_ != 0 && op_offset_ < frame_end_) {
          return Malformed("FRAME starts before the previous frame ends");
        }
        frame_end_ = r_.offset() + n;
        return true;
      }
      case '.': {  // STOP
        if (above() < 1) return Underflow();
        Value v = Pop();
        res_.is_torch_magic = (v.flags & kFlagTorchMagic) != 0;
        res_.outcome = StreamResult::Outcome::kStop;
        return false;
      }
      case '(':  // MARK
        if (marks_.size() >= limits_.max_pickle_stack) return Limit("too many MARKs");
        marks_.push_back(stack_.size());
        return true;
      case '0':  // POP (or pop a MARK sitting on top)
        if (!marks_.empty() && marks_.back() == stack_.size()) {
          marks_.pop_back();
        } else {
          if (above() < 1) return Underflow();
          stack_.pop_back();
        }
        return true;
      case '1': {  // POP_MARK
        size_t k;
        if (!PopMark(&k)) return false;
        stack_.resize(k);
        return true;
      }
      case '2':  // DUP
        if (above() < 1) return Underflow();
        return Push(stack_.back());

      // ---- scalars
      case 'N': return Push(Kind::kNone);
      case 0x88: return Push(Kind::kBool, 1);
      case 0x89: return Push(Kind::kBool, 0);
      case 'I': case 'L': {  // INT / LONG (text)
        std::string line;
        bool overflow;
        if (!ReadLine(&line, 256, &overflow)) return false;
        if (op == 'I' && (line == "00" || line == "01")) return Push(Kind::kBool, line == "01");
        if (!overflow && op == 'L' && !line.empty() && (line.back() == 'L')) line.pop_back();
        if (!overflow && !LooksLikeInt(line)) return Malformed("invalid INT/LONG literal");
        std::optional<int64_t> v = overflow ? std::nullopt : ParsePickleInt(line);
        return v ? Push(Kind::kInt, static_cast<uint64_t>(*v)) : Push(Kind::kBigInt);
      }
      case 'J': {
        int32_t v;
        if (!r_.I32LE(&v)) return Short();
        return Push(Kind::kInt, static_cast<uint64_t>(static_cast<int64_t>(v)));
      }
      case 'K': {
        uint8_t v;
        if (!r_.U8(&v)) return Short();
        return Push(Kind::kInt, v);
      }
      case 'M': {
        uint16_t v;
        if (!r_.U16LE(&v)) return Short();
        return Push(Kind::kInt, v);
      }
      case 0x8a: case 0x8b: {  // LONG1 / LONG4
        uint64_t n;
        if (op == 0x8a) {
          uint8_t b;
          if (!r_.U8(&b)) return Short();
          n = b;
        } else {
          int32_t b;
          if (!r_.I32LE(&b)) return Short();
          if (b < 0) return Malformed("LONG pickle has negative byte count");
          n = static_cast<uint64_t>(b);
        }
        bool kept;
        if (!ReadPayload(n, n <= 16, &kept)) return false;
        if (kept && scratch_ == kTorchMagic) return Push(Kind::kBigInt, 0, kNoRef, kFlagTorchMagic);
        if (kept && n <= 7) {
          uint64_t v = 0;
          for (size_t i = 0; i < n; ++i) v |= uint64_t(uint8_t(scratch_[i])) << (8 * i);
          if (n > 0 && (uint8_t(scratch_[n - 1]) & 0x80)) v |= ~uint64_t(0) << (8 * n);
          return Push(Kind::kInt, v);
        }
        return Push(Kind::kBigInt);
      }
      case 'F': {
        std::string line;
        bool overflow;
        if (!ReadLine(&line, 256, &overflow)) return false;
        if (line.empty()) return Malformed("invalid FLOAT literal");
        return Push(Kind::kFloat);
      }
      case 'G':
        if (!r_.Skip(8)) return Short();
        return Push(Kind::kFloat);

      // ---- strings and bytes
      case 'S': case 'V': {  // STRING (quoted, escaped) / UNICODE (raw-unicode-escape)
        std::string line;
        bool overflow;
        if (!ReadLine(&line, kMaxKeptString + 2, &overflow)) return false;
        if (op == 'S') {
          if (overflow) {
            if (line[0] != '"' && line[0] != '\'') return Malformed("STRING argument must be quoted");
            return Push(Kind::kLongStr);
          }
          std::optional<std::string> s = DecodePickleString(line);
          if (!s) return Malformed("the STRING opcode argument must be quoted and escaped");
          return PushStr(*s, false);
        }
        if (overflow) return Push(Kind::kLongStr);
        std::optional<std::string> s = DecodeRawUnicodeEscape(line);
        if (!s) return Malformed("invalid raw-unicode-escape in UNICODE");
        return PushStr(*s, false);
      }
      case 'T': case 'X': case 'U': case 0x8c: case 0x8d:  // str with a length prefix
      case 'B': case 'C': case 0x8e: case 0x96: {           // bytes / bytearray
        uint64_t n;
        if (op == 'U' || op == 0x8c || op == 'C') {
          uint8_t b;
          if (!r_.U8(&b)) return Short();
          n = b;
        } else if (op == 'T') {
          int32_t b;
          if (!r_.I32LE(&b)) return Short();
          if (b < 0) return Malformed("BINSTRING pickle has negative byte count");
          n = static_cast<uint64_t>(b);
        } else if (op == 'X' || op == 'B') {
          uint32_t b;
          if (!r_.U32LE(&b)) return Short();
          n = b;
        } else {
          if (!r_.U64LE(&n)) return Short();
        }
        bool is_str = op == 'T' || op == 'X' || op == 'U' || op == 0x8c || op == 0x8d;
        bool kept;
        if (!ReadPayload(n, is_str, &kept)) return false;
        if (!is_str) return Push(Kind::kBytes, n);
        return kept ? PushStr(scratch_, false) : Push(Kind::kLongStr, n);
      }

      // ---- containers
      case ')': return Push(Kind::kTuple);
      case ']': return Push(Kind::kList);
      case '}': return Push(Kind::kDict);
      case 0x8f: return Push(Kind::kSet);
      case 0x85: case 0x86: case 0x87: {  // TUPLE1..3
        size_t n = op - 0x84;
        if (above() < n) return Underflow();
        return MakeTuple(n);
      }
      case 't': case 'l': case 'd': case 0x91: {  // TUPLE / LIST / DICT / FROZENSET
        size_t k;
        if (!PopMark(&k)) return false;
        size_t n = stack_.size() - k;
        if (op == 't') return MakeTuple(n);
        if (op == 'd' && n % 2 != 0) return Malformed("odd number of items for DICT");
        stack_.resize(k);
        return Push(op == 'l' ? Kind::kList : op == 'd' ? Kind::kDict : Kind::kFrozenSet);
      }
      case 'a': {  // APPEND
        if (above() < 2) return Underflow();
        stack_.pop_back();
        if (stack_.back().kind != Kind::kList) Use(OwnerOf(stack_.back()), kCallAppend);
        return true;
      }
      case 's': {  // SETITEM
        if (above() < 3) return Underflow();
        stack_.resize(stack_.size() - 2);
        if (stack_.back().kind != Kind::kDict) Use(OwnerOf(stack_.back()), kCallSetItem);
        return true;
      }
      case 'e': case 'u': case 0x90: {  // APPENDS / SETITEMS / ADDITEMS
        size_t k;
        if (!PopMark(&k)) return false;
        if (k <= fence()) return Underflow();  // no target below the mark
        if (op == 'u' && (stack_.size() - k) % 2 != 0) {
          return Malformed("odd number of items for SETITEMS");
        }
        stack_.resize(k);
        Kind target = stack_.back().kind;
        if (op == 'e' && target != Kind::kList) Use(OwnerOf(stack_.back()), kCallAppend);
        if (op == 'u' && target != Kind::kDict) Use(OwnerOf(stack_.back()), kCallSetItem);
        if (op == 0x90 && target != Kind::kSet) Use(OwnerOf(stack_.back()), kCallAddItems);
        return true;
      }

      // ---- memo
      case 'p': {
        uint64_t key;
        return LineNumber(true, &key) && MemoPut(key);
      }
      case 'q': {
        uint8_t key;
        if (!r_.U8(&key)) return Short();
        return MemoPut(key);
      }
      case 'r': {
        uint32_t key;
        if (!r_.U32LE(&key)) return Short();
        return MemoPut(key);
      }
      case 0x94: return MemoPut(memo_len_);
      case 'g': {
        uint64_t key;
        return LineNumber(false, &key) && MemoGet(key);
      }
      case 'h': {
        uint8_t key;
        if (!r_.U8(&key)) return Short();
        return MemoGet(key);
      }
      case 'j': {
        uint32_t key;
        if (!r_.U32LE(&key)) return Short();
        return MemoGet(key);
      }

      // ---- imports and calls
      case 'c': case 'i': {  // GLOBAL / INST: module and name on two lines
        std::string module, name;
        bool o1, o2;
        if (!ReadLine(&module, kMaxKeptLine, &o1) || !ReadLine(&name, kMaxKeptLine, &o2)) {
          return false;
        }
        if (o1 || o2) {
          return PushDynamic("GLOBAL name longer than " + std::to_string(kMaxKeptLine) +
                             " bytes at offset " + std::to_string(op_offset_));
        }
        if (op == 'c') return PushGlobal(GlobalSource::kGlobal, module, name, "");
        size_t k;
        if (!PopMark(&k)) return false;
        stack_.resize(k);
        uint32_t idx;
        if (!AddGlobal(GlobalSource::kInst, module, name, "", &idx)) return false;
        Use(idx, kCallInst);
        return Push(Kind::kObject, 0, idx);
      }
      case 0x93: {  // STACK_GLOBAL
        if (above() < 2) return Underflow();
        Value name = Pop();
        Value module = Pop();
        for (const Value* v : {&module, &name}) {
          if (v->kind != Kind::kStr && v->kind != Kind::kLongStr && IsPlainData(v->kind)) {
            return Malformed("STACK_GLOBAL requires str");
          }
        }
        if (module.kind == Kind::kStr && name.kind == Kind::kStr &&
            (module.ref == kNoRef || name.ref == kNoRef)) {
          return Limit("string memory bound reached before STACK_GLOBAL");
        }
        if (KeptStr(module) && KeptStr(name)) {
          return PushGlobal(GlobalSource::kStackGlobal, std::string(StrOf(module)),
                            std::string(StrOf(name)), "");
        }
        return PushDynamic("STACK_GLOBAL with operands computed at load time (offset " +
                           std::to_string(op_offset_) + ")");
      }
      case 0x82: case 0x83: case 0x84: {  // EXT1 / EXT2 / EXT4
        uint64_t code;
        if (op == 0x82) {
          uint8_t c;
          if (!r_.U8(&c)) return Short();
          code = c;
        } else if (op == 0x83) {
          uint16_t c;
          if (!r_.U16LE(&c)) return Short();
          code = c;
        } else {
          int32_t c;
          if (!r_.I32LE(&c)) return Short();
          if (c <= 0) return Malformed("EXT specifies code <= 0");
          code = static_cast<uint64_t>(c);
        }
        return Ext(code);
      }
      case 'R': {  // REDUCE
        if (above() < 2) return Underflow();
        Value args = Pop();
        Value callable = Pop();
        if (IsPlainData(args.kind) && args.kind != Kind::kTuple) {
          return Malformed("REDUCE argument must be a tuple");
        }
        if (IsPlainData(callable.kind)) return Malformed("REDUCE on a non-callable value");
        return Call(callable, args);
      }
      case 0x81: case 0x92: {  // NEWOBJ / NEWOBJ_EX
        size_t n = op == 0x81 ? 2 : 3;
        if (above() < n) return Underflow();
        if (op == 0x92) {
          Value kwargs = Pop();
          if (IsPlainData(kwargs.kind) && kwargs.kind != Kind::kDict) {
            return Malformed("NEWOBJ_EX kwargs must be a dict");
          }
        }
        Value args = Pop();
        Value cls = Pop();
        if (IsPlainData(cls.kind)) return Malformed("NEWOBJ class argument isn't a type object");
        if (IsPlainData(args.kind) && args.kind != Kind::kTuple) {
          return Malformed("NEWOBJ args must be a tuple");
        }
        uint32_t owner = OwnerOf(cls);
        Use(owner, op == 0x81 ? kCallNewObj : kCallNewObjEx);
        return Push(Kind::kObject, 0, owner);
      }
      case 'o': {  // OBJ: MARK cls args... OBJ
        size_t k;
        if (!PopMark(&k)) return false;
        if (stack_.size() - k < 1) return Underflow();
        Value cls = stack_[k];
        if (IsPlainData(cls.kind)) return Malformed("OBJ class argument isn't callable");
        stack_.resize(k);
        uint32_t owner = OwnerOf(cls);
        Use(owner, kCallInst);
        return Push(Kind::kObject, 0, owner);
      }
      case 'b': {  // BUILD: inst.__setstate__(state) or attribute writes
        if (above() < 2) return Underflow();
        stack_.pop_back();
        Use(OwnerOf(stack_.back()), kCallBuild);
        return true;
      }
      case 'P': {  // PERSID
        std::string line;
        bool overflow;
        if (!ReadLine(&line, 0, &overflow)) return false;
        return Push(Kind::kPersistent);
      }
      case 'Q':  // BINPERSID
        if (above() < 1) return Underflow();
        stack_.pop_back();
        return Push(Kind::kPersistent);
      case 0x97:  // NEXT_BUFFER (out-of-band data)
        return Push(Kind::kBuffer);
      case 0x98:  // READONLY_BUFFER
        if (above() < 1) return Underflow();
        return true;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string hex = {kHex[op >> 4], kHex[op & 15]};
        return Malformed("unknown opcode 0x" + hex);
      }
    }
  }

  PickleMachine& m_;
  const ScanLimits& limits_;
  uint64_t window_end_;
  bool clipped_;
  Reader r_;
  StreamResult res_;
  uint64_t op_offset_ = 0;
  uint64_t frame_end_ = 0;  // end of the current FRAME, 0 before the first
  std::vector<Value> stack_;
  std::vector<size_t> marks_;
  std::vector<Value> memo_;
  uint64_t memo_len_ = 0;
  std::string arena_;
  std::vector<Value> tuple_items_;
  std::string scratch_;
  std::unordered_map<std::string, uint32_t> index_;
};

PickleMachine::PickleMachine(const ScanLimits& limits, uint64_t* op_budget)
    : limits_(limits), op_budget_(op_budget) {}

PickleMachine::~PickleMachine() = default;

StreamResult PickleMachine::Run(const ByteSource& src, uint64_t begin) {
  Impl impl(*this, src, begin);
  return impl.Run();
}

}  // namespace modelgate::scanners
