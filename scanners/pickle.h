// Pickle analysis: simulates every pickle stream in a blob (stacked streams,
// bytes after STOP, pickles hidden after junk) and reports each callable a
// load would import or call. Nothing is ever executed.
//
// Which streams count (docs/rules/pickle.md has the reasoning):
//  - the stream at offset 0 is what pickle.load/torch.load read first: if it
//    is malformed or over a bound, the blob is undecided;
//  - streams that follow a STOP back to back are read by loaders that call
//    load() repeatedly; legacy torch.save files (first stream = torch's magic
//    number) are read as five such streams, which are then required like the
//    first;
//  - the rest of the bytes is searched for further PROTO-started streams.
//  A non-required stream that does not reach STOP is data (e.g. raw tensor
//  storage): it yields only dangerous imports seen before the error, and no
//  undecided, unless it ran into a resource bound.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scanners/context.h"
#include "scanners/pickle_vm.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// One distinct callable imported by one stream.
struct PickleGlobal {
  GlobalUse use;
  uint32_t stream = 0;          // 1-based, in file order
  uint64_t stream_offset = 0;   // where the stream starts
  bool embedded = false;        // found by searching past non-pickle bytes
  bool complete = true;         // the stream reached STOP
};

// Everything the analysis learned about one blob.
struct PickleAnalysis {
  std::vector<PickleGlobal> globals;   // allowed ones included, in file order
  std::vector<std::string> undecided;  // empty when every loadable stream was understood
  uint32_t streams = 0;                // streams that reached STOP
  bool torch_legacy = false;           // starts with torch.save's legacy magic-number stream
  int protocol = 0;                    // highest PROTO seen in a complete stream
};

// Pure analysis of `src` under `limits`. Never throws; memory is bounded by
// the limits (stack, memo) plus caps on kept strings and names.
PickleAnalysis AnalyzePickleSource(const ByteSource& src, const ScanLimits& limits);
// Same over a buffer.
PickleAnalysis AnalyzePickleBytes(std::string_view bytes, const ScanLimits& limits);

// Rule ids (docs/rules/pickle.md).
inline constexpr std::string_view kRuleDangerousGlobal = "pickle/dangerous-global";
inline constexpr std::string_view kRuleDynamicGlobal = "pickle/dynamic-global";
inline constexpr std::string_view kRuleUnresolvedExtension = "pickle/unresolved-extension";
inline constexpr std::string_view kRuleUnknownGlobal = "pickle/unknown-global";

// Runs AnalyzePickleSource and reports into `ctx`: one finding per distinct
// dangerous or unknown callable per stream (allowed ones add nothing), an
// Undecide() per reason, and the fact "pickle_streams".
void AnalyzePickle(const ByteSource& src, ScanContext& ctx);

// True when `src` starts with bytes a pickle loader accepts up to a STOP
// opcode, or with a well-formed prefix longer than the probe's small bound
// (4 MiB, 1M opcodes). Used to recognise protocol 0/1 pickles, which have no
// magic number, in text and unknown files. Cheap: stops at the first error.
bool ProbePickle(const ByteSource& src, const ScanLimits& limits);

}  // namespace modelgate::scanners
