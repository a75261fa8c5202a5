#include "scanners/keras.h"

#include <gtest/gtest.h>

#include <string>

#include "scanners/context.h"
#include "scanners/source.h"

namespace modelgate::scanners {
namespace {

struct Outcome {
  FileReport report;
  const Finding* Get(const std::string& rule) const {
    for (const auto& f : report.findings) {
      if (f.rule == rule) return &f;
    }
    return nullptr;
  }
  std::string Reason() const { return report.undecided.empty() ? "" : report.undecided[0].reason; }
};

Outcome Audit(const std::string& json) {
  Outcome o;
  o.report.path = "model.keras!config.json";
  ScanLimits limits;
  ScanContext ctx(limits, &o.report);
  AuditKerasConfig(json, ctx);
  return o;
}

Outcome Hdf5(const std::string& bytes) {
  Outcome o;
  o.report.path = "model.h5";
  ScanLimits limits;
  ScanContext ctx(limits, &o.report);
  MemorySource src(bytes);
  AnalyzeHdf5(src, ctx);
  return o;
}

// Keras 3 Sequential with a Dense layer, as keras.saving writes it.
const char kBenign[] = R"({"module": "keras", "class_name": "Sequential", "config": {
  "name": "sequential", "layers": [
   {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4]},
    "registered_name": null},
   {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "units": 2,
    "activation": "relu", "kernel_initializer": {"module": "keras.initializers",
    "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
    "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
    "registered_name": null}}, "registered_name": null, "build_config": {"input_shape": [null, 4]}}
  ]}, "registered_name": null, "compile_config": {"optimizer": {"module": "keras.optimizers",
  "class_name": "Adam", "config": {"learning_rate": 0.001}, "registered_name": null}}})";

TEST(KerasConfig, BenignSequentialIsClean) {
  Outcome o = Audit(kBenign);
  EXPECT_TRUE(o.report.findings.empty());
  EXPECT_TRUE(o.report.undecided.empty()) << o.Reason();
}

TEST(KerasConfig, LambdaLayerIsCritical) {
  Outcome o = Audit(R"({"module":"keras","class_name":"Sequential","config":{"layers":[
    {"module":"keras.layers","class_name":"Lambda","config":{"name":"exfil",
     "function":{"class_name":"__lambda__","config":{"code":"4wEAAAAAAAAA","defaults":null}}}}]}})");
  const Finding* f = o.Get("keras/lambda-layer");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::kCritical);
  EXPECT_NE(f->detail.find("'exfil'"), std::string::npos) << f->detail;
  EXPECT_EQ(o.report.findings.size(), 1u) << "one finding per rule";
}

TEST(KerasConfig, LegacyKeras2LambdaIsCritical) {
  Outcome o = Audit(R"({"class_name":"Model","config":{"layers":[{"class_name":"Lambda",
    "config":{"name":"l","function":["4wEAAAAA",null,null],"function_type":"lambda",
    "module":"__main__"}}]}})");
  EXPECT_NE(o.Get("keras/lambda-layer"), nullptr);
}

TEST(KerasConfig, CustomModuleIsHigh) {
  Outcome o = Audit(R"({"module":"my_pkg.layers","class_name":"MyLayer","config":{},
                      "registered_name":"MyPkg>MyLayer"})");
  const Finding* f = o.Get("keras/custom-object");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::kHigh);
}

TEST(KerasConfig, DangerousModuleIsCritical) {
  Outcome o = Audit(R"({"module":"os","class_name":"system","config":"id"})");
  EXPECT_NE(o.Get("keras/dangerous-module"), nullptr);
  EXPECT_EQ(o.Get("keras/custom-object"), nullptr);
  EXPECT_NE(Audit(R"({"module":"subprocess.Popen","class_name":"x"})").Get("keras/dangerous-module"),
            nullptr);
}

TEST(KerasConfig, GetFileFunctionIsHigh) {
  Outcome o = Audit(R"({"module":"keras.utils","class_name":"function","config":"get_file"})");
  EXPECT_NE(o.Get("keras/dangerous-function"), nullptr);
}

TEST(KerasConfig, MalformedUndecided) {
  EXPECT_NE(Audit("{\"class_name\": ").Reason().find("invalid JSON"), std::string::npos);
}

TEST(Hdf5, ModelConfigAttributeFoundAndAudited) {
  std::string file = std::string("\x89HDF\r\n\x1a\n", 8) + std::string(200, '\0') +
                     "model_config" + std::string(40, '\x01') +
                     R"({"class_name":"Sequential","config":{"layers":[{"class_name":"Lambda",)"
                     R"("config":{"name":"x","function":["AA",null,null],"function_type":"lambda"}}]}})" +
                     std::string(100, '\0');
  Outcome o = Hdf5(file);
  EXPECT_NE(o.Get("keras/lambda-layer"), nullptr);
  EXPECT_TRUE(o.report.undecided.empty()) << o.Reason();
}

TEST(Hdf5, BenignModelConfigIsClean) {
  std::string file = std::string("\x89HDF\r\n\x1a\n", 8) + "model_config\0\0" +
                     R"({"class_name":"Sequential","config":{"layers":[{"class_name":"Dense",)"
                     R"("config":{"name":"d","units":1}}]}})";
  Outcome o = Hdf5(file);
  EXPECT_TRUE(o.report.findings.empty());
  EXPECT_TRUE(o.report.undecided.empty()) << o.Reason();
}

TEST(Hdf5, NoModelConfigIsUndecidedNeverClean) {
  Outcome o = Hdf5(std::string("\x89HDF\r\n\x1a\n", 8) + std::string(1000, '\0'));
  EXPECT_NE(o.Reason().find("HDF5 contents not analysed"), std::string::npos);
  // An unterminated JSON object after the name is not "found" either.
  Outcome t = Hdf5(std::string("\x89HDF\r\n\x1a\n", 8) + "model_config{\"class_name\":\"X\"");
  EXPECT_NE(t.Reason().find("HDF5 contents not analysed"), std::string::npos);
}

}  // namespace
}  // namespace modelgate::scanners
