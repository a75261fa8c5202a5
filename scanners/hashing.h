// SHA-256 of files and buffers (OpenSSL EVP), streamed, files in parallel.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "scanners/status.h"

namespace modelgate::scanners {

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// Raw 32-byte SHA-256 of `data`.
std::string Sha256Raw(std::string_view data);

// Lowercase hex SHA-256 of the file at `path`, read in 1 MiB chunks (memory
// stays constant whatever the size). `on_bytes`, if set, is called after each
// chunk with the chunk size (progress reporting); it may be called from the
// hashing thread. Error when the file cannot be opened or read.
Result<std::string> Sha256File(const std::string& path,
                               const std::function<void(uint64_t)>& on_bytes = {});

// Hashes `paths` with up to `threads` workers (0: one per core). Results come
// back in the order of `paths`. Thread-safe `on_bytes` as above.
std::vector<Result<std::string>> Sha256Files(const std::vector<std::string>& paths,
                                             unsigned threads = 0,
                                             const std::function<void(uint64_t)>& on_bytes = {});

// Lowercase hex of raw bytes.
std::string HexEncode(std::string_view raw);

}  // namespace modelgate::scanners
