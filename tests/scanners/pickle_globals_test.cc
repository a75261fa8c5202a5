// Globals policy and protocol-0 text decoding used by the pickle analyzer.
#include "scanners/pickle_globals.h"

#include <gtest/gtest.h>

#include "scanners/pickle_text.h"

namespace modelgate::scanners {
namespace {

GlobalVerdict V(std::string_view module, std::string_view name) {
  return ClassifyGlobal(module, name).verdict;
}

TEST(ClassifyGlobal, CheckpointGlobalsAreAllowed) {
  EXPECT_EQ(V("torch._utils", "_rebuild_tensor_v2"), GlobalVerdict::kAllowed);
  EXPECT_EQ(V("torch._utils", "_rebuild_parameter"), GlobalVerdict::kAllowed);
  EXPECT_EQ(V("torch._tensor", "_rebuild_from_type_v2"), GlobalVerdict::kAllowed);
  EXPECT_EQ(V("torch", "FloatStorage"), GlobalVerdict::kAllowed);
  EXPECT_EQ(V("torch", "bfloat16"), GlobalVerdict::kAllowed);
  EXPECT_EQ(V("torch.serialization", "_get_layout"), GlobalVerdict::kAllowed);
  EXPECT_EQ(V("collections", "OrderedDict"), GlobalVerdict::kAllowed);
  EXPECT_EQ(V("numpy.core.multiarray", "_reconstruct"), GlobalVerdict::kAllowed);
  EXPECT_EQ(V("numpy", "dtype"), GlobalVerdict::kAllowed);
  EXPECT_EQ(V("_codecs", "encode"), GlobalVerdict::kAllowed);
  EXPECT_EQ(V("builtins", "set"), GlobalVerdict::kAllowed);
  EXPECT_EQ(V("__builtin__", "set"), GlobalVerdict::kAllowed);  // Python 2 alias
  EXPECT_EQ(V("copy_reg", "_reconstructor"), GlobalVerdict::kAllowed);
}

TEST(ClassifyGlobal, KnownDangerousNames) {
  for (auto [m, n] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"os", "system"}, {"posix", "system"}, {"nt", "system"}, {"subprocess", "Popen"},
           {"sys", "modules"}, {"builtins", "eval"}, {"builtins", "exec"},
           {"builtins", "getattr"}, {"builtins", "__import__"}, {"builtins", "open"},
           {"builtins", "breakpoint"}, {"runpy", "run_path"}, {"pkgutil", "resolve_name"},
           {"importlib", "import_module"}, {"cProfile", "run"}, {"profile", "run"},
           {"timeit", "timeit"}, {"torch", "load"}, {"torch.hub", "load"},
           {"torch.storage", "_load_from_bytes"}, {"torch._dynamo", "optimize"},
           {"torch.fx.graph_module", "reduce_graph_module"}, {"shutil", "rmtree"},
           {"socket", "socket"}, {"webbrowser", "open"}, {"pty", "spawn"},
           {"code", "interact"}, {"ctypes", "CDLL"}, {"pdb", "run"}, {"marshal", "loads"},
           {"types", "FunctionType"}, {"types", "CodeType"}, {"operator", "attrgetter"},
           {"operator", "methodcaller"}, {"copyreg", "add_extension"},
           {"asyncio.subprocess", "create_subprocess_shell"},
           {"numpy.testing._private.utils", "runstring"}, {"pip", "main"},
           {"commands", "getoutput"},  // Python 2 name fix_imports maps to subprocess
           {"__builtin__", "eval"}, {"_io", "FileIO"}, {"pickle", "loads"}}) {
    EXPECT_EQ(V(m, n), GlobalVerdict::kDangerous) << m << "." << n;
    EXPECT_FALSE(ClassifyGlobal(m, n).reason.empty());
  }
}

TEST(ClassifyGlobal, AttributeWalksIntoDangerousObjects) {
  EXPECT_EQ(V("torch", "os.system"), GlobalVerdict::kDangerous);
  EXPECT_EQ(V("pathlib", "os.system"), GlobalVerdict::kDangerous);
  EXPECT_EQ(V("mypkg", "subprocess.run"), GlobalVerdict::kDangerous);
  EXPECT_EQ(V("collections", "OrderedDict.__init__"), GlobalVerdict::kDangerous);
  EXPECT_EQ(V("torch._utils", "_rebuild_tensor_v2.__globals__"), GlobalVerdict::kDangerous);
  EXPECT_EQ(V("os.path", "join"), GlobalVerdict::kDangerous);  // strict: all of os
}

TEST(ClassifyGlobal, EverythingElseIsUnknown) {
  EXPECT_EQ(V("__main__", "Net"), GlobalVerdict::kUnknown);
  EXPECT_EQ(V("torch.nn.modules.linear", "Linear"), GlobalVerdict::kUnknown);
  EXPECT_EQ(V("functools", "partial"), GlobalVerdict::kUnknown);
  EXPECT_EQ(V("transformers.training_args", "TrainingArguments"), GlobalVerdict::kUnknown);
  EXPECT_EQ(V("osmosis", "thing"), GlobalVerdict::kUnknown);  // prefix match is per dotted part
  EXPECT_EQ(V("", "x"), GlobalVerdict::kUnknown);
}

TEST(ClassifyModule, ImportedModules) {
  EXPECT_EQ(ClassifyModule("os").verdict, GlobalVerdict::kDangerous);
  EXPECT_EQ(ClassifyModule("subprocess").verdict, GlobalVerdict::kDangerous);
  EXPECT_EQ(ClassifyModule("json").verdict, GlobalVerdict::kUnknown);
}

TEST(PickleText, IntLines) {
  EXPECT_EQ(ParsePickleInt("42"), 42);
  EXPECT_EQ(ParsePickleInt("-7"), -7);
  EXPECT_EQ(ParsePickleInt("1_000"), 1000);
  EXPECT_FALSE(ParsePickleInt("").has_value());
  EXPECT_FALSE(ParsePickleInt("12a").has_value());
  EXPECT_FALSE(ParsePickleInt("99999999999999999999").has_value());
  EXPECT_TRUE(LooksLikeInt("0x1f"));
  EXPECT_TRUE(LooksLikeInt("123456789012345678901234567890"));
  EXPECT_FALSE(LooksLikeInt("abc"));
}

TEST(PickleText, StringLiterals) {
  EXPECT_EQ(DecodePickleString("'os'"), "os");
  EXPECT_EQ(DecodePickleString("\"o\\x73\""), "os");
  EXPECT_EQ(DecodePickleString("'\\157s'"), "os");
  EXPECT_EQ(DecodePickleString("'a\\'b'"), "a'b");
  EXPECT_FALSE(DecodePickleString("os").has_value());
  EXPECT_FALSE(DecodePickleString("'os\"").has_value());
  EXPECT_FALSE(DecodePickleString("'\\x7'").has_value());
}

TEST(PickleText, RawUnicodeEscape) {
  EXPECT_EQ(DecodeRawUnicodeEscape("\\u006fs"), "os");
  EXPECT_EQ(DecodeRawUnicodeEscape("\\U0000006fs"), "os");
  EXPECT_EQ(DecodeRawUnicodeEscape("\\\\u006f"), "\\\\u006f");  // even run: literal
  EXPECT_EQ(DecodeRawUnicodeEscape("\\u00e9"), "\xc3\xa9");
  EXPECT_EQ(DecodeRawUnicodeEscape("a\\b"), "a\\b");
  EXPECT_FALSE(DecodeRawUnicodeEscape("\\u12").has_value());
}

}  // namespace
}  // namespace modelgate::scanners
