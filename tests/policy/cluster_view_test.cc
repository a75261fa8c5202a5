// NormalizePath (the key every hostPath/subPath/file comparison goes through) and
// SourceKey.
#include <gtest/gtest.h>

#include "policy/cluster_view.h"

namespace modelgate::policy {
namespace {

struct PathCase {
  const char* in;
  const char* want;
};

TEST(NormalizePath, CollapsesSlashesAndDots) {
  const PathCase cases[] = {
      {"", ""},
      {"/", "/"},
      {"//", "/"},
      {"/./", "/"},
      {".", ""},
      {"./", ""},
      {"a", "a"},
      {"a/", "a"},
      {"./a/./b/", "a/b"},
      {"/a//b/./c/", "/a/b/c"},
      {"/models/llama", "/models/llama"},
      {"///models///llama///", "/models/llama"},
      {"a/../b", "a/../b"},  // ".." is kept: callers treat it as unresolvable
      {"/a/..", "/a/.."},
      {"..a/.b/c.", "..a/.b/c."},
  };
  for (const auto& c : cases) EXPECT_EQ(NormalizePath(c.in), c.want) << "input \"" << c.in << "\"";
}

TEST(SourceKey, HostPathIsNormalisedOthersAreVerbatim) {
  ModelSource s;
  s.kind = ModelSource::Kind::kHostPath;
  s.host_path = "/models//llama/";
  EXPECT_EQ(SourceKey(s), "/models/llama");
  s.kind = ModelSource::Kind::kPvc;
  s.claim_name = "weights";
  EXPECT_EQ(SourceKey(s), "weights");
  s.kind = ModelSource::Kind::kNone;
  EXPECT_EQ(SourceKey(s), "");
}

}  // namespace
}  // namespace modelgate::policy
