// Decides which API write one Kubernetes Event becomes, as client-go's EventCorrelator
// (tools/record/events_cache.go) does, so a model that keeps failing does not add an
// Event object per attempt and cannot write Events without bound:
//
// - Aggregation: a repeat of an Event (same involved object uid, namespace and name,
//   type, reason, message and source component) seen again within `window` of its
//   previous occurrence updates the Event already written (count + 1, lastTimestamp)
//   instead of creating a new one. client-go's logger has no window (only its LRU); ours
//   makes a repeat after `window` start a new Event, because the API server deletes Events
//   `--event-ttl` (default 1 h) after their last write and patching a deleted one costs a
//   404 and a create.
// - Spam filter: a token bucket per involved object (client-go's
//   EventSourceObjectSpamFilter: burst 25, one more token every 5 minutes). An Event
//   that finds the bucket empty is not written; the repeat count still counts it, so the
//   next write carries the true number of occurrences.
//
// Both caches are LRUs of `max_entries`, so memory stays bounded however many objects
// there are. Pure: no I/O; the caller sends the write (events.h). Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/clock.h"

namespace modelgate::controller {

struct EventCorrelatorOptions {
  // Distinct Events and distinct objects remembered (two LRUs of this size, each entry
  // a few hundred bytes). client-go uses 4096; ours is larger so that 10,000 models
  // failing in turn (each one's repeat comes after every other model's) still hit.
  size_t max_entries = 16384;
  // A repeat within this long of the previous occurrence updates that Event. Longer than
  // the default retry cap (1000 s), so a model failing at the cap keeps one Event; shorter
  // than the API server's default --event-ttl (1 h), so the Event still exists.
  std::chrono::milliseconds window = std::chrono::minutes(30);
  // Per involved object: at most `spam_burst` Events at once, then one per `spam_refill`.
  int spam_burst = 25;
  std::chrono::milliseconds spam_refill = std::chrono::minutes(5);
};

// One decision. `event` is the complete Event to write: for kPatch it carries the name,
// firstTimestamp and count of the Event being updated (so that, if the patch finds it
// gone, the same object can be created again, as client-go does).
struct EventWrite {
  enum class Kind {
    kCreate,  // POST `event`
    kPatch,   // PATCH `event`'s count and lastTimestamp onto the Event of that name
    kDrop,    // the spam filter holds it back: write nothing
  };
  Kind kind = Kind::kCreate;
  nlohmann::json event;
};

class EventCorrelator {
 public:
  explicit EventCorrelator(EventCorrelatorOptions opts = {});
  ~EventCorrelator();

  // Correlates `event` (as BuildEvent returns it: metadata.name, involvedObject, type,
  // reason, message, source, first/lastTimestamp, count 1) observed at `now`, records the
  // observation and returns the write to send.
  EventWrite Correlate(nlohmann::json event, TimePoint now);

  // Entries in the two caches (for tests of the bound).
  size_t events_cached() const;
  size_t objects_cached() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace modelgate::controller
