#include "scanners/pickle_globals.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace modelgate::scanners {
namespace {

// Exact "module.name" strings that real checkpoints import and that do nothing
// but build data when called. The callables they receive as arguments are
// themselves imported by the pickle and classified on their own.
constexpr std::string_view kAllowed[] = {
    // torch.save / state_dict tensors and parameters.
    "torch._utils._rebuild_tensor",
    "torch._utils._rebuild_tensor_v2",
    "torch._utils._rebuild_tensor_v3",
    "torch._utils._rebuild_parameter",
    "torch._utils._rebuild_parameter_with_state",
    "torch._utils._rebuild_sparse_tensor",
    "torch._utils._rebuild_sparse_csr_tensor",
    "torch._utils._rebuild_device_tensor_from_numpy",
    "torch._utils._rebuild_meta_tensor_no_storage",
    "torch._utils._rebuild_wrapper_subclass",
    "torch._utils._rebuild_qtensor",
    "torch._utils._rebuild_nested_tensor",
    "torch._tensor._rebuild_from_type",
    "torch._tensor._rebuild_from_type_v2",
    "torch.serialization._get_layout",
    "torch.Tensor",
    "torch.Size",
    "torch.device",
    "torch.nn.parameter.Parameter",
    "torch.nn.parameter.Buffer",
    "torch.storage.TypedStorage",
    "torch.storage.UntypedStorage",
    // Storage classes (persistent ids of torch.save name them).
    "torch.UntypedStorage", "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage",
    "torch.BFloat16Storage", "torch.LongStorage", "torch.IntStorage", "torch.ShortStorage",
    "torch.CharStorage", "torch.ByteStorage", "torch.BoolStorage", "torch.ComplexFloatStorage",
    "torch.ComplexDoubleStorage", "torch.QUInt8Storage", "torch.QInt8Storage",
    "torch.QInt32Storage", "torch.QUInt4x2Storage", "torch.QUInt2x4Storage",
    "torch.cuda.FloatStorage", "torch.cuda.DoubleStorage", "torch.cuda.HalfStorage",
    "torch.cuda.BFloat16Storage", "torch.cuda.LongStorage", "torch.cuda.IntStorage",
    "torch.cuda.ShortStorage", "torch.cuda.CharStorage", "torch.cuda.ByteStorage",
    "torch.cuda.BoolStorage",
    // dtypes, layouts, memory formats, quantisation schemes.
    "torch.float32", "torch.float", "torch.float64", "torch.double", "torch.float16",
    "torch.half", "torch.bfloat16", "torch.complex32", "torch.chalf", "torch.complex64",
    "torch.cfloat", "torch.complex128", "torch.cdouble", "torch.uint8", "torch.uint16",
    "torch.uint32", "torch.uint64", "torch.int8", "torch.int16", "torch.short", "torch.int32",
    "torch.int", "torch.int64", "torch.long", "torch.bool", "torch.qint8", "torch.quint8",
    "torch.qint32", "torch.quint4x2", "torch.quint2x4", "torch.float8_e4m3fn",
    "torch.float8_e5m2", "torch.float8_e4m3fnuz", "torch.float8_e5m2fnuz",
    "torch.strided", "torch.sparse_coo", "torch.sparse_csr", "torch.sparse_csc",
    "torch.sparse_bsr", "torch.sparse_bsc", "torch._mkldnn",
    "torch.contiguous_format", "torch.channels_last", "torch.channels_last_3d",
    "torch.preserve_format", "torch.per_tensor_affine", "torch.per_channel_affine",
    "torch.per_tensor_symmetric", "torch.per_channel_symmetric",
    "torch.per_channel_affine_float_qparams",
    // NumPy arrays and scalars (1.x and 2.x module paths).
    "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
    "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
    "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
    "numpy.ndarray", "numpy.dtype",
    // Containers and plain values.
    "collections.OrderedDict", "collections.defaultdict", "collections.Counter",
    "collections.deque",
    "builtins.set", "builtins.frozenset", "builtins.slice", "builtins.complex",
    "builtins.bytearray", "builtins.bytes", "builtins.dict", "builtins.list",
    "builtins.tuple", "builtins.int", "builtins.float", "builtins.str", "builtins.bool",
    "builtins.range",
    // Python 3 pickles bytes for protocol < 3 as _codecs.encode(str, 'latin1').
    // Codec lookup only imports encodings.<name> from the standard library
    // (the search function refuses dotted names), so any codec name is inert.
    "_codecs.encode",
    // Protocol 0/1 object reconstruction; the classes passed in are imported
    // (and classified) separately.
    "copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__",
    // Plain value classes common in training metadata.
    "argparse.Namespace", "datetime.datetime", "datetime.date", "datetime.time",
    "datetime.timedelta", "datetime.timezone", "uuid.UUID", "decimal.Decimal",
    "fractions.Fraction",
};

// Modules (and their submodules) whose import by a pickle means code can run:
// processes, file or network access, interpreter internals, nested loaders.
constexpr std::string_view kDangerousModules[] = {
    "os", "posix", "nt", "posixpath", "ntpath", "subprocess", "_posixsubprocess", "sys",
    "pty", "socket", "_socket", "socketserver", "shutil", "webbrowser", "code", "codeop",
    "ctypes", "_ctypes", "cffi", "pdb", "bdb", "marshal", "pickle", "_pickle", "dill",
    "cloudpickle", "joblib", "shelve", "importlib", "imp", "pkgutil", "runpy", "zipimport",
    "cProfile", "profile", "timeit", "trace", "pip", "setuptools", "distutils", "ensurepip",
    "venv", "multiprocessing", "concurrent", "threading", "_thread", "asyncio", "signal",
    "pydoc", "doctest", "idlelib", "test.support", "platform", "urllib", "http", "ftplib",
    "smtplib", "telnetlib", "poplib", "imaplib", "nntplib", "xmlrpc", "requests", "httpx",
    "urllib3", "logging.config", "gc", "types", "operator", "_operator", "tarfile",
    "zipfile", "mailcap", "uuid", "copyreg", "winreg", "_winreg", "_winapi", "msvcrt",
    "builtins.__import__",
    // NumPy and PyTorch code paths that compile, exec or load further pickles.
    "numpy.testing", "numpy.f2py", "numpy.distutils", "numpy.ctypeslib", "numpy.lib.npyio",
    "numpy.lib.format", "numpy.load", "numpy.save", "numpy.savez", "numpy.savetxt",
    "torch.load", "torch.save", "torch.hub", "torch._dynamo", "torch.fx", "torch.jit",
    "torch.package", "torch.utils.cpp_extension", "torch.utils.collect_env",
    "torch.storage._load_from_bytes", "torch.ops", "torch._ops", "torch.compile",
    "torch.serialization", "torch._inductor", "torch.distributed", "torch.multiprocessing",
    "torch.testing", "torch._C", "torch.classes", "torch.library",
};

// Names that are dangerous in otherwise ordinary modules.
constexpr std::string_view kDangerousNames[] = {
    "builtins.eval", "builtins.exec", "builtins.compile", "builtins.getattr",
    "builtins.setattr", "builtins.delattr", "builtins.__import__", "builtins.open",
    "builtins.breakpoint", "builtins.input", "builtins.exit", "builtins.quit", "builtins.help",
    "builtins.globals", "builtins.locals", "builtins.vars", "builtins.__build_class__",
    "builtins.__loader__", "builtins.__spec__", "builtins.memoryview",
    "io.open", "io.open_code", "io.FileIO", "_io.open", "_io.open_code", "_io.FileIO",
    "codecs.open", "functools.reduce",
};

// Python 2 module names that pickle's fix_imports maps (Lib/_compat_pickle.py).
constexpr std::pair<std::string_view, std::string_view> kModuleAliases[] = {
    {"__builtin__", "builtins"}, {"copy_reg", "copyreg"}, {"commands", "subprocess"},
    {"cPickle", "pickle"}, {"thread", "_thread"}, {"dummy_thread", "_dummy_thread"},
    {"urllib2", "urllib.request"}, {"urlparse", "urllib.parse"}, {"httplib", "http.client"},
    {"BaseHTTPServer", "http.server"}, {"SimpleHTTPServer", "http.server"},
    {"CGIHTTPServer", "http.server"}, {"Cookie", "http.cookies"},
    {"cookielib", "http.cookiejar"}, {"SocketServer", "socketserver"},
    {"xmlrpclib", "xmlrpc.client"}, {"SimpleXMLRPCServer", "xmlrpc.server"},
    {"DocXMLRPCServer", "xmlrpc.server"}, {"test.test_support", "test.support"},
    {"exceptions", "builtins"}, {"UserDict", "collections"}, {"UserList", "collections"},
    {"UserString", "collections"}, {"StringIO", "io"}, {"cStringIO", "io"},
    {"Queue", "queue"}, {"repr", "reprlib"}, {"_winreg", "winreg"},
};

// (module, name) pairs fix_imports maps to another module.
struct NameAlias {
  std::string_view module, name, to_module, to_name;
};
constexpr NameAlias kNameAliases[] = {
    {"__builtin__", "reduce", "functools", "reduce"},
    {"__builtin__", "intern", "sys", "intern"},
    {"__builtin__", "raw_input", "builtins", "input"},
    {"__builtin__", "xrange", "builtins", "range"},
    {"__builtin__", "unicode", "builtins", "str"},
    {"__builtin__", "long", "builtins", "int"},
    {"__builtin__", "basestring", "builtins", "str"},
    {"itertools", "imap", "builtins", "map"},
};

bool HasPathPrefix(std::string_view path, std::string_view prefix) {
  if (path.size() < prefix.size() || path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.';
}

bool IsDunder(std::string_view part) {
  return part.size() > 4 && part.substr(0, 2) == "__" && part.substr(part.size() - 2) == "__";
}

// Returns a reason when `path` (a dotted object path) starts with a dangerous
// module or name.
std::string DangerousPrefix(std::string_view path) {
  for (std::string_view m : kDangerousModules) {
    if (HasPathPrefix(path, m)) return "reaches " + std::string(m) + ", which can run code";
  }
  for (std::string_view n : kDangerousNames) {
    if (HasPathPrefix(path, n)) return "reaches " + std::string(n) + ", which can run code";
  }
  return {};
}

GlobalClassification ClassifyResolved(std::string_view module, std::string_view name) {
  std::string full;
  full.reserve(module.size() + 1 + name.size());
  full.append(module).append(".").append(name);
  for (std::string_view a : kAllowed) {
    if (full == a) return {GlobalVerdict::kAllowed, {}};
  }
  if (std::string why = DangerousPrefix(full); !why.empty()) {
    return {GlobalVerdict::kDangerous, why};
  }
  // Protocol 4 resolves a dotted name by getattr on each part, so every suffix
  // of the attribute path is an object the load can reach: `torch` + `os.system`
  // is os.system, `pathlib` + `os.system` too.
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    std::string_view part =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (IsDunder(part)) {
      return {GlobalVerdict::kDangerous,
              "walks through attribute " + std::string(part) + " (reaches interpreter internals)"};
    }
    // The attribute path from this part on names an object the load reaches
    // (`torch` + `os.system`, `mypkg` + `subprocess.run`, `x` + `os`).
    if (std::string why = DangerousPrefix(name.substr(start)); !why.empty()) {
      return {GlobalVerdict::kDangerous, why};
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return {GlobalVerdict::kUnknown, {}};
}

std::string_view AliasModule(std::string_view module) {
  for (const auto& [from, to] : kModuleAliases) {
    if (module == from) return to;
  }
  return module;
}

int Rank(GlobalVerdict v) {
  switch (v) {
    case GlobalVerdict::kAllowed: return 0;
    case GlobalVerdict::kUnknown: return 1;
    case GlobalVerdict::kDangerous: return 2;
  }
  return 2;
}

}  // namespace

GlobalClassification ClassifyGlobal(std::string_view module, std::string_view name) {
  if (module.empty() || name.empty()) {
    return {GlobalVerdict::kUnknown, {}};
  }
  std::string_view to_module = AliasModule(module);
  std::string_view to_name = name;
  for (const NameAlias& a : kNameAliases) {
    if (module == a.module && name == a.name) {
      to_module = a.to_module;
      to_name = a.to_name;
    }
  }
  GlobalClassification mapped = ClassifyResolved(to_module, to_name);
  if (to_module == module && to_name == name) return mapped;
  // Loaders without fix_imports resolve the raw name: take the worse verdict.
  GlobalClassification raw = ClassifyResolved(module, name);
  if (raw.verdict == GlobalVerdict::kDangerous && Rank(raw.verdict) > Rank(mapped.verdict)) {
    return raw;
  }
  return mapped;
}

GlobalClassification ClassifyModule(std::string_view module) {
  std::string_view m = AliasModule(module);
  if (std::string why = DangerousPrefix(m); !why.empty()) {
    return {GlobalVerdict::kDangerous, why};
  }
  if (m != module) {
    if (std::string why = DangerousPrefix(module); !why.empty()) {
      return {GlobalVerdict::kDangerous, why};
    }
  }
  return {GlobalVerdict::kUnknown, "module object imported at load time"};
}

}  // namespace modelgate::scanners
