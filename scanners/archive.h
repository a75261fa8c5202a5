// Unpacks gzip/xz/bzip2/7z/tar (via libarchive) within the bounds, refines
#pragma once

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {

// Unpacks gzip/xz/bzip2/7z/tar (via libarchive) within the bounds, refines
// the old torch tar layout, and analyzes every member.
// `format` is what SniffFormat() said (kGzip, kXz, kBzip2, kSevenZip or kTar).
void AnalyzeArchive(const ByteSource& src, Format format, ScanContext& ctx);

}  // namespace modelgate::scanners
