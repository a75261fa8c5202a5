// Pickle analyzer: one test per evasion family, each sample built byte by
// byte. Benign samples were produced by CPython 3.11's pickle module (with
// stand-in torch/numpy modules registered in sys.modules) and pasted here;
// hostile ones were checked with `python3 -m pickletools` (which never runs
// them) where they are meant to be valid.
#include "scanners/pickle.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {
namespace {

using namespace std::string_literals;

PickleAnalysis Scan(const std::string& bytes, const ScanLimits& limits = ScanLimits()) {
  return AnalyzePickleBytes(bytes, limits);
}

const PickleGlobal* Find(const PickleAnalysis& a, std::string_view display) {
  for (const PickleGlobal& g : a.globals) {
    if (g.use.DisplayName() == display) return &g;
  }
  return nullptr;
}

bool IsDangerous(const PickleAnalysis& a, std::string_view display) {
  const PickleGlobal* g = Find(a, display);
  return g != nullptr && g->use.classification.verdict == GlobalVerdict::kDangerous;
}

bool AnyNotAllowed(const PickleAnalysis& a) {
  for (const PickleGlobal& g : a.globals) {
    if (g.use.classification.verdict != GlobalVerdict::kAllowed) return true;
  }
  return false;
}

// torch.save(..., pickle_protocol=2) layout of {'state_dict': OrderedDict(fc.weight,
// fc.bias), 'epoch': 3}: tensors via _rebuild_tensor_v2 and persistent storage ids.
const std::string kTorchStateDict =
    "\200\002}q\000(X\n\000\000\000state_dictq\001ccollections\nOrderedDict\nq\002)Rq\003(X"
    "\011\000\000\000fc.weightq\004ctorch._utils\n_rebuild_tensor_v2\nq\005((X\007\000\000"
    "\000storageq\006ctorch\nFloatStorage\nq\007X\001\000\000\0000q\010X\003\000\000\000cpuq"
    "\011K\006tq\nQK\000K\002K\003\206q\013K\003K\001\206q\014\211h\002)Rq\015tq\016Rq\017X"
    "\007\000\000\000fc.biasq\020h\005((h\006h\007X\001\000\000\0001q\021h\011K\002tq\022QK"
    "\000K\002\205q\023K\001\205q\024\211h\002)Rq\025tq\026Rq\027uX\005\000\000\000epochq\030"
    "K\003u."s;

// Legacy (non-zip) torch.save header streams.
const std::string kTorchMagic = "\200\002\212\nl\374\234F\371 j\250P\031."s;
const std::string kTorchProtocol = "\200\002M\351\003."s;
const std::string kTorchSysInfo =
    "\200\002}q\000(X\020\000\000\000protocol_versionq\001M\351\003X\015\000\000\000little_en"
    "dianq\002\210X\n\000\000\000type_sizesq\003}q\004(X\005\000\000\000shortq\005K\002X\003"
    "\000\000\000intq\006K\004X\004\000\000\000longq\007K\004uu."s;
const std::string kTorchKeys = "\200\002]q\000(X\001\000\000\0000q\001X\001\000\000\0001q\002e."s;

// Protocol 2 bytes object as Python 3 writes it: _codecs.encode(str, 'latin1').
const std::string kCodecsBytes =
    "\200\002c_codecs\nencode\nq\000X\005\000\000\000\000\001abcq\001X\006\000\000\000latin1q"
    "\002\206q\003Rq\004."s;

const std::string kProtocol0Dict = "(dp0\nVa\np1\n(lp2\nI1\naF2.5\naVx\np3\nasVb\np4\n(NI01\ntp5\ns."s;
const std::string kProtocol4Dict =
    "\200\004\225(\000\000\000\000\000\000\000}\224(\214\001a\224]\224(K\001G@\004\000\000"
    "\000\000\000\000\214\001x\224e\214\001b\224\217\224(K\001K\002\220u."s;

// The classic payload: os.system('ls') as a protocol 2 stream.
const std::string kOsSystemProto2 = "\200\002cos\nsystem\nq\000X\002\000\000\000lsq\001\205q\002Rq\003."s;

// ---- benign inputs

TEST(PickleAnalysis, BenignTorchCheckpointHasNoFinding) {
  PickleAnalysis a = Scan(kTorchStateDict);
  EXPECT_TRUE(a.undecided.empty());
  EXPECT_EQ(a.streams, 1u);
  EXPECT_FALSE(AnyNotAllowed(a));
  const PickleGlobal* rebuild = Find(a, "torch._utils._rebuild_tensor_v2");
  ASSERT_NE(rebuild, nullptr);
  EXPECT_EQ(rebuild->use.calls, 2u);  // one REDUCE per tensor (second via memo GET)
  EXPECT_TRUE(rebuild->use.call_ops & kCallReduce);
  EXPECT_NE(Find(a, "torch.FloatStorage"), nullptr);
}

TEST(PickleAnalysis, BenignPlainDataPicklesAllProtocols) {
  for (const std::string& p : {kProtocol0Dict, kProtocol4Dict, kCodecsBytes}) {
    PickleAnalysis a = Scan(p);
    EXPECT_TRUE(a.undecided.empty()) << a.undecided.front();
    EXPECT_EQ(a.streams, 1u);
    EXPECT_FALSE(AnyNotAllowed(a));
  }
}

TEST(PickleAnalysis, LegacyTorchStreamsThenRawStorageAreClean) {
  // Five streams, then raw storage bytes (8-byte count + float data) that are
  // no pickle: torch.load never unpickles them.
  std::string raw = "\006\000\000\000\000\000\000\000"s + std::string(24, '\0') + "\x80\x02\xff"s;
  PickleAnalysis a =
      Scan(kTorchMagic + kTorchProtocol + kTorchSysInfo + kTorchStateDict + kTorchKeys + raw);
  EXPECT_TRUE(a.undecided.empty()) << a.undecided.front();
  EXPECT_TRUE(a.torch_legacy);
  EXPECT_EQ(a.streams, 5u);
  EXPECT_FALSE(AnyNotAllowed(a));
}

// ---- evasion families

TEST(PickleEvasion, Protocol0GlobalOsSystem) {
  PickleAnalysis a = Scan("cos\nsystem\n(S'ls'\ntR."s);
  ASSERT_TRUE(IsDangerous(a, "os.system"));
  EXPECT_TRUE(Find(a, "os.system")->use.call_ops & kCallReduce);
  EXPECT_EQ(Find(a, "os.system")->use.source, GlobalSource::kGlobal);
  EXPECT_TRUE(a.undecided.empty());
}

TEST(PickleEvasion, Protocol2ReduceBuiltinsExec) {
  PickleAnalysis a = Scan("\200\002cbuiltins\nexec\nq\000X\004\000\000\000codeq\001\205q\002R."s);
  ASSERT_TRUE(IsDangerous(a, "builtins.exec"));
  EXPECT_EQ(Find(a, "builtins.exec")->use.calls, 1u);
}

TEST(PickleEvasion, Python2BuiltinModuleAlias) {
  // fix_imports maps __builtin__ to builtins.
  PickleAnalysis a = Scan("c__builtin__\neval\n(S'1'\ntR."s);
  EXPECT_TRUE(IsDangerous(a, "__builtin__.eval"));
}

TEST(PickleEvasion, Protocol4StackGlobalWithMemoisedStrings) {
  // "os" and "system" are memoised, popped, and fetched back with BINGET.
  std::string p = "\200\004\214\002os\224" "0" "\214\006system\224" "0"
                  "h\000h\001\223\224\214\002ls\224\205R."s;
  PickleAnalysis a = Scan(p);
  ASSERT_TRUE(IsDangerous(a, "os.system"));
  EXPECT_EQ(Find(a, "os.system")->use.source, GlobalSource::kStackGlobal);
  EXPECT_TRUE(a.undecided.empty());
}

TEST(PickleEvasion, StackGlobalFromProtocol0UnicodeEscapes) {
  // UNICODE 'V' decodes raw-unicode-escape: \u006fs is "os".
  PickleAnalysis a = Scan("V\\u006fs\nVsystem\n\223(S'id'\ntR."s);
  EXPECT_TRUE(IsDangerous(a, "os.system"));
}

TEST(PickleEvasion, StackGlobalFromComputedStringIsDynamic) {
  // _codecs.encode('bf', 'rot13') == 'os' at load time: not checkable.
  std::string p = "\200\004c_codecs\nencode\n\214\002bf\214\005rot13\206R"
                  "\214\006system\223)R."s;
  PickleAnalysis a = Scan(p);
  bool dynamic = false;
  for (const PickleGlobal& g : a.globals) {
    if (g.use.source == GlobalSource::kDynamic) {
      dynamic = true;
      EXPECT_EQ(g.use.classification.verdict, GlobalVerdict::kDangerous);
      EXPECT_TRUE(g.use.call_ops & kCallReduce);
    }
  }
  EXPECT_TRUE(dynamic);
}

TEST(PickleEvasion, StackGlobalWithBytesOperandIsMalformed) {
  PickleAnalysis a = Scan("\200\004C\002osC\006system\223."s);
  EXPECT_FALSE(a.undecided.empty());
}

TEST(PickleEvasion, FrameWrapsPayload) {
  std::string body = "\214\002os\214\006system\223)R."s;
  std::string frame_len(8, '\0');
  frame_len[0] = static_cast<char>(body.size());
  PickleAnalysis a = Scan("\200\004\225"s + frame_len + body);
  EXPECT_TRUE(IsDangerous(a, "os.system"));
  EXPECT_TRUE(a.undecided.empty());
}

TEST(PickleEvasion, FrameClaimingMoreThanRemainsIsUndecided) {
  PickleAnalysis a = Scan("\200\004\225\377\377\377\377\377\377\377\177N."s);
  EXPECT_FALSE(a.undecided.empty());
}

TEST(PickleEvasion, OpcodeStraddlingFrameEndIsUndecided) {
  // FRAME of 2 bytes, then an 8-byte BINFLOAT: pickle.loads reads on, while
  // torch.load's BytesIO path drops the frame's tail and parses other opcodes.
  std::string p = "\200\004\225\002\000\000\000\000\000\000\000"
                  "G\000\000\000\000\000\000\000\000\207M\003\000."s;
  PickleAnalysis a = Scan(p);
  ASSERT_FALSE(a.undecided.empty());
  EXPECT_NE(a.undecided[0].find("FRAME"), std::string::npos);
}

TEST(PickleEvasion, ConsecutiveFramesAreFine) {
  // Two frames back to back, each holding whole opcodes, as pickle writes them.
  std::string bytes = "\200\004\225\002\000\000\000\000\000\000\000]\224"s +
                      "\225\001\000\000\000\000\000\000\000."s;
  PickleAnalysis a = Scan(bytes);
  EXPECT_TRUE(a.undecided.empty()) << a.undecided.front();
  EXPECT_EQ(a.streams, 1u);
}

TEST(PickleEvasion, InstOpcode) {
  PickleAnalysis a = Scan("(S'ls'\nios\nsystem\n."s);
  ASSERT_TRUE(IsDangerous(a, "os.system"));
  EXPECT_EQ(Find(a, "os.system")->use.source, GlobalSource::kInst);
  EXPECT_TRUE(Find(a, "os.system")->use.call_ops & kCallInst);
}

TEST(PickleEvasion, ObjOpcode) {
  PickleAnalysis a = Scan("(csubprocess\ncheck_output\nS'id'\no."s);
  ASSERT_TRUE(IsDangerous(a, "subprocess.check_output"));
  EXPECT_TRUE(Find(a, "subprocess.check_output")->use.call_ops & kCallInst);
}

TEST(PickleEvasion, NewObjEx) {
  std::string p = "\200\004\214\nsubprocess\214\005Popen\223\214\002ls\205}\222."s;
  PickleAnalysis a = Scan(p);
  ASSERT_TRUE(IsDangerous(a, "subprocess.Popen"));
  EXPECT_TRUE(Find(a, "subprocess.Popen")->use.call_ops & kCallNewObjEx);
}

TEST(PickleEvasion, ExtensionCodesAreFindings) {
  for (const std::string& ext : {"\202\001"s, "\203\001\002"s, "\204\001\000\000\001"s}) {
    PickleAnalysis a = Scan("\200\002"s + ext + ")R."s);
    ASSERT_EQ(a.globals.size(), 1u);
    EXPECT_EQ(a.globals[0].use.source, GlobalSource::kUnresolvedExtension);
    EXPECT_EQ(a.globals[0].use.classification.verdict, GlobalVerdict::kDangerous);
    EXPECT_TRUE(a.undecided.empty());
  }
}

TEST(PickleEvasion, ExtensionRegisteredByAddExtensionResolves) {
  // copyreg.add_extension('os', 'system', 5), then EXT1 5 -> os.system('ls').
  std::string p = "ccopyreg\nadd_extension\n(S'os'\nS'system'\nK\005tR0"
                  "\200\002\202\005(S'ls'\ntR."s;
  PickleAnalysis a = Scan(p);
  EXPECT_TRUE(IsDangerous(a, "copyreg.add_extension"));
  ASSERT_TRUE(IsDangerous(a, "os.system"));
  EXPECT_EQ(Find(a, "os.system")->use.source, GlobalSource::kExtension);
}

TEST(PickleEvasion, ExtensionCodeZeroIsMalformed) {
  EXPECT_FALSE(Scan("\200\002\204\000\000\000\000."s).undecided.empty());
}

TEST(PickleEvasion, GetattrChainResolvesTheRealCallee) {
  // getattr(__import__('os'), 'system')('id')
  std::string p = "cbuiltins\ngetattr\n(cbuiltins\n__import__\n(S'os'\ntRS'system'\ntR"
                  "(S'id'\ntR."s;
  PickleAnalysis a = Scan(p);
  EXPECT_TRUE(IsDangerous(a, "builtins.getattr"));
  EXPECT_TRUE(IsDangerous(a, "builtins.__import__"));
  EXPECT_TRUE(IsDangerous(a, "os"));
  ASSERT_TRUE(IsDangerous(a, "os.system"));
  EXPECT_EQ(Find(a, "os.system")->use.source, GlobalSource::kGetattr);
  EXPECT_TRUE(Find(a, "os.system")->use.call_ops & kCallReduce);
}

TEST(PickleEvasion, GetattrOnAllowedGlobalReachingDangerousAttribute) {
  // getattr(torch._utils._rebuild_tensor_v2, '__globals__'): the derived name is dangerous.
  std::string p = "cbuiltins\ngetattr\n(ctorch._utils\n_rebuild_tensor_v2\nS'__globals__'\ntR."s;
  PickleAnalysis a = Scan(p);
  EXPECT_TRUE(IsDangerous(a, "torch._utils._rebuild_tensor_v2.__globals__"));
}

TEST(PickleEvasion, NestedSubmoduleAndDottedNames) {
  // Strict: everything under os is dangerous, os.path.join included.
  EXPECT_TRUE(IsDangerous(Scan("cos.path\njoin\n."s), "os.path.join"));
  EXPECT_TRUE(IsDangerous(Scan("cposixpath\njoin\n."s), "posixpath.join"));
  // Protocol 4 walks dotted names: torch.os is the os module.
  EXPECT_TRUE(IsDangerous(Scan("\200\004\214\005torch\214\tos.system\223."s), "torch.os.system"));
  EXPECT_TRUE(IsDangerous(Scan("\200\004\214\007pathlib\214\tos.system\223."s), "pathlib.os.system"));
  EXPECT_TRUE(IsDangerous(Scan("casyncio.unix_events\n_UnixSubprocessTransport\n."s),
                          "asyncio.unix_events._UnixSubprocessTransport"));
  EXPECT_TRUE(IsDangerous(Scan("ctorch._utils\n_rebuild_tensor_v2.__globals__\n."s),
                          "torch._utils._rebuild_tensor_v2.__globals__"));
}

TEST(PickleEvasion, FunctoolsPartialRecordsTheWrappedCallee) {
  std::string p = "cfunctools\npartial\n(cos\nsystem\nS'id'\ntR)R."s;
  PickleAnalysis a = Scan(p);
  ASSERT_TRUE(IsDangerous(a, "os.system"));
  EXPECT_TRUE(Find(a, "os.system")->use.call_ops & kCallPartial);
  const PickleGlobal* partial = Find(a, "functools.partial");
  ASSERT_NE(partial, nullptr);
  EXPECT_EQ(partial->use.classification.verdict, GlobalVerdict::kUnknown);
}

TEST(PickleEvasion, PayloadAfterStop) {
  PickleAnalysis a = Scan("\200\002}q\000."s + kOsSystemProto2);
  ASSERT_TRUE(IsDangerous(a, "os.system"));
  EXPECT_EQ(Find(a, "os.system")->stream, 2u);
  EXPECT_FALSE(Find(a, "os.system")->embedded);
  EXPECT_EQ(a.streams, 2u);
}

TEST(PickleEvasion, PayloadAfterStopWithoutProtoStillCounts) {
  // Protocol 0 ops right after STOP, ending in garbage: a loader calling
  // load() again imports and calls os.system before failing.
  PickleAnalysis a = Scan("N.cos\nsystem\n(S'id'\ntR\377"s);
  EXPECT_TRUE(IsDangerous(a, "os.system"));
  EXPECT_FALSE(Find(a, "os.system")->complete);
  EXPECT_TRUE(a.undecided.empty());  // trailing non-pickle bytes are data
}

TEST(PickleEvasion, PayloadInSecondStackedStreamOfLegacyTorchFile) {
  PickleAnalysis a = Scan(kTorchMagic + kOsSystemProto2 + kTorchSysInfo);
  EXPECT_TRUE(a.torch_legacy);
  ASSERT_TRUE(IsDangerous(a, "os.system"));
  EXPECT_EQ(Find(a, "os.system")->stream, 2u);
}

TEST(PickleEvasion, TruncatedStreamInsideLegacyTorchHeaderIsUndecided) {
  // torch.load reads five streams after the magic number: a broken second one matters.
  PickleAnalysis a = Scan(kTorchMagic + "\200\002}q\000(X\020\000\000"s);
  EXPECT_FALSE(a.undecided.empty());
}

TEST(PickleEvasion, JunkBytesThenPickle) {
  std::string p = "\200\002}q\000."s + "\000\001 not a pickle \377\376"s + kOsSystemProto2;
  PickleAnalysis a = Scan(p);
  ASSERT_TRUE(IsDangerous(a, "os.system"));
  EXPECT_TRUE(Find(a, "os.system")->embedded);
  EXPECT_TRUE(a.undecided.empty());
}

TEST(PickleEvasion, JunkThenBrokenPickleKeepsOnlyDangerousImports) {
  // A false start in data: dangerous imports before the error are kept,
  // unknown ones are noise and dropped.
  std::string p = "\200\002N."s + "\000junk"s + "\200\002cmypkg\nthing\ncos\nsystem\n\377"s;
  PickleAnalysis a = Scan(p);
  EXPECT_TRUE(IsDangerous(a, "os.system"));
  EXPECT_EQ(Find(a, "mypkg.thing"), nullptr);
  EXPECT_TRUE(a.undecided.empty());
}

TEST(PickleEvasion, BuildSetstateOnDangerousType) {
  // subprocess.Popen.__new__ via NEWOBJ, then BUILD calls its __setstate__.
  PickleAnalysis a = Scan("\200\002csubprocess\nPopen\n)\201}b."s);
  ASSERT_TRUE(IsDangerous(a, "subprocess.Popen"));
  uint32_t ops = Find(a, "subprocess.Popen")->use.call_ops;
  EXPECT_TRUE(ops & kCallNewObj);
  EXPECT_TRUE(ops & kCallBuild);
}

// ---- malformed and bounded input

TEST(PickleMalformed, TruncatedStreamIsUndecided) {
  PickleAnalysis a = Scan("\200\002}q\000("s);
  ASSERT_EQ(a.undecided.size(), 1u);
  EXPECT_NE(a.undecided[0].find("truncated"), std::string::npos);
}

TEST(PickleMalformed, UnknownOpcodeIsUndecided) {
  PickleAnalysis a = Scan("\200\002\377."s);
  ASSERT_EQ(a.undecided.size(), 1u);
  EXPECT_NE(a.undecided[0].find("unknown opcode 0xff"), std::string::npos);
}

TEST(PickleMalformed, StackUnderflowIsUndecided) {
  EXPECT_FALSE(Scan("\200\002R."s).undecided.empty());
  EXPECT_FALSE(Scan("(a."s).undecided.empty());  // APPEND may not pop below MARK
}

TEST(PickleMalformed, MemoMissIsUndecided) {
  PickleAnalysis a = Scan("\200\002h\007."s);
  ASSERT_FALSE(a.undecided.empty());
  EXPECT_NE(a.undecided[0].find("memo"), std::string::npos);
}

TEST(PickleMalformed, UnsupportedProtocolIsUndecided) {
  EXPECT_FALSE(Scan("\200\006N."s).undecided.empty());
}

TEST(PickleMalformed, MalformedStreamStillReportsWhatRanBeforeTheError) {
  PickleAnalysis a = Scan(std::string(kOsSystemProto2, 0, kOsSystemProto2.size() - 1) + "\377"s);
  EXPECT_FALSE(a.undecided.empty());
  EXPECT_TRUE(IsDangerous(a, "os.system"));
}

TEST(PickleBounds, DupBombStopsAtStackBound) {
  ScanLimits limits;
  limits.max_pickle_stack = 1000;
  std::string p = "\200\002N" + std::string(5000, '2') + ".";
  PickleAnalysis a = Scan(p, limits);
  ASSERT_FALSE(a.undecided.empty());
  EXPECT_NE(a.undecided[0].find("max_pickle_stack"), std::string::npos);
}

TEST(PickleBounds, MemoGetLoopStopsAtStackBound) {
  ScanLimits limits;
  limits.max_pickle_stack = 1000;
  std::string p = "\200\002]q\000";
  for (int i = 0; i < 3000; ++i) p += "h\000"s;
  PickleAnalysis a = Scan(p + ".", limits);
  EXPECT_FALSE(a.undecided.empty());
}

TEST(PickleBounds, OpcodeBudget) {
  ScanLimits limits;
  limits.max_pickle_ops = 100;
  std::string p = "\200\002";
  for (int i = 0; i < 1000; ++i) p += "N0";
  PickleAnalysis a = Scan(p + "N.", limits);
  ASSERT_FALSE(a.undecided.empty());
  EXPECT_NE(a.undecided[0].find("max_pickle_ops"), std::string::npos);
}

TEST(PickleBounds, MemoKeyOverBound) {
  ScanLimits limits;
  limits.max_pickle_memo = 100;
  PickleAnalysis a = Scan("\200\002Nr\377\377\377\377."s, limits);
  ASSERT_FALSE(a.undecided.empty());
  EXPECT_NE(a.undecided[0].find("max_pickle_memo"), std::string::npos);
}

TEST(PickleBounds, HugeLengthClaimsAreCheckedBeforeAllocation) {
  for (const std::string& op : {"\215\377\377\377\377\377\377\377\177"s,  // BINUNICODE8
                                "\216\000\000\000\000\000\000\000\001"s,  // BINBYTES8
                                "X\377\377\377\377"s,                      // BINUNICODE
                                "\226\377\377\377\377\377\377\377\377"s,  // BYTEARRAY8
                                "\213\377\377\377\177"s}) {                // LONG4
    PickleAnalysis a = Scan("\200\004"s + op + "."s);
    ASSERT_FALSE(a.undecided.empty());
    EXPECT_NE(a.undecided[0].find("truncated"), std::string::npos);
  }
}

TEST(PickleBounds, StreamLongerThanMaxPickleBytesIsUndecided) {
  ScanLimits limits;
  limits.max_pickle_bytes = 64;
  std::string p = "\200\002]";
  for (int i = 0; i < 100; ++i) p += "N0";
  PickleAnalysis a = Scan(p + ".", limits);
  ASSERT_FALSE(a.undecided.empty());
  EXPECT_NE(a.undecided[0].find("max_pickle_bytes"), std::string::npos);
}

TEST(PickleBounds, ManyFalseProtoStartsExhaustTheBudgetNotTheClock) {
  // Every \x80\x02 pair starts a candidate that parses to the end: quadratic
  // without the shared opcode budget, undecided with it.
  ScanLimits limits;
  limits.max_pickle_ops = 100000;
  std::string p = "N.\377";
  for (int i = 0; i < 20000; ++i) p += "\200\002";
  PickleAnalysis a = Scan(p, limits);
  EXPECT_FALSE(a.undecided.empty());
}

TEST(PickleEvasion, EmbeddedPickleFoundAcrossFileReadChunks) {
  // Through a FileSource the search reads 1 MiB chunks: put the PROTO pair
  // on both sides of a chunk edge (the search starts at offset 3, after the
  // failed second stream at offset 2).
  for (size_t at : {size_t{3} + (1u << 20) - 1, size_t{3} + (1u << 20)}) {
    std::string bytes = "N."s + std::string(at - 2, '\0') + kOsSystemProto2;
    std::string path = ::testing::TempDir() + "pickle_chunk_edge.bin";
    {
      std::FILE* f = std::fopen(path.c_str(), "wb");
      ASSERT_NE(f, nullptr);
      std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fclose(f);
    }
    auto src = FileSource::Open(path);
    ASSERT_TRUE(src.ok());
    PickleAnalysis a = AnalyzePickleSource(**src, ScanLimits());
    ASSERT_TRUE(IsDangerous(a, "os.system")) << at;
    EXPECT_EQ(Find(a, "os.system")->stream_offset, at);
    EXPECT_TRUE(a.undecided.empty());
    std::remove(path.c_str());
  }
}

// ---- entry points used by dispatch

TEST(PickleEntryPoints, AnalyzePickleReportsFindingsWithRuleAndSeverity) {
  FileReport report;
  report.path = "model.bin";
  ScanLimits limits;
  ScanContext ctx(limits, &report);
  MemorySource src(kTorchStateDict + kOsSystemProto2 + "\200\002cmypkg\nModel\n)\201."s);
  AnalyzePickle(src, ctx);
  ASSERT_EQ(report.findings.size(), 2u);
  EXPECT_EQ(report.findings[0].rule, "pickle/dangerous-global");
  EXPECT_EQ(report.findings[0].severity, Severity::kCritical);
  EXPECT_EQ(report.findings[0].file, "model.bin");
  EXPECT_NE(report.findings[0].detail.find("os.system"), std::string::npos);
  EXPECT_NE(report.findings[0].detail.find("REDUCE"), std::string::npos);
  EXPECT_EQ(report.findings[1].rule, "pickle/unknown-global");
  EXPECT_EQ(report.findings[1].severity, Severity::kMedium);
  EXPECT_NE(report.findings[1].detail.find("mypkg.Model"), std::string::npos);
  EXPECT_TRUE(report.undecided.empty());
}

TEST(PickleEntryPoints, AnalyzePickleCleanCheckpointAddsNothing) {
  FileReport report;
  report.path = "pytorch_model.bin";
  ScanLimits limits;
  ScanContext ctx(limits, &report);
  MemorySource src(kTorchStateDict);
  AnalyzePickle(src, ctx);
  EXPECT_TRUE(report.findings.empty());
  EXPECT_TRUE(report.undecided.empty());
}

TEST(PickleEntryPoints, AnalyzePickleUndecidesMalformedInput) {
  FileReport report;
  report.path = "x.pkl";
  ScanLimits limits;
  ScanContext ctx(limits, &report);
  MemorySource src("\200\002}("s);
  AnalyzePickle(src, ctx);
  EXPECT_EQ(report.undecided.size(), 1u);
  EXPECT_EQ(report.undecided[0].file, "x.pkl");
}

TEST(PickleEntryPoints, ProbeRecognisesPicklesWithoutMagic) {
  ScanLimits limits;
  EXPECT_TRUE(ProbePickle(MemorySource(kProtocol0Dict), limits));
  EXPECT_TRUE(ProbePickle(MemorySource("cos\nsystem\n(S'ls'\ntR."s), limits));
  EXPECT_TRUE(ProbePickle(MemorySource("]q\000(K\001K\002e."s), limits));  // protocol 1
  EXPECT_FALSE(ProbePickle(MemorySource("hello world\n"s), limits));
  EXPECT_FALSE(ProbePickle(MemorySource("# README\nsome text\n"s), limits));
  EXPECT_FALSE(ProbePickle(MemorySource("(dp0\n"s), limits));  // no STOP
  EXPECT_FALSE(ProbePickle(MemorySource(""s), limits));
}

}  // namespace
}  // namespace modelgate::scanners
