// Policy for the callables a pickle imports: allowlist first, then a list of
// known-dangerous modules and names, everything else unknown.
//
// A pickle can only run code by calling something it imported (GLOBAL,
// STACK_GLOBAL, INST, EXT). So the verdict on a stream is the worst verdict
// over every name it imports; docs/rules/pickle.md explains each list.
#pragma once

#include <string>
#include <string_view>

namespace modelgate::scanners {

enum class GlobalVerdict {
  kAllowed,    // used by real PyTorch/NumPy checkpoints and inert when loaded
  kUnknown,    // not known to be dangerous, not known to be safe
  kDangerous,  // can run code, spawn processes, touch files/network, or load another pickle
};

struct GlobalClassification {
  GlobalVerdict verdict = GlobalVerdict::kUnknown;
  // Why (empty for kAllowed), e.g. "module os runs commands and touches files".
  std::string reason;
};

// Classifies `module`.`name` as pickle's find_class would resolve it:
// `name` may be dotted (protocol 4 walks attributes), Python 2 module and
// name aliases (`__builtin__`, `commands`, ...) are applied the way
// fix_imports does, and a dotted `name` that walks into a dangerous module or
// through a dunder attribute (`torch.os.system`, `x.__globals__`) is dangerous.
// Pure and thread-safe.
GlobalClassification ClassifyGlobal(std::string_view module, std::string_view name);

// Classifies a module object obtained at load time (`builtins.__import__('os')`,
// `importlib.import_module(...)`): dangerous when `module` or a parent is.
GlobalClassification ClassifyModule(std::string_view module);

}  // namespace modelgate::scanners
