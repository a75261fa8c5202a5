// Scale: N ModelAdmissions (default 200, MODELGATE_BENCH_MODELS) converge. Prints the
// time from the first create to the last Admitted; bench/controller/README.md records it.
#include "fixture.h"

#include <cstdio>

namespace modelgate::controller::testing {
namespace {

class ConvergeIT : public ClusterTest {};

TEST_F(ConvergeIT, TwoHundredModelAdmissionsConverge) {
  int n = 200;
  if (const char* e = std::getenv("MODELGATE_BENCH_MODELS")) n = std::max(1, std::atoi(e));
  // Ten distinct model directories (a 1 MiB SafeTensors file each), shared by the models.
  std::string big = CleanSafetensors();
  {
    const std::string header = R"({"w":{"dtype":"F32","shape":[262144],"data_offsets":[0,1048576]}})";
    big.clear();
    for (int i = 0; i < 8; ++i) big.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xff));
    big += header + std::string(1048576, '\0');
  }
  for (int d = 0; d < 10; ++d) Write("m" + std::to_string(d) + "/model.safetensors", big);
  const std::string sha = Sha256Hex(big);

  ControllerOptions o = Options("bench");
  o.max_concurrent_scans = 4;
  auto c = StartController(o);
  ASSERT_TRUE(c);
  ASSERT_TRUE(WaitFor([&] { return c->IsLeader(); }, 20s));

  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    Apply(Model("model-" + std::to_string(i), (dir_ / ("m" + std::to_string(i % 10))).string(),
                {{{"path", "model.safetensors"}, {"sha256", sha}}}));
  }
  const auto created = std::chrono::steady_clock::now();
  kube::ListOptions all;
  int admitted = 0;
  const bool done = WaitFor(
      [&] {
        auto list = client_->List(ModelAdmissions(), ns_, all);
        if (!list.ok()) return false;
        admitted = 0;
        for (const auto& m : list.value()["items"])
          admitted += m.contains("status") && m["status"].value("phase", "") == "Admitted";
        return admitted == n;
      },
      300s);
  const auto t1 = std::chrono::steady_clock::now();
  EXPECT_TRUE(done) << admitted << "/" << n << " admitted";
  const double create_s = std::chrono::duration<double>(created - t0).count();
  const double total_s = std::chrono::duration<double>(t1 - t0).count();
  std::printf("BENCH models=%d workers=%d create=%.2fs converge=%.2fs scans=%lld bytes_hashed=%.0f\n", n,
              o.max_concurrent_scans, create_s, total_s, static_cast<long long>(c->scans_started()),
              c->metrics().BytesHashed());
  EXPECT_EQ(c->scans_started(), n) << "each model scanned exactly once";
}

}  // namespace
}  // namespace modelgate::controller::testing
