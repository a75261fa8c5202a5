#include "webhook/io_threads.h"

#include <pplx/threadpool.h>

#include <stdexcept>
#include <string>

namespace modelgate::webhook {

Status SetIoThreads(size_t n) {
  if (n < kMinIoThreads) {
    return Status::Error("I/O threads must be at least " + std::to_string(kMinIoThreads) + ", got " +
                         std::to_string(n));
  }
  try {
    crossplat::threadpool::initialize_with_threads(n);
  } catch (const std::exception& e) {
    // cpprestsdk refuses once its pool exists (first use creates it with 40 threads).
    return Status::Error(std::string("cannot size the I/O thread pool: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace modelgate::webhook
