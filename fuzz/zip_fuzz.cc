// libFuzzer target for the ZIP reader (central directory, local headers,
// bounded inflate, polyglot detection) and, for inputs that sniff as
// gzip/xz/bzip2/7z/tar, the libarchive walk. Members reach AnalyzeBlob, so
// nested formats get fuzzed too. Small bounds keep each input fast. Crashes,
// sanitizer reports and hangs are bugs; any verdict is fine.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "scanners/archive.h"
#include "scanners/context.h"
#include "scanners/format.h"
#include "scanners/source.h"
#include "scanners/zip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelgate::scanners;
  MemorySource src(std::string_view(reinterpret_cast<const char*>(data), size));
  ScanLimits limits;
  limits.max_archive_depth = 3;
  limits.max_member_bytes = 1 << 20;
  limits.max_total_decompressed = 8 << 20;
  limits.max_archive_members = 256;
  limits.max_pickle_bytes = 1 << 20;
  limits.max_pickle_ops = 100000;
  limits.max_json_bytes = 1 << 20;
  FileReport report;
  report.path = "fuzz.zip";
  ScanContext ctx(limits, &report);
  (void)HasZipTrailer(src);
  AnalyzeZip(src, ctx);
  Format f = SniffFormat(src);
  if (f == Format::kGzip || f == Format::kXz || f == Format::kBzip2 || f == Format::kSevenZip ||
      f == Format::kTar) {
    FileReport archive_report;
    archive_report.path = "fuzz.archive";
    ScanContext actx(limits, &archive_report);
    AnalyzeArchive(src, f, actx);
  }
  return 0;
}
