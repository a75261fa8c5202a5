#include "kube/openssl_lifetime.h"

#include <openssl/crypto.h>

namespace modelgate::kube {
namespace {
// Runs during static initialisation of any binary that links this file (see the header).
const bool kNoAtexit = OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr) == 1;
}  // namespace

bool KeepOpenSslUntilExit() { return kNoAtexit; }

}  // namespace modelgate::kube
