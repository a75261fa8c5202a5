// OpenSSL's atexit cleanup is switched off before main (kube/openssl_lifetime.h).
#include "kube/openssl_lifetime.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

namespace modelgate::kube {
namespace {

// The static initialiser ran and OpenSSL accepted the flag, even though this test uses
// OpenSSL before calling the function: the call only links the initialiser in.
TEST(OpenSslLifetime, NoAtexitIsSetBeforeMain) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  ASSERT_EQ(EVP_Digest("x", 1, md, &len, EVP_sha256(), nullptr), 1);
  EXPECT_TRUE(KeepOpenSslUntilExit());
  EXPECT_TRUE(KeepOpenSslUntilExit());  // idempotent
}

}  // namespace
}  // namespace modelgate::kube
