// Time for status fields: an injectable wall clock and the RFC 3339 form the API uses.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace modelgate::controller {

using TimePoint = std::chrono::system_clock::time_point;

// Returns "now". Production code passes SystemClock(); tests pass a fake.
using Clock = std::function<TimePoint()>;

// The system wall clock.
Clock SystemClock();

// "2024-05-01T12:00:00Z" (UTC, whole seconds: the precision of metav1.Time).
std::string FormatTime(TimePoint t);

// Parses FormatTime's form (fractional seconds and "Z" only); nullopt otherwise.
std::optional<TimePoint> ParseTime(const std::string& text);

}  // namespace modelgate::controller
