// Typed JSON member reads with field-path errors (policy/json_fields.h).
#include "policy/json_fields.h"

#include <gtest/gtest.h>

namespace modelgate::policy::internal {
namespace {

std::vector<std::string> Paths(const std::vector<Element>& elements) {
  std::vector<std::string> out;
  for (const auto& e : elements) out.push_back(e.path);
  return out;
}

TEST(ObjectsAt, ObjectElementsInOrderWithTheirPaths) {
  const json spec = json::parse(R"({"volumes": [{"name": "a"}, {"name": "b"}]})");
  FieldErrors errs;
  const auto items = ObjectsAt(spec, "volumes", "spec", errs);
  EXPECT_TRUE(errs.empty());
  EXPECT_EQ(Paths(items), (std::vector<std::string>{"spec.volumes[0]", "spec.volumes[1]"}));
  EXPECT_EQ(items[1].value->at("name"), "b");
  EXPECT_EQ(items[1].value, &spec["volumes"][1]);  // points into the document, no copy
}

TEST(ObjectsAt, OtherElementsAreErrorsAndLeftOut) {
  const json spec = json::parse(R"({"files": [1, {"path": "x"}, "y", null, []]})");
  FieldErrors errs;
  const auto items = ObjectsAt(spec, "files", "", errs);
  EXPECT_EQ(Paths(items), (std::vector<std::string>{"files[1]"}));
  EXPECT_EQ(errs.list(), (std::vector<std::string>{"files[0]: expected an object", "files[2]: expected an object",
                                                   "files[3]: expected an object", "files[4]: expected an object"}));
}

TEST(ObjectsAt, AbsentNullAndEmptyAreNoElementsWithoutError) {
  const json spec = json::parse(R"({"a": null, "b": []})");
  FieldErrors errs;
  EXPECT_TRUE(ObjectsAt(spec, "a", "spec", errs).empty());
  EXPECT_TRUE(ObjectsAt(spec, "b", "spec", errs).empty());
  EXPECT_TRUE(ObjectsAt(spec, "missing", "spec", errs).empty());
  EXPECT_TRUE(ObjectsAt(json("not an object"), "a", "spec", errs).empty());
  EXPECT_TRUE(errs.empty());
}

TEST(ObjectsAt, AMemberThatIsNotAListIsAnError) {
  const json spec = json::parse(R"({"egress": {"to": []}})");
  FieldErrors errs;
  EXPECT_TRUE(ObjectsAt(spec, "egress", "spec", errs).empty());
  EXPECT_EQ(errs.list(), (std::vector<std::string>{"spec.egress: expected a list"}));
}

}  // namespace
}  // namespace modelgate::policy::internal
