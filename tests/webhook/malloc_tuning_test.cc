#include "webhook/malloc_tuning.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

namespace modelgate::webhook {
namespace {

TEST(TunablesWithTcache, AddsTheTcacheCountToWhateverIsSet) {
  EXPECT_EQ(TunablesWithTcache(nullptr), "glibc.malloc.tcache_count=1000");
  EXPECT_EQ(TunablesWithTcache(""), "glibc.malloc.tcache_count=1000");
  EXPECT_EQ(TunablesWithTcache("glibc.malloc.arena_max=2"),
            "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=1000");
}

TEST(TunablesWithTcache, LeavesAnAdministratorsOwnSettingAlone) {
  EXPECT_EQ(TunablesWithTcache("glibc.malloc.tcache_count=7"), "");
  EXPECT_EQ(TunablesWithTcache("glibc.malloc.arena_max=2:glibc.malloc.tcache_count=50"), "");
}

// This test binary itself re-executes with the same arguments (so the same gtest filter;
// after the exec the call returns): afterwards the tunable is in the environment the
// process, and so glibc, started with, i.e. in /proc/self/environ.
TEST(ReexecWithMallocTuning, RestartsOnceWithTheTunableInEffect) {
  ReexecWithMallocTuning();
  std::ifstream in("/proc/self/environ", std::ios::binary);
  const std::string environ((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(environ.find("GLIBC_TUNABLES="), std::string::npos);
  EXPECT_NE(environ.find("glibc.malloc.tcache_count="), std::string::npos);
  ReexecWithMallocTuning();  // returns: already in effect
}

}  // namespace
}  // namespace modelgate::webhook
