// glibc malloc tuning for the webhook's request path.
//
// Every review builds and frees an nlohmann DOM of the ~5 KB body: thousands of small
// blocks per request. glibc's per-thread cache keeps only 7 free blocks per size, so most
// of that churn goes through the shared bins; once the heap is fragmented (10,000 packed
// ModelAdmissions decoded from temporaries, see model_admission_store.h) that costs
// ~60% more decision time. A per-thread cache of 1,000 blocks per size absorbs one
// request's churn (bench/webhook/README.md, "Allocator"): the decision is faster than
// before packing, for ~2 MB of memory.
//
// glibc reads tunables only from the environment at startup, so the webhook re-executes
// itself once with GLIBC_TUNABLES extended. An administrator's own tcache_count setting
// is left alone.
#pragma once

#include <string>

namespace modelgate::webhook {

inline constexpr const char* kTcacheTunable = "glibc.malloc.tcache_count=1000";

// The GLIBC_TUNABLES value to run with, given the current one (null when unset):
// `current` with kTcacheTunable appended, or "" when `current` already sets
// glibc.malloc.tcache_count (nothing to do).
std::string TunablesWithTcache(const char* current);

// When the tuning is not in effect yet: sets GLIBC_TUNABLES and replaces the process
// with the same binary and arguments (/proc/self/exe, /proc/self/cmdline); does not
// return then. Returns when the tuning is already in effect, or when re-executing is
// impossible (a warning on stderr says why; the webhook still works, only slower).
// Call before any thread starts.
void ReexecWithMallocTuning();

}  // namespace modelgate::webhook
