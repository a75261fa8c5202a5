// Status conditions the Kubernetes way (cert-manager's conditions.go): one entry per
// type; lastTransitionTime changes only when the status flips; observedGeneration says
// which spec generation the condition describes.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/clock.h"

namespace modelgate::controller {

// Condition types of a ModelAdmission, in the order they are written.
inline constexpr const char* kCondScanned = "Scanned";
inline constexpr const char* kCondHashesMatch = "HashesMatch";
inline constexpr const char* kCondSignatureVerified = "SignatureVerified";
inline constexpr const char* kCondFormatAllowed = "FormatAllowed";
inline constexpr const char* kCondReady = "Ready";

struct Condition {
  std::string type;
  std::string status;  // "True" | "False" | "Unknown"
  std::string reason;  // CamelCase, machine-readable
  std::string message; // one sentence for humans
};

// Sets `c` in `conditions` (a JSON array of metav1.Condition; null is treated as empty
// and becomes an array). An existing entry of the same type is updated in place: its
// lastTransitionTime is kept when the status did not change, set to `now` when it did.
// A new entry is appended with lastTransitionTime = now.
void SetCondition(nlohmann::json& conditions, const Condition& c, int64_t observed_generation,
                  TimePoint now);

// The entry of `type` in `conditions`, or nullptr.
const nlohmann::json* FindCondition(const nlohmann::json& conditions, const std::string& type);

}  // namespace modelgate::controller
