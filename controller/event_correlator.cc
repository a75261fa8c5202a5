#include "controller/event_correlator.h"

#include <algorithm>
#include <list>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace modelgate::controller {

using nlohmann::json;

namespace {

// A map of at most `capacity` entries that forgets the least recently used one. Each
// key is stored once (the recency list points at the map's own key).
template <typename V>
class Lru {
 public:
  explicit Lru(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

  // The entry of `key` (now the most recent), or nullptr.
  V* Find(const std::string& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.pos);
    return &it->second.value;
  }

  // Sets `key` to `value` as the most recent entry, evicting the oldest when full.
  V& Put(const std::string& key, V value) {
    if (V* v = Find(key)) return *v = std::move(value);
    if (map_.size() >= capacity_) {
      map_.erase(*order_.back());
      order_.pop_back();
    }
    auto it = map_.emplace(key, Node{std::move(value), {}}).first;
    order_.push_front(&it->first);
    it->second.pos = order_.begin();
    return it->second.value;
  }

  size_t size() const { return map_.size(); }

 private:
  struct Node {
    V value;
    typename std::list<const std::string*>::iterator pos;
  };
  size_t capacity_;
  std::list<const std::string*> order_;  // most recent first; unordered_map keys do not move
  std::unordered_map<std::string, Node> map_;
};

struct Observation {
  std::string name;             // the Event object written for this key
  std::string first_timestamp;  // its firstTimestamp
  int64_t count = 0;            // occurrences so far (including held-back ones)
  TimePoint last;               // the latest occurrence
};

struct Bucket {
  double tokens = 0;
  TimePoint last;  // when `tokens` was last refilled
};

std::string Str(const json& o, const char* key) {
  return o.is_object() && o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : "";
}

}  // namespace

struct EventCorrelator::State {
  explicit State(const EventCorrelatorOptions& o) : opts(o), events(o.max_entries), objects(o.max_entries) {}
  EventCorrelatorOptions opts;
  std::mutex mu;
  Lru<Observation> events;  // guarded by mu
  Lru<Bucket> objects;      // guarded by mu
};

EventCorrelator::EventCorrelator(EventCorrelatorOptions opts) : state_(std::make_unique<State>(opts)) {}
EventCorrelator::~EventCorrelator() = default;

EventWrite EventCorrelator::Correlate(json event, TimePoint now) {
  const json& io = event.contains("involvedObject") ? event["involvedObject"] : json::object();
  // '\n' cannot occur in a uid, name, type, reason or component, so the fields cannot
  // run into each other; the message comes last.
  const std::string object_key = Str(io, "uid") + "\n" + Str(io, "namespace") + "\n" + Str(io, "name") + "\n" +
                                 Str(event.value("source", json::object()), "component");
  const std::string event_key =
      object_key + "\n" + Str(event, "type") + "\n" + Str(event, "reason") + "\n" + Str(event, "message");

  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  EventWrite w;
  Observation* seen = s.events.Find(event_key);
  if (seen != nullptr && now - seen->last <= s.opts.window) {
    seen->count += 1;
    seen->last = now;
    event["metadata"]["name"] = seen->name;
    event["firstTimestamp"] = seen->first_timestamp;
    event["count"] = seen->count;
    w.kind = EventWrite::Kind::kPatch;
  } else {
    s.events.Put(event_key, {Str(event["metadata"], "name"), Str(event, "firstTimestamp"), 1, now});
    event["count"] = 1;
    w.kind = EventWrite::Kind::kCreate;
  }

  const double refill = std::chrono::duration<double>(s.opts.spam_refill).count();
  Bucket* b = s.objects.Find(object_key);
  if (b == nullptr) b = &s.objects.Put(object_key, {static_cast<double>(s.opts.spam_burst), now});
  if (refill > 0 && now > b->last)
    b->tokens = std::min<double>(s.opts.spam_burst, b->tokens + std::chrono::duration<double>(now - b->last).count() / refill);
  b->last = std::max(b->last, now);
  if (b->tokens >= 1) {
    b->tokens -= 1;
  } else {
    w.kind = EventWrite::Kind::kDrop;
  }
  w.event = std::move(event);
  return w;
}

size_t EventCorrelator::events_cached() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->events.size();
}

size_t EventCorrelator::objects_cached() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->objects.size();
}

}  // namespace modelgate::controller
