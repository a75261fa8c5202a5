// Model file formats, recognised from content (never from the file name).
#pragma once

#include <string_view>

#include "scanners/source.h"

namespace modelgate::scanners {

enum class Format {
  kUnknown,       // binary data no loader we know of accepts
  kEmpty,         // zero bytes
  kSafeTensors,
  kPickle,        // raw pickle stream(s), including legacy torch.save stacks
  kPyTorchZip,    // torch.save zip layout (archive/data.pkl + data/N)
  kPyTorchTar,    // pre-1.6 torch tar layout (sys_info, pickle, storages, tensors)
  kNumpy,         // .npy
  kNpz,           // zip of .npy members
  kGguf,
  kGzip,
  kXz,
  kBzip2,
  kSevenZip,
  kTar,
  kZip,
  kHdf5,          // Keras .h5 (HDF5 container)
  kKeras,         // Keras v3 .keras (zip with config.json)
  kOnnx,
  kJson,
  kText,
};

// Stable lowercase name used in JSON output and the CRD: "safetensors", "pickle",
// "pytorch-zip", "pytorch-tar", "numpy", "npz", "gguf", "gzip", "xz", "bzip2",
// "7z", "tar", "zip", "hdf5", "keras", "onnx", "json", "text", "empty", "unknown".
std::string_view FormatName(Format f);

// Guesses the container format from the first bytes of `src` (reads at most 1 KiB).
// Zip-based (pytorch-zip, npz, keras) and tar-based (pytorch-tar) refinements are
// decided by the archive analyzers, which look inside; this returns kZip / kTar.
// Plain text that might be a protocol-0 pickle is returned as kText; the dispatcher
// probes it.
Format SniffFormat(const ByteSource& src);

}  // namespace modelgate::scanners
