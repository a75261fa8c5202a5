// The size of cpprestsdk's shared I/O thread pool, which runs the HTTPS server's
// connections and handlers and the Kubernetes client's requests and watches.
//
// cpprestsdk starts 40 threads by default. For a CPU-bound handler on a few cores
// that costs more than it serves: every hand-off between its asio and task threads
// wakes a sleeping thread, and with 40 of them a request pays ~18 context switches.
// Measured on 2 cores (bench/webhook/README.md, "Thread pool"): with 4 threads the
// webhook serves 1.7-2.5x the admission requests per second of 40, at 40-50% less CPU each.
#pragma once

#include <cstddef>

#include "scanners/status.h"

namespace modelgate::webhook {

// Fewer than 2 is refused: with one thread the listener cannot shut down (closing it
// waits on a task that needs a second thread).
inline constexpr size_t kMinIoThreads = 2;
inline constexpr size_t kDefaultIoThreads = 4;

// Starts the shared pool with `n` threads. Call once, before any HttpsServer or
// kube::Client is created; an error if `n` is below kMinIoThreads or the pool was
// already started (by an earlier call or by first use).
Status SetIoThreads(size_t n);

}  // namespace modelgate::webhook
