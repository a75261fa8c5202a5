#include "scanners/dispatch.h"

#include "scanners/archive.h"
#include "scanners/gguf.h"
#include "scanners/json_file.h"
#include "scanners/keras.h"
#include "scanners/numpy.h"
#include "scanners/onnx.h"
#include "scanners/pickle.h"
#include "scanners/safetensors.h"
#include "scanners/template_audit.h"
#include "scanners/zip.h"

namespace modelgate::scanners {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A chat template file (chat_template.jinja, as newer Hugging Face snapshots ship):
// audited as a template. Its text often starts with "{%" or "{{", so it may sniff as
// JSON; the role its name gives it decides here, not the format.
void AnalyzeTemplateFile(const ByteSource& src, std::string_view name, ScanContext& ctx) {
  if (src.size() > ctx.limits().max_json_bytes) {
    ctx.Undecide("chat template larger than " + std::to_string(ctx.limits().max_json_bytes) + " bytes");
    return;
  }
  std::string body;
  if (!src.ReadAt(0, src.size(), &body)) {
    ctx.Undecide("read error");
    return;
  }
  AuditChatTemplate(body, name, ctx);
}

// Text files are inert unless a loader would accept them as a pickle
// (protocol 0 is printable) or they are a chat template.
void AnalyzeTextOrUnknown(const ByteSource& src, std::string_view name, Format format,
                          ScanContext& ctx) {
  if (ProbePickle(src, ctx.limits())) {
    ctx.SetFormat(Format::kPickle);
    AnalyzePickle(src, ctx);
    return;
  }
  if (format == Format::kText && EndsWith(name, ".jinja")) {
    AnalyzeTemplateFile(src, name, ctx);
    return;
  }
  if (format == Format::kUnknown) {
    // Not a pickle (probed above), archive or known model format: no loader we
    // know runs code from it. Say so rather than stay silent.
    ctx.Add("format/unrecognized", Severity::kInfo,
            "binary data of no recognised model format (e.g. a tokenizer.model protobuf); "
            "no pickle or archive structure found");
  }
}

}  // namespace

void AnalyzeBlob(const ByteSource& src, std::string_view name, ScanContext& ctx) {
  if (ctx.depth() > ctx.limits().max_archive_depth) {
    ctx.Undecide("archive nesting deeper than " + std::to_string(ctx.limits().max_archive_depth) +
                 " levels");
    return;
  }
  Format format = SniffFormat(src);
  ctx.SetFormat(format);
  switch (format) {
    case Format::kEmpty:
      return;
    case Format::kSafeTensors:
      AnalyzeSafeTensors(src, ctx);
      break;
    case Format::kPickle:
      AnalyzePickle(src, ctx);
      break;
    case Format::kZip:
    case Format::kPyTorchZip:
    case Format::kNpz:
    case Format::kKeras:
      AnalyzeZip(src, ctx);
      return;  // a ZIP cannot also carry a trailing ZIP worth reporting twice
    case Format::kGzip:
    case Format::kXz:
    case Format::kBzip2:
    case Format::kSevenZip:
    case Format::kTar:
    case Format::kPyTorchTar:
      AnalyzeArchive(src, format, ctx);
      break;
    case Format::kNumpy:
      AnalyzeNumpy(src, ctx);
      break;
    case Format::kGguf:
      AnalyzeGguf(src, ctx);
      break;
    case Format::kHdf5:
      AnalyzeHdf5(src, ctx);
      break;
    case Format::kOnnx:
      AnalyzeOnnx(src, ctx);
      break;
    case Format::kJson:
      if (EndsWith(name, ".jinja")) {
        AnalyzeTemplateFile(src, name, ctx);
      } else {
        AnalyzeJson(src, name, ctx);
      }
      break;
    case Format::kText:
    case Format::kUnknown:
      AnalyzeTextOrUnknown(src, name, format, ctx);
      break;
  }
  // torch.load decides by the first bytes, zipfile-based scanners by the
  // trailer: a file that is both is a known scanner bypass.
  if (HasZipTrailer(src)) {
    ctx.Add("zip/polyglot", Severity::kHigh,
            "file is read as " + std::string(FormatName(format)) +
                " from its start but also ends with a ZIP archive; loaders disagree on what it is");
    ScanContext inner = ctx.Child("<trailing zip>");
    AnalyzeZip(src, inner);
  }
}

}  // namespace modelgate::scanners
