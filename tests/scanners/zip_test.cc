#include "scanners/zip.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scanners/dispatch.h"
#include "scanners/zip_directory.h"
#include "tests/scanners/zip_test_writer.h"

namespace modelgate::scanners {
namespace {

using testing::BuildZip;
using testing::ZipMember;
using testing::ZipOptions;

// A pickle calling os.system: whatever the pickle analyzer's state, a member
// reaching it yields a finding or an undecided entry on the member's path.
const std::string kEvilPickle =
    std::string("\x80\x02" "cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.", 33);

FileReport Scan(const std::string& bytes, const std::string& path = "m.pt",
                ScanLimits limits = ScanLimits()) {
  FileReport report;
  report.path = path;
  MemorySource src(bytes);
  ScanContext ctx(limits, &report);
  AnalyzeBlob(src, path, ctx);
  return report;
}

// The analyzer got as far as the bytes at `file` (finding or undecided on it).
bool Reached(const FileReport& r, const std::string& file) {
  for (const Finding& f : r.findings) {
    if (f.file == file) return true;
  }
  for (const Undecided& u : r.undecided) {
    if (u.file == file) return true;
  }
  return false;
}

bool Has(const FileReport& r, const std::string& rule, const std::string& file = "") {
  for (const Finding& f : r.findings) {
    if (f.rule == rule && (file.empty() || f.file == file)) return true;
  }
  return false;
}

bool UndecidedWith(const FileReport& r, const std::string& file, const std::string& needle) {
  for (const Undecided& u : r.undecided) {
    if (u.file == file && u.reason.find(needle) != std::string::npos) return true;
  }
  return false;
}

int CountZipFindings(const FileReport& r) {
  int n = 0;
  for (const Finding& f : r.findings) n += f.rule.rfind("zip/", 0) == 0;
  return n;
}

std::vector<ZipMember> TorchMembers() {
  return {{"archive/data.pkl", kEvilPickle},
          {"archive/data/0", std::string("\x80\x01\x02\x03\x00\x00\x80\x3f", 8)},
          {"archive/version", "3\n"}};
}

TEST(AnalyzeZip, PyTorchLayoutIsRecognisedAndItsPickleReached) {
  FileReport r = Scan(BuildZip(TorchMembers()));
  EXPECT_EQ(r.format, Format::kPyTorchZip);
  EXPECT_TRUE(Reached(r, "m.pt!archive/data.pkl"));
  // Raw tensor bytes that merely start like a pickle are not pickles.
  EXPECT_FALSE(Reached(r, "m.pt!archive/data/0"));
  EXPECT_EQ(CountZipFindings(r), 0);
}

TEST(AnalyzeZip, DeflatedMemberIsInflatedAndReached) {
  std::vector<ZipMember> m = TorchMembers();
  m[0].method = 8;
  FileReport r = Scan(BuildZip(m));
  EXPECT_TRUE(Reached(r, "m.pt!archive/data.pkl"));
  EXPECT_EQ(CountZipFindings(r), 0);
}

TEST(AnalyzeZip, NpzAndKerasLayouts) {
  std::string npy = std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                    "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }" +
                    std::string(118 - 58 - 1, ' ') + "\n" + std::string(4, '\0');
  EXPECT_EQ(Scan(BuildZip({{"a.npy", npy}, {"b.npy", npy, 8}}), "x.npz").format, Format::kNpz);
  FileReport k = Scan(BuildZip({{"config.json", R"({"class_name": "Sequential"})"},
                                {"metadata.json", R"({"keras_version": "3.0"})"},
                                {"model.weights.h5", "\x89HDF\r\n\x1a\n"}}),
                      "x.keras");
  EXPECT_EQ(k.format, Format::kKeras);
  EXPECT_EQ(CountZipFindings(k), 0);
}

TEST(AnalyzeZip, KerasConfigIsAudited) {
  FileReport k = Scan(
      BuildZip({{"config.json",
                 R"({"class_name": "Sequential", "config": {"layers": [{"class_name": "Lambda",)"
                 R"( "config": {"name": "l", "function": "payload"}}]}})"},
                {"metadata.json", R"({"keras_version": "3.0"})"}}),
      "x.keras");
  EXPECT_EQ(k.format, Format::kKeras);
  EXPECT_TRUE(Has(k, "keras/lambda-layer", "x.keras!config.json"));
}

TEST(AnalyzeZip, StoredMemberAboveTheMemberBoundIsAnalyzedInPlace) {
  // Stored members are windows of the archive, never copies: the member
  // bound (which limits copies) does not apply, so huge tensors scan fine.
  ScanLimits lim;
  lim.max_member_bytes = 1024;
  std::vector<ZipMember> m = TorchMembers();
  m[0].data = kEvilPickle + std::string(64 * 1024, '\0');
  m[1].data = std::string(256 * 1024, '\x01');
  FileReport r = Scan(BuildZip(m), "m.pt", lim);
  EXPECT_TRUE(Reached(r, "m.pt!archive/data.pkl"));
  for (const Undecided& u : r.undecided) EXPECT_NE(u.file, "m.pt!archive/data/0") << u.reason;
}

TEST(AnalyzeZip, TorchStorageThatIsACompletePickleIsReported) {
  std::vector<ZipMember> m = TorchMembers();
  m.push_back({"archive/data/1", kEvilPickle});
  FileReport r = Scan(BuildZip(m));
  EXPECT_TRUE(Has(r, "zip/hidden-pickle", "m.pt!archive/data/1"));
}

TEST(AnalyzeZip, LocalAndCentralNameMismatchIsReported) {
  std::vector<ZipMember> m = TorchMembers();
  m[0].local_name = "archive/data.txt";
  FileReport r = Scan(BuildZip(m));
  EXPECT_TRUE(Has(r, "zip/name-mismatch", "m.pt!archive/data.pkl"));
  EXPECT_TRUE(Reached(r, "m.pt!archive/data.pkl"));
}

TEST(AnalyzeZip, DuplicateNamesAreReportedAndBothCopiesAnalyzed) {
  std::vector<ZipMember> m = TorchMembers();
  m.push_back({"archive/data.pkl", std::string("\x80\x02]q\x00.", 6)});
  FileReport r = Scan(BuildZip(m));
  EXPECT_TRUE(Has(r, "zip/duplicate-name", "m.pt!archive/data.pkl (copy 2)"));
  EXPECT_TRUE(Reached(r, "m.pt!archive/data.pkl"));
  EXPECT_TRUE(Reached(r, "m.pt!archive/data.pkl (copy 2)"));
}

TEST(AnalyzeZip, EncryptionFlagIsReportedAndMemberStillRead) {
  std::vector<ZipMember> m = TorchMembers();
  m[0].flags = 1;
  FileReport r = Scan(BuildZip(m));
  EXPECT_TRUE(Has(r, "zip/encrypted-flag", "m.pt!archive/data.pkl"));
  EXPECT_TRUE(Reached(r, "m.pt!archive/data.pkl"));
}

TEST(AnalyzeZip, BadCrcIsReportedForStoredAndDeflated) {
  std::vector<ZipMember> m = TorchMembers();
  m[0].crc = 0xdeadbeef;
  m[2].crc = 0x12345678;
  m[2].method = 8;
  FileReport r = Scan(BuildZip(m));
  EXPECT_TRUE(Has(r, "zip/bad-crc", "m.pt!archive/data.pkl"));
  EXPECT_TRUE(Has(r, "zip/bad-crc", "m.pt!archive/version"));
  EXPECT_TRUE(Reached(r, "m.pt!archive/data.pkl"));
}

TEST(AnalyzeZip, PickleWithoutPklNameIsAnalyzed) {
  FileReport r = Scan(BuildZip({{"weights/readme.txt", kEvilPickle}}), "w.zip");
  EXPECT_TRUE(Has(r, "zip/hidden-pickle", "w.zip!weights/readme.txt"));
  EXPECT_EQ(r.format, Format::kZip);
}

TEST(AnalyzeZip, LeadingDataBeforeTheArchiveIsToleratedAndReported) {
  ZipOptions opt;
  opt.prefix = std::string(100, 'x');
  std::string zip = BuildZip(TorchMembers(), opt);
  FileReport report;
  report.path = "m.pt";
  ScanLimits limits;
  ScanContext ctx(limits, &report);
  MemorySource src(zip);
  AnalyzeZip(src, ctx);
  EXPECT_TRUE(Has(report, "zip/leading-data", "m.pt"));
  EXPECT_TRUE(Reached(report, "m.pt!archive/data.pkl"));
}

TEST(AnalyzeZip, PicklePrependedToZipIsAPolyglot) {
  ZipOptions opt;
  opt.prefix = std::string("\x80\x02]q\x00.", 6);  // what torch.load's legacy path reads
  std::string bytes = BuildZip(TorchMembers(), opt);
  MemorySource src(bytes);
  EXPECT_TRUE(HasZipTrailer(src));
  FileReport r = Scan(bytes);
  EXPECT_TRUE(Has(r, "zip/polyglot", "m.pt"));
  EXPECT_TRUE(Reached(r, "m.pt!<trailing zip>!archive/data.pkl"));
}

TEST(HasZipTrailer, FalseForPlainZipAndNonZip) {
  std::string zip = BuildZip(TorchMembers());
  MemorySource plain(zip);
  EXPECT_FALSE(HasZipTrailer(plain));
  MemorySource text(std::string("hello PK\x05\x06 world", 17));
  EXPECT_FALSE(HasZipTrailer(text));
  MemorySource empty(std::string_view(""));
  EXPECT_FALSE(HasZipTrailer(empty));
}

TEST(AnalyzeZip, Zip64EndRecordsAreFollowed) {
  ZipOptions opt;
  opt.zip64 = true;
  std::string bytes = BuildZip(TorchMembers(), opt);
  MemorySource src(bytes);
  Result<ZipDirectory> dir = ReadZipDirectory(src, 10);
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  EXPECT_TRUE(dir->zip64);
  EXPECT_EQ(dir->entries.size(), 3u);
  FileReport r = Scan(bytes);
  EXPECT_EQ(r.format, Format::kPyTorchZip);
  EXPECT_TRUE(Reached(r, "m.pt!archive/data.pkl"));
  EXPECT_EQ(CountZipFindings(r), 0);
}

TEST(AnalyzeZip, CommentLengthThatLiesIsReported) {
  ZipOptions opt;
  opt.comment = "hello";
  opt.comment_len = 2;
  FileReport r = Scan(BuildZip(TorchMembers(), opt));
  EXPECT_TRUE(Has(r, "zip/trailing-data", "m.pt"));
}

TEST(AnalyzeZip, SecondDirectoryHiddenInCommentIsReportedAndItsMembersAnalyzed) {
  // Member 0 is listed by the real directory; a second directory inside the
  // comment lists member 1 (the payload), which some readers would load.
  std::string benign = std::string("\x80\x02]q\x00.", 6);
  std::string inner = BuildZip({{"a.txt", "hello"}, {"payload.pkl", kEvilPickle}});
  // Rebuild by hand: local headers of both, then directory A (a.txt only),
  // then EOCD A whose comment holds directory B (payload.pkl) + EOCD B.
  MemorySource isrc(inner);
  Result<ZipDirectory> d = ReadZipDirectory(isrc, 10);
  ASSERT_TRUE(d.ok());
  std::string locals = inner.substr(0, d->cd_offset);
  std::string cd = inner.substr(d->cd_offset, d->cd_size);
  size_t second = cd.find(std::string("PK\x01\x02", 4), 4);
  std::string cd_a = cd.substr(0, second), cd_b = cd.substr(second);
  auto eocd = [](uint32_t cd_size, uint32_t cd_off, uint16_t comment) {
    std::string e;
    testing::Put32(&e, 0x06054b50);
    testing::Put32(&e, 0);
    testing::Put16(&e, 1);
    testing::Put16(&e, 1);
    testing::Put32(&e, cd_size);
    testing::Put32(&e, cd_off);
    testing::Put16(&e, comment);
    return e;
  };
  uint32_t cd_b_off = static_cast<uint32_t>(locals.size() + cd_a.size() + 22);
  std::string comment = cd_b + eocd(static_cast<uint32_t>(cd_b.size()), cd_b_off, 0);
  std::string bytes = locals + cd_a +
                      eocd(static_cast<uint32_t>(cd_a.size()), static_cast<uint32_t>(locals.size()),
                           static_cast<uint16_t>(comment.size())) +
                      comment;
  FileReport r = Scan(bytes, "c.zip");
  EXPECT_TRUE(Has(r, "zip/ambiguous-directory", "c.zip"));
  EXPECT_TRUE(Reached(r, "c.zip!payload.pkl"));
}

TEST(AnalyzeZip, OverlappingMembersAreReported) {
  std::vector<ZipMember> m = TorchMembers();
  ZipMember alias{"archive/other.pkl", ""};
  alias.alias_of = 0;
  m.push_back(alias);
  FileReport r = Scan(BuildZip(m));
  EXPECT_TRUE(Has(r, "zip/overlapping-members", "m.pt"));
  EXPECT_TRUE(Reached(r, "m.pt!archive/other.pkl"));
}

TEST(AnalyzeZip, PathTraversalIsReported) {
  FileReport r = Scan(BuildZip({{"../../etc/cron.d/x", "* * * * * root id\n"},
                                {"/abs/path", "x"},
                                {"ok/name..txt", "x"}}),
                      "t.zip");
  EXPECT_TRUE(Has(r, "zip/path-traversal", "t.zip!../../etc/cron.d/x"));
  EXPECT_TRUE(Has(r, "zip/path-traversal", "t.zip!/abs/path"));
  EXPECT_FALSE(Has(r, "zip/path-traversal", "t.zip!ok/name..txt"));
}

TEST(AnalyzeZip, EntryCountMismatchIsReported) {
  ZipOptions opt;
  opt.declared_entries = 1;
  FileReport r = Scan(BuildZip(TorchMembers(), opt));
  EXPECT_TRUE(Has(r, "zip/entry-count-mismatch", "m.pt"));
  EXPECT_TRUE(Reached(r, "m.pt!archive/data.pkl"));
}

TEST(AnalyzeZip, ZipBombDeclaringItsSizeIsUndecidedWithoutInflating) {
  ScanLimits lim;
  lim.max_member_bytes = 1 << 20;
  FileReport r = Scan(BuildZip({{"bomb.bin", std::string(8 << 20, '\0'), 8}}), "b.zip", lim);
  EXPECT_TRUE(UndecidedWith(r, "b.zip!bomb.bin", "above the bound"));
}

TEST(AnalyzeZip, ZipBombLyingAboutItsSizeStopsAtTheMemberBound) {
  ScanLimits lim;
  lim.max_member_bytes = 1 << 20;
  ZipMember bomb{"bomb.bin", std::string(8 << 20, '\0'), 8};
  bomb.declared_size = 10;
  FileReport r = Scan(BuildZip({bomb}), "b.zip", lim);
  EXPECT_TRUE(UndecidedWith(r, "b.zip!bomb.bin", "inflates to more than"));
}

TEST(AnalyzeZip, CompressionRatioAboveTheBoundIsABomb) {
  ScanLimits lim;
  lim.max_compression_ratio = 50;
  FileReport r = Scan(BuildZip({{"bomb.bin", std::string(4 << 20, '\0'), 8}}), "b.zip", lim);
  EXPECT_TRUE(UndecidedWith(r, "b.zip!bomb.bin", "compression ratio"));
}

TEST(AnalyzeZip, TotalDecompressionBudgetIsShared) {
  ScanLimits lim;
  lim.max_total_decompressed = 3 << 20;
  std::string two_mib(2 << 20, '\0');
  uint32_t x = 1;
  for (char& c : two_mib) c = static_cast<char>((x = x * 1103515245 + 12345) >> 24);
  FileReport r = Scan(BuildZip({{"a.bin", two_mib, 8}, {"b.bin", two_mib, 8}}), "b.zip", lim);
  EXPECT_TRUE(UndecidedWith(r, "b.zip!b.bin", "decompressed size exceeds"));
  EXPECT_FALSE(UndecidedWith(r, "b.zip!a.bin", "decompressed size exceeds"));
}

TEST(AnalyzeZip, TooManyMembersIsUndecided) {
  ScanLimits lim;
  lim.max_archive_members = 3;
  std::vector<ZipMember> m;
  for (int i = 0; i < 5; ++i) m.push_back({"f" + std::to_string(i), "x"});
  FileReport r = Scan(BuildZip(m), "many.zip", lim);
  EXPECT_TRUE(UndecidedWith(r, "many.zip", "more than 3 members"));
}

TEST(AnalyzeZip, UnsupportedCompressionMethodIsUndecided) {
  // LZMA (14) has a ZIP-specific framing we do not decode; PPMd (98) neither.
  FileReport r = Scan(BuildZip({{"x.pkl", std::string("\x09\x14\x05\x00]\x00\x00\x10\x00", 9), 14},
                                {"y.pkl", "\x07" "ppmd", 98}}),
                      "u.zip");
  EXPECT_TRUE(UndecidedWith(r, "u.zip!x.pkl", "unsupported compression method 14"));
  EXPECT_TRUE(UndecidedWith(r, "u.zip!y.pkl", "unsupported compression method 98"));
}

TEST(AnalyzeZip, TruncatedArchiveIsUndecided) {
  std::string zip = BuildZip(TorchMembers());
  FileReport r = Scan(zip.substr(0, zip.size() - 10));
  EXPECT_FALSE(r.undecided.empty());
  std::string cut = zip;
  cut.erase(40, 20);  // shifts the directory: offsets now point at the wrong bytes
  FileReport r2 = Scan(cut);
  EXPECT_FALSE(r2.undecided.empty());
}

TEST(AnalyzeZip, NestingDeeperThanTheBoundIsUndecided) {
  std::string bytes = BuildZip(TorchMembers());
  for (int i = 0; i < 6; ++i) bytes = BuildZip({{"inner.zip", bytes}});
  FileReport r = Scan(bytes, "deep.zip");
  bool deep = false;
  for (const Undecided& u : r.undecided) deep = deep || u.reason.find("nesting") != std::string::npos;
  EXPECT_TRUE(deep);
}

}  // namespace
}  // namespace modelgate::scanners
