// PickleMachine: simulates one pickle stream (protocols 0-5) without running
// anything, to learn every callable a load would import and call.
//
// The machine tracks the stack, the mark stack and the memo with small tagged
// values; it keeps strings only when short enough to name a module or
// attribute, and it never materialises a length claimed by the input before
// checking that many bytes remain. Errors that make Python's unpickler raise
// (unknown opcode, stack underflow, memo miss, truncation, wrong operand
// types) end the stream as kMalformed; ScanLimits bounds end it as kLimit.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "scanners/limits.h"
#include "scanners/pickle_globals.h"
#include "scanners/reader.h"

namespace modelgate::scanners {

// How a callable entered the machine.
enum class GlobalSource : uint8_t {
  kGlobal,       // GLOBAL opcode ('c')
  kStackGlobal,  // STACK_GLOBAL with literal strings
  kInst,         // INST opcode ('i')
  kExtension,    // EXT1/2/4 resolved through a copyreg.add_extension seen earlier
  kGetattr,      // builtins.getattr(<known object>, '<literal>') at load time
  kImport,       // builtins.__import__ / importlib.import_module('<literal>')
  kDynamic,      // STACK_GLOBAL whose operands are computed at load time
  kUnresolvedExtension,  // EXT code never registered in this load
};

// Bits of GlobalUse::call_ops: how the loaded callable was used.
enum CallOp : uint32_t {
  kCallReduce = 1u << 0,    // REDUCE: callable(*args)
  kCallNewObj = 1u << 1,    // NEWOBJ: cls.__new__(cls, *args)
  kCallNewObjEx = 1u << 2,  // NEWOBJ_EX: cls.__new__(cls, *args, **kwargs)
  kCallInst = 1u << 3,      // INST/OBJ: cls(*args)
  kCallBuild = 1u << 4,     // BUILD on an instance: __setstate__ or attribute writes
  kCallAppend = 1u << 5,    // APPEND(S) on a non-list: its .append/.extend
  kCallSetItem = 1u << 6,   // SETITEM(S) on a non-dict: its __setitem__
  kCallAddItems = 1u << 7,  // ADDITEMS on a non-set: its .add
  kCallPartial = 1u << 8,   // called through functools.partial
};

// Human text for a CallOp mask, e.g. "REDUCE, BUILD (__setstate__)".
std::string DescribeCallOps(uint32_t mask);

// One distinct callable (or module object) a stream imports.
struct GlobalUse {
  std::string module;
  std::string name;  // empty for module objects and unresolved cases
  GlobalSource source = GlobalSource::kGlobal;
  GlobalClassification classification;
  uint64_t offset = 0;   // absolute offset of the first opcode importing it
  uint64_t imports = 0;  // how many opcodes imported it
  uint32_t call_ops = 0; // CallOp bits
  uint64_t calls = 0;    // how many calls/uses in total
  std::string note;      // e.g. "EXT2 code 513", "getattr(os, 'system')"

  // "module.name" (or the note for unresolved cases).
  std::string DisplayName() const;
};

// The outcome of simulating one stream.
struct StreamResult {
  enum class Outcome { kStop, kMalformed, kLimit, kIoError };
  Outcome outcome = Outcome::kMalformed;
  std::string error;       // why it ended, when not kStop
  uint64_t begin = 0;      // absolute offset of its first opcode
  uint64_t end = 0;        // offset after STOP (or where it failed)
  uint64_t error_offset = 0;  // offset of the failing opcode
  int protocol = 0;        // highest PROTO seen (0 when none)
  uint64_t ops = 0;        // opcodes executed
  bool is_torch_magic = false;  // the stream's value is torch's legacy MAGIC_NUMBER
  std::vector<GlobalUse> globals;  // in order of first import
};

// Simulates streams one at a time. The copyreg extension registry persists
// across Run() calls (a process loading several streams shares it); stack,
// memo and marks do not. Not thread-safe.
class PickleMachine {
 public:
  // `op_budget` is decremented by every opcode executed, across all Run()
  // calls; when it reaches zero the stream ends with kLimit. The caller owns it.
  PickleMachine(const ScanLimits& limits, uint64_t* op_budget);
  ~PickleMachine();
  PickleMachine(const PickleMachine&) = delete;
  PickleMachine& operator=(const PickleMachine&) = delete;

  // Simulates one stream starting at `begin` in `src` until STOP, an error,
  // or a bound (a stream may not extend past begin + max_pickle_bytes).
  StreamResult Run(const ByteSource& src, uint64_t begin);

 private:
  class Impl;
  const ScanLimits& limits_;
  uint64_t* op_budget_;
  // code -> (module, name), filled by copyreg.add_extension calls with literals.
  std::map<uint64_t, std::pair<std::string, std::string>> extensions_;
};

}  // namespace modelgate::scanners
