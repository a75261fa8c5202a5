// Event aggregation and the per-object spam filter, with a fake clock.
#include "controller/event_correlator.h"

#include <gtest/gtest.h>

#include "controller/events.h"

namespace modelgate::controller {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Kind = EventWrite::Kind;

TimePoint T(std::chrono::milliseconds t) { return TimePoint(std::chrono::seconds(1'700'000'000) + t); }

json Model(const std::string& name, const std::string& uid = "") {
  return {{"apiVersion", "modelgate.io/v1alpha1"},
          {"kind", "ModelAdmission"},
          {"metadata", {{"name", name}, {"namespace", "ml"}, {"uid", uid.empty() ? "uid-" + name : uid}}}};
}

json Failed(const json& model, TimePoint now, const std::string& message = "model path /x does not exist") {
  return BuildEvent(model, "Warning", "ScanFailed", message, "modelgate-controller", "pod-1", now);
}

TEST(EventCorrelator, RepeatsWithinTheWindowUpdateTheFirstEvent) {
  EventCorrelator c;
  const json m = Model("llama");
  const EventWrite first = c.Correlate(Failed(m, T(0s)), T(0s));
  ASSERT_EQ(first.kind, Kind::kCreate);
  EXPECT_EQ(first.event["count"], 1);
  const std::string name = first.event["metadata"]["name"];

  for (int i = 2; i <= 5; ++i) {
    const TimePoint now = T(std::chrono::minutes(10 * i));
    const EventWrite w = c.Correlate(Failed(m, now), now);
    ASSERT_EQ(w.kind, Kind::kPatch) << i;
    EXPECT_EQ(w.event["metadata"]["name"], name) << "the Event already written";
    EXPECT_EQ(w.event["count"], i);
    EXPECT_EQ(w.event["firstTimestamp"], first.event["firstTimestamp"]);
    EXPECT_EQ(w.event["lastTimestamp"], FormatTime(now));
  }
  EXPECT_EQ(c.events_cached(), 1u);
}

TEST(EventCorrelator, ARepeatAfterTheWindowStartsANewEvent) {
  EventCorrelatorOptions o;
  o.window = 30min;
  EventCorrelator c(o);
  const json m = Model("llama");
  const EventWrite first = c.Correlate(Failed(m, T(0s)), T(0s));
  EXPECT_EQ(c.Correlate(Failed(m, T(30min)), T(30min)).kind, Kind::kPatch) << "the window is inclusive";
  const EventWrite late = c.Correlate(Failed(m, T(61min)), T(61min));
  ASSERT_EQ(late.kind, Kind::kCreate) << "31 minutes after the previous occurrence";
  EXPECT_NE(late.event["metadata"]["name"], first.event["metadata"]["name"]);
  EXPECT_EQ(late.event["count"], 1);
}

TEST(EventCorrelator, DifferentMessageReasonTypeOrObjectIsADifferentEvent) {
  EventCorrelator c;
  const json m = Model("llama");
  EXPECT_EQ(c.Correlate(Failed(m, T(0s)), T(0s)).kind, Kind::kCreate);
  EXPECT_EQ(c.Correlate(Failed(m, T(1s), "scan timed out"), T(1s)).kind, Kind::kCreate);
  EXPECT_EQ(c.Correlate(BuildEvent(m, "Normal", "ScanStarted", "model path /x does not exist", "modelgate-controller",
                                   "pod-1", T(2s)),
                        T(2s))
                .kind,
            Kind::kCreate);
  EXPECT_EQ(c.Correlate(Failed(Model("llama", "uid-recreated"), T(3s)), T(3s)).kind, Kind::kCreate)
      << "a deleted and recreated model is another object";
  EXPECT_EQ(c.Correlate(Failed(m, T(4s)), T(4s)).kind, Kind::kPatch);
  EXPECT_EQ(c.events_cached(), 4u);
}

// client-go's EventSourceObjectSpamFilter: burst 25, then one per 5 minutes per object.
// A retry loop far faster than that cannot write more.
TEST(EventCorrelator, SpamFilterBoundsWritesPerObject) {
  EventCorrelator c;
  const json m = Model("llama");
  int written = 0, held = 0;
  int64_t last_count = 0;
  for (int i = 0; i < 100; ++i) {  // one failure a second
    const TimePoint now = T(std::chrono::seconds(i));
    const EventWrite w = c.Correlate(Failed(m, now), now);
    if (w.kind == Kind::kDrop) {
      ++held;
    } else {
      ++written;
      last_count = w.event["count"];
    }
  }
  EXPECT_EQ(written, 25);
  EXPECT_EQ(held, 75);
  EXPECT_EQ(last_count, 25);
  // Another model has its own bucket.
  EXPECT_NE(c.Correlate(Failed(Model("other"), T(100s)), T(100s)).kind, Kind::kDrop);
  // Five minutes refill one token; the write carries every occurrence held back.
  const EventWrite w = c.Correlate(Failed(m, T(99s + 5min)), T(99s + 5min));
  ASSERT_EQ(w.kind, Kind::kPatch);
  EXPECT_EQ(w.event["count"], 101);
  EXPECT_EQ(c.Correlate(Failed(m, T(100s + 5min)), T(100s + 5min)).kind, Kind::kDrop);
}

TEST(EventCorrelator, CachesAreBoundedLeastRecentlyUsedFirst) {
  EventCorrelatorOptions o;
  o.max_entries = 3;
  EventCorrelator c(o);
  for (const char* n : {"a", "b", "c"}) c.Correlate(Failed(Model(n), T(0s)), T(0s));
  EXPECT_EQ(c.Correlate(Failed(Model("a"), T(1s)), T(1s)).kind, Kind::kPatch);  // a is now the most recent
  c.Correlate(Failed(Model("d"), T(2s)), T(2s));                                  // evicts b
  EXPECT_EQ(c.events_cached(), 3u);
  EXPECT_EQ(c.objects_cached(), 3u);
  EXPECT_EQ(c.Correlate(Failed(Model("a"), T(3s)), T(3s)).kind, Kind::kPatch);
  EXPECT_EQ(c.Correlate(Failed(Model("b"), T(4s)), T(4s)).kind, Kind::kCreate) << "forgotten";
  EXPECT_EQ(c.events_cached(), 3u);
}

}  // namespace
}  // namespace modelgate::controller
