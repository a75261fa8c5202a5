#include "scanners/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "scanners/dispatch.h"
#include "scanners/zip.h"
#include "tests/scanners/zip_test_writer.h"

namespace modelgate::scanners {
namespace {

const std::string kEvilPickle =
    std::string("\x80\x02" "cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.", 33);

using Members = std::vector<std::pair<std::string, std::string>>;

la_ssize_t Append(struct archive*, void* data, const void* buf, size_t n) {
  static_cast<std::string*>(data)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

// Writes `members` with libarchive: format "tar", "7z" or "raw" (one member),
// filter "none", "gzip", "xz" or "bzip2".
std::string Write(const std::string& format, const std::string& filter, const Members& members) {
  std::string out;
  struct archive* a = archive_write_new();
  if (format == "tar") archive_write_set_format_pax_restricted(a);
  if (format == "7z") archive_write_set_format_7zip(a);
  if (format == "raw") archive_write_set_format_raw(a);
  if (filter == "gzip") archive_write_add_filter_gzip(a);
  if (filter == "xz") archive_write_add_filter_xz(a);
  if (filter == "bzip2") archive_write_add_filter_bzip2(a);
  archive_write_set_bytes_in_last_block(a, 1);
  EXPECT_EQ(archive_write_open(a, &out, nullptr, Append, nullptr), ARCHIVE_OK)
      << archive_error_string(a);
  for (const auto& [name, data] : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    EXPECT_EQ(archive_write_data(a, data.data(), data.size()), static_cast<la_ssize_t>(data.size()));
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

FileReport Scan(const std::string& bytes, const std::string& path, ScanLimits limits = ScanLimits()) {
  FileReport report;
  report.path = path;
  MemorySource src(bytes);
  ScanContext ctx(limits, &report);
  AnalyzeBlob(src, path, ctx);
  return report;
}

bool Reached(const FileReport& r, const std::string& file) {
  for (const Finding& f : r.findings) {
    if (f.file == file) return true;
  }
  for (const Undecided& u : r.undecided) {
    if (u.file == file) return true;
  }
  return false;
}

bool UndecidedWith(const FileReport& r, const std::string& needle) {
  for (const Undecided& u : r.undecided) {
    if (u.reason.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(AnalyzeArchive, TarMemberIsReached) {
  FileReport r = Scan(Write("tar", "none", {{"model/data.pkl", kEvilPickle}}), "m.tar");
  EXPECT_EQ(r.format, Format::kTar);
  EXPECT_TRUE(Reached(r, "m.tar!model/data.pkl"));
}

TEST(AnalyzeArchive, ZipInTarInGzipReachesThePickle) {
  std::string zip = testing::BuildZip({{"archive/data.pkl", kEvilPickle},
                                       {"archive/version", "3\n"}});
  std::string tgz = Write("tar", "gzip", {{"README", "hello\n"}, {"inner/model.pt", zip}});
  FileReport r = Scan(tgz, "m.tgz");
  EXPECT_EQ(r.format, Format::kGzip);
  EXPECT_TRUE(Reached(r, "m.tgz!inner/model.pt!archive/data.pkl"));
}

TEST(AnalyzeArchive, RawCompressedStreamsAreOneMember) {
  for (const char* filter : {"gzip", "xz", "bzip2"}) {
    FileReport r = Scan(Write("raw", filter, {{"data", kEvilPickle}}), "m.pkl.z");
    EXPECT_TRUE(Reached(r, "m.pkl.z!<decompressed>")) << filter;
  }
}

TEST(AnalyzeArchive, SevenZipWrappedPickleIsReached) {
  std::string sz = Write("7z", "none", {{"a.txt", "hi"}, {"payload/model.bin", kEvilPickle}});
  FileReport r = Scan(sz, "m.7z");
  EXPECT_EQ(r.format, Format::kSevenZip);
  EXPECT_TRUE(Reached(r, "m.7z!payload/model.bin"));
}

TEST(AnalyzeArchive, LegacyTorchTarLayoutIsRecognised) {
  std::string tar = Write("tar", "none", {{"sys_info", std::string("\x80\x02}q\x00.", 6)},
                                          {"pickle", kEvilPickle},
                                          {"storages", std::string("\x80\x02K\x00.", 5)},
                                          {"tensors", std::string("\x80\x02K\x00.", 5)}});
  FileReport r = Scan(tar, "old.pt");
  EXPECT_EQ(r.format, Format::kPyTorchTar);
  EXPECT_TRUE(Reached(r, "old.pt!pickle"));
}

TEST(AnalyzeArchive, BigPlainTarMemberIsAnalyzedInPlace) {
  ScanLimits lim;
  lim.max_member_bytes = 1 << 20;
  std::string big = kEvilPickle + std::string(3 << 20, '\0');
  FileReport r = Scan(Write("tar", "none", {{"big.pkl", big}, {"next.pkl", kEvilPickle}}), "b.tar", lim);
  EXPECT_FALSE(UndecidedWith(r, "member larger than"));
  EXPECT_TRUE(Reached(r, "b.tar!big.pkl"));
  EXPECT_TRUE(Reached(r, "b.tar!next.pkl"));
}

TEST(AnalyzeArchive, CompressedMemberAboveTheBoundIsUndecidedAndTheNextStillReached) {
  ScanLimits lim;
  lim.max_member_bytes = 1 << 20;
  std::string tgz = Write("tar", "gzip", {{"big.bin", std::string(2 << 20, 'x')}, {"p.pkl", kEvilPickle}});
  FileReport r = Scan(tgz, "b.tgz", lim);
  EXPECT_TRUE(UndecidedWith(r, "member larger than"));
  EXPECT_TRUE(Reached(r, "b.tgz!p.pkl"));
}

TEST(AnalyzeArchive, GzipBombIsUndecidedByRatio) {
  ScanLimits lim;
  lim.max_compression_ratio = 50;
  FileReport r = Scan(Write("raw", "gzip", {{"data", std::string(16 << 20, 'A')}}), "bomb.gz", lim);
  EXPECT_TRUE(UndecidedWith(r, "compression ratio"));
}

TEST(AnalyzeArchive, GzipBombIsUndecidedByTotalBudget) {
  ScanLimits lim;
  lim.max_total_decompressed = 4 << 20;
  lim.max_compression_ratio = 1ull << 40;  // let the budget, not the ratio, stop it
  FileReport r = Scan(Write("raw", "xz", {{"data", std::string(16 << 20, 'A')}}), "bomb.xz", lim);
  EXPECT_TRUE(UndecidedWith(r, "decompressed size exceeds"));
}

TEST(AnalyzeArchive, NestingDeeperThanTheBoundIsUndecided) {
  std::string bytes = kEvilPickle;
  for (int i = 0; i < 6; ++i) bytes = Write("raw", "gzip", {{"data", bytes}});
  FileReport r = Scan(bytes, "deep.gz");
  EXPECT_TRUE(UndecidedWith(r, "nesting"));
}

TEST(AnalyzeArchive, CorruptStreamIsUndecided) {
  std::string gz = Write("raw", "gzip", {{"data", std::string(100000, 'q') + kEvilPickle}});
  gz.resize(gz.size() / 2);
  FileReport r = Scan(gz, "cut.gz");
  EXPECT_FALSE(r.undecided.empty());
  std::string junk_7z = std::string("7z\xbc\xaf\x27\x1c\x00\x04", 8) + std::string(40, '\x11');
  EXPECT_FALSE(Scan(junk_7z, "j.7z").undecided.empty());
}

TEST(AnalyzeZip, Bzip2AndXzMembersAreDecompressedThroughLibarchive) {
  // zipfile (and so numpy's npz loader) reads these methods; PyTorch does not.
  for (auto [method, filter] : {std::pair<uint16_t, const char*>{12, "bzip2"}, {95, "xz"}}) {
    testing::ZipMember m("payload.pkl", Write("raw", filter, {{"data", kEvilPickle}}), method);
    m.crc = testing::Crc(kEvilPickle);
    m.declared_size = kEvilPickle.size();
    FileReport r = Scan(testing::BuildZip({m}), "z.zip");
    EXPECT_TRUE(Reached(r, "z.zip!payload.pkl")) << filter;
    EXPECT_FALSE(UndecidedWith(r, "compression method")) << filter;
    for (const Finding& f : r.findings) EXPECT_NE(f.rule, "zip/bad-crc") << filter;
  }
}

TEST(AnalyzeZip, Bzip2MemberThatIsNotBzip2IsUndecided) {
  testing::ZipMember m("payload.pkl", kEvilPickle, 12);
  FileReport r = Scan(testing::BuildZip({m}), "z.zip");
  EXPECT_TRUE(UndecidedWith(r, "not a compressed stream"));
}

TEST(HasZipTrailer, ZipInsideATarIsNotAPolyglotButZipAppendedToATarIs) {
  std::string zip = testing::BuildZip({{"archive/data.pkl", kEvilPickle}});
  std::string tar = Write("tar", "none", {{"model.zip", zip}});
  MemorySource inside(tar);
  EXPECT_FALSE(HasZipTrailer(inside));
  std::string appended = Write("tar", "none", {{"README", "hi"}}) + zip;
  MemorySource after(appended);
  EXPECT_TRUE(HasZipTrailer(after));
  FileReport r = Scan(appended, "t.tar");
  bool polyglot = false;
  for (const Finding& f : r.findings) polyglot = polyglot || f.rule == "zip/polyglot";
  EXPECT_TRUE(polyglot);
  EXPECT_TRUE(Reached(r, "t.tar!<trailing zip>!archive/data.pkl"));
}

TEST(AnalyzeArchive, PathTraversalIsReported) {
  FileReport r = Scan(Write("tar", "none", {{"../../etc/x", "x"}}), "t.tar");
  bool found = false;
  for (const Finding& f : r.findings) found = found || f.rule == "archive/path-traversal";
  EXPECT_TRUE(found);
}

TEST(AnalyzeArchive, TooManyMembersIsUndecided) {
  ScanLimits lim;
  lim.max_archive_members = 2;
  FileReport r = Scan(Write("tar", "none", {{"a", "1"}, {"b", "2"}, {"c", "3"}}), "t.tar", lim);
  EXPECT_TRUE(UndecidedWith(r, "more than 2 members"));
}

}  // namespace
}  // namespace modelgate::scanners
