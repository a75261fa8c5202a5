#include "scanners/pickle.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

namespace modelgate::scanners {
namespace {

// Legacy torch.save writes magic number, protocol, sys_info, object, storage
// keys: five streams that torch.load reads before the raw storage bytes.
constexpr int kTorchLegacyStreams = 5;
// Findings listed per rule before the rest is summarised.
constexpr size_t kMaxFindingsPerRule = 64;
// ProbePickle bounds.
constexpr uint64_t kProbeBytes = 4ull << 20;
constexpr uint64_t kProbeOps = 1'000'000;

std::string StreamName(uint32_t n, uint64_t offset) {
  return "stream " + std::to_string(n) + " at offset " + std::to_string(offset);
}

// True when a failed, non-required stream's import is still worth reporting:
// a named dangerous callable that a loader reading this stream would import
// before hitting the error. Unknown names and EXT/dynamic cases in bytes that
// are not a pickle are noise from data, not evidence.
bool KeepFromUnloadable(const GlobalUse& g) {
  return g.classification.verdict == GlobalVerdict::kDangerous &&
         g.source != GlobalSource::kDynamic && g.source != GlobalSource::kUnresolvedExtension;
}

class StreamWalker {
 public:
  StreamWalker(const ByteSource& src, const ScanLimits& limits)
      : src_(src), budget_(limits.max_pickle_ops), machine_(limits, &budget_) {}

  PickleAnalysis Walk() {
    uint64_t failed_at = 0;
    bool ended = Chain(0, /*embedded=*/false, &failed_at);
    uint64_t from = failed_at + 1;
    while (!ended && !stopped_ && from < src_.size()) {
      std::optional<uint64_t> c = FindProto(from);
      if (!c) break;
      uint32_t before = out_.streams;
      ended = Chain(*c, /*embedded=*/true, &failed_at);
      // After a hidden stream that loaded, resume past where its chain failed;
      // after a false start, one byte further.
      from = out_.streams > before ? failed_at + 1 : *c + 1;
    }
    return std::move(out_);
  }

 private:
  // Runs streams back to back from `pos`. Returns true when the chain reached
  // the end of the data; else *failed_at is where the failing stream began.
  bool Chain(uint64_t pos, bool embedded, uint64_t* failed_at) {
    for (int idx = 0;; ++idx) {
      if (pos >= src_.size()) return true;
      StreamResult r = machine_.Run(src_, pos);
      ++stream_no_;
      bool required = (!embedded && idx == 0) || (!embedded && out_.torch_legacy &&
                                                  idx < kTorchLegacyStreams);
      if (r.outcome == StreamResult::Outcome::kStop) {
        if (!embedded && idx == 0 && r.is_torch_magic) out_.torch_legacy = true;
        ++out_.streams;
        out_.protocol = std::max(out_.protocol, r.protocol);
        Keep(r, embedded, /*complete=*/true, /*all=*/true);
        if (r.end <= pos) return true;  // cannot happen: STOP consumes a byte
        pos = r.end;
        continue;
      }
      bool bound = r.outcome != StreamResult::Outcome::kMalformed;
      if (bound && budget_ == 0) stopped_ = true;
      if (required || bound) {
        std::string what = StreamName(stream_no_, r.begin);
        if (embedded) what += " (found after non-pickle bytes)";
        out_.undecided.push_back(what + ": " + r.error + " (at offset " +
                                 std::to_string(r.error_offset) + ")");
      }
      Keep(r, embedded, /*complete=*/false, /*all=*/required || bound);
      *failed_at = r.begin;
      return false;
    }
  }

  void Keep(const StreamResult& r, bool embedded, bool complete, bool all) {
    for (const GlobalUse& g : r.globals) {
      if (!all && !KeepFromUnloadable(g)) continue;
      out_.globals.push_back({g, stream_no_, r.begin, embedded, complete});
    }
  }

  // Next offset >= from holding PROTO 2..5 (what pickle.dumps writes first).
  std::optional<uint64_t> FindProto(uint64_t from) {
    constexpr uint64_t kChunk = 1 << 20;
    std::string buf;
    while (from + 1 < src_.size()) {
      std::string_view window;
      if (src_.has_view()) {
        window = src_.view().substr(from);
      } else {
        if (!src_.ReadAt(from, kChunk + 1, &buf) || buf.size() < 2) return std::nullopt;
        window = buf;
      }
      size_t i = 0;
      while (i + 1 < window.size()) {
        const void* hit = std::memchr(window.data() + i, 0x80, window.size() - 1 - i);
        if (hit == nullptr) break;
        i = static_cast<size_t>(static_cast<const char*>(hit) - window.data());
        uint8_t p = static_cast<uint8_t>(window[i + 1]);
        if (p >= 2 && p <= 5) return from + i;
        ++i;
      }
      if (src_.has_view() || window.size() <= 1) return std::nullopt;
      from += window.size() - 1;  // the last byte may start a pair
    }
    return std::nullopt;
  }

  const ByteSource& src_;
  uint64_t budget_;
  PickleMachine machine_;
  PickleAnalysis out_;
  uint32_t stream_no_ = 0;
  bool stopped_ = false;  // the op budget is spent: no further search
};

Severity SeverityFor(GlobalVerdict v) {
  return v == GlobalVerdict::kDangerous ? Severity::kCritical : Severity::kMedium;
}

std::string_view RuleFor(const GlobalUse& g) {
  if (g.classification.verdict != GlobalVerdict::kDangerous) return kRuleUnknownGlobal;
  if (g.source == GlobalSource::kDynamic) return kRuleDynamicGlobal;
  if (g.source == GlobalSource::kUnresolvedExtension) return kRuleUnresolvedExtension;
  return kRuleDangerousGlobal;
}

std::string_view SourceName(GlobalSource s) {
  switch (s) {
    case GlobalSource::kGlobal: return "GLOBAL";
    case GlobalSource::kStackGlobal: return "STACK_GLOBAL";
    case GlobalSource::kInst: return "INST";
    case GlobalSource::kExtension: return "EXT (registered by copyreg.add_extension)";
    case GlobalSource::kGetattr: return "builtins.getattr at load time";
    case GlobalSource::kImport: return "a module import at load time";
    case GlobalSource::kDynamic: return "STACK_GLOBAL";
    case GlobalSource::kUnresolvedExtension: return "EXT";
  }
  return "?";
}

std::string Detail(const PickleGlobal& p) {
  const GlobalUse& g = p.use;
  std::string d = g.DisplayName() + " imported by " + std::string(SourceName(g.source)) +
                  " at offset " + std::to_string(g.offset) + " in " +
                  StreamName(p.stream, p.stream_offset);
  if (p.embedded) d += " (found after non-pickle bytes)";
  if (!p.complete) d += " (stream ends in an error after this import)";
  if (!g.note.empty() && g.note != g.DisplayName()) d += "; via " + g.note;
  if (!g.classification.reason.empty()) d += "; " + g.classification.reason;
  if (g.call_ops != 0) {
    d += "; used by " + DescribeCallOps(g.call_ops) + ", " + std::to_string(g.calls) + " time" +
         (g.calls == 1 ? "" : "s");
  } else {
    d += "; imported, not called";
  }
  return d;
}

}  // namespace

PickleAnalysis AnalyzePickleSource(const ByteSource& src, const ScanLimits& limits) {
  StreamWalker walker(src, limits);
  return walker.Walk();
}

PickleAnalysis AnalyzePickleBytes(std::string_view bytes, const ScanLimits& limits) {
  MemorySource src(bytes);
  return AnalyzePickleSource(src, limits);
}

void AnalyzePickle(const ByteSource& src, ScanContext& ctx) {
  PickleAnalysis a = AnalyzePickleSource(src, ctx.limits());
  std::vector<std::pair<std::string_view, size_t>> counts;
  auto bump = [&counts](std::string_view rule) -> size_t {
    for (auto& [r, n] : counts) {
      if (r == rule) return ++n;
    }
    counts.emplace_back(rule, 1);
    return 1;
  };
  size_t dropped = 0;
  std::string_view dropped_rule = kRuleUnknownGlobal;
  Severity dropped_severity = Severity::kMedium;
  for (const PickleGlobal& p : a.globals) {
    if (p.use.classification.verdict == GlobalVerdict::kAllowed) continue;
    std::string_view rule = RuleFor(p.use);
    if (bump(rule) > kMaxFindingsPerRule) {
      ++dropped;
      if (SeverityFor(p.use.classification.verdict) > dropped_severity) {
        dropped_rule = rule;
        dropped_severity = SeverityFor(p.use.classification.verdict);
      }
      continue;
    }
    ctx.Add(std::string(rule), SeverityFor(p.use.classification.verdict), Detail(p));
  }
  if (dropped > 0) {
    ctx.Add(std::string(dropped_rule), dropped_severity,
            std::to_string(dropped) + " further imported callables not listed (over " +
                std::to_string(kMaxFindingsPerRule) + " per rule)");
  }
  for (std::string& reason : a.undecided) ctx.Undecide("pickle: " + std::move(reason));
  if (a.streams > 0) ctx.AddFact("pickle_streams", std::to_string(a.streams));
  if (a.torch_legacy) ctx.AddFact("pickle_torch_legacy", "true");
}

bool ProbePickle(const ByteSource& src, const ScanLimits& limits) {
  ScanLimits probe = limits;
  probe.max_pickle_bytes = std::min(limits.max_pickle_bytes, kProbeBytes);
  probe.max_pickle_ops = std::min(limits.max_pickle_ops, kProbeOps);
  uint64_t budget = probe.max_pickle_ops;
  PickleMachine machine(probe, &budget);
  StreamResult r = machine.Run(src, 0);
  return r.outcome != StreamResult::Outcome::kMalformed;
}

}  // namespace modelgate::scanners
