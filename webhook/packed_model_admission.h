// A ModelAdmission packed into one byte string, for the webhook's cache of every
// ModelAdmission in the cluster. Decoded, one ModelAdmission is ~60 heap blocks (a
// 1.1 KB struct, a string per path, SHA-256 and message, three vectors) and about
// 5 KB of heap; packed, it is one block of ~1 KB (SHA-256s as their 32 bytes). The
// decision reads a few ModelAdmissions per request, so they are unpacked on lookup
// (a few microseconds) instead of being kept decoded. Internal format: written and read
// by this build only, never stored or sent anywhere.
#pragma once

#include <string>
#include <string_view>

#include "policy/objects.h"

namespace modelgate::webhook {

// Every field of `ma`, in one string.
std::string PackModelAdmission(const policy::ModelAdmission& ma);

// The ModelAdmission that PackModelAdmission was given, field for field. `packed` must
// be a PackModelAdmission result; anything else (truncated bytes) yields a
// ModelAdmission with the fields read so far and the rest empty, never a crash.
policy::ModelAdmission UnpackModelAdmission(std::string_view packed);

}  // namespace modelgate::webhook
