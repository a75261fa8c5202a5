// Fuzzes the webhook's request path without the network: DecodeAdmissionReview, then
// Review (workload extraction + Evaluate) against an in-memory cluster holding a
// scanned model, an unscanned one, NetworkPolicies, a labelled PVC and two policies.
// Any crash, hang or sanitizer report is a bug; every input must yield a response.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/admission_review.h"
#include "policy/cluster_view.h"
#include "policy/request.h"

namespace {
using namespace modelgate::policy;

const InMemoryClusterView& Cluster() {
  static const InMemoryClusterView* view = [] {
    auto* c = new InMemoryClusterView();
    ModelAdmission ok;
    ok.name = "llama";
    ok.namespace_name = "ml";
    ok.source.kind = ModelSource::Kind::kPvc;
    ok.source.claim_name = "models";
    ok.source.sub_path = "llama";
    ok.files.push_back({"model.safetensors", std::string(64, 'a')});
    ok.has_status = ok.has_scan = true;
    ok.phase = "Admitted";
    ok.scan_format = "safetensors";
    ok.scan_files.push_back({"model.safetensors", std::string(64, 'a'), "safetensors", 1});
    c->AddModelAdmission(ok);
    ModelAdmission fresh;
    fresh.name = "fresh";
    fresh.namespace_name = "ml";
    fresh.source.kind = ModelSource::Kind::kHostPath;
    fresh.source.host_path = "/mnt/models/fresh";
    c->AddModelAdmission(fresh);
    NetworkPolicy np;
    np.name = "deny";
    np.namespace_name = "ml";
    np.egress = true;
    c->AddNetworkPolicy(np);
    c->AddPvc({"labelled", "ml", {{"modelgate.io/model", "llama"}}});
    AdmissionPolicy enforce = DefaultPolicy();
    enforce.name = "default";
    c->AddPolicy(enforce);
    AdmissionPolicy warn = DefaultPolicy();
    warn.name = "warn";
    warn.enforcement = Enforcement::kWarn;
    warn.applies_to = Scope::kAllWorkloads;
    warn.exemptions.push_back({"", "", "x*", {"*"}, "fuzz"});
    c->AddPolicy(warn);
    return c;
  }();
  return *view;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string uid;
  auto req = DecodeAdmissionReview(body, {}, &uid);
  if (!req.ok()) return 0;
  ReviewOutcome out = Review(*req, Cluster());
  (void)EncodeAdmissionReview(out.response).dump();
  return 0;
}
