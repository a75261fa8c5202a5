// `modelgate check -f MANIFESTS... [--admissions DIR] [--policy FILE] [--output text|json|sarif]`
// Runs the webhook's decision over manifests, offline (user documentation: docs/check.md). Exit 0 when every workload
// would be admitted, 1 when one would be denied, 2 on unreadable input or usage error.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/flag_value.h"
#include "policy/evaluate.h"
#include "policy/manifests.h"
#include "scanners/sarif.h"

namespace {
using namespace modelgate::policy;
namespace fs = std::filesystem;

constexpr const char* kUsage =
    "usage: modelgate check -f MANIFESTS... [--admissions PATH] [--policy FILE]\n"
    "                      [--output text|json|sarif] [--namespace NS] [--disable MG0xx,...]\n"
    "                      [--own-namespace NS] [--scanner-image IMG]\n"
    "\n"
    "Runs the admission webhook's decision over manifests without a cluster.\n"
    "  -f, --filename  YAML/JSON files or directories (*.yaml, *.yml, *.json): every argument up to\n"
    "                  the next flag, repeatable (`-f k8s/*.yaml`); '-' is stdin\n"
    "                  (multi-document, kind: List, kustomize/helm output)\n"
    "  --admissions    file or directory of ModelAdmissions, NetworkPolicies, PVCs, Namespaces\n"
    "                  (e.g. `kubectl get ma,netpol,pvc -A -o yaml`); used for lookups, not judged;\n"
    "                  repeatable\n"
    "  --policy        ModelAdmissionPolicy file, repeatable; replaces every policy found in the\n"
    "                  manifests and --admissions (default: those policies, else the built-in\n"
    "                  default policy, Enforce)\n"
    "  --namespace     namespace of objects that name none (default \"default\")\n"
    "  --own-namespace the namespace modelgate is installed in; never judged, as the webhook\n"
    "                  never judges its own namespace (default: none)\n"
    "  --disable       rules to switch off for this run, e.g. MG002 before the first scan\n"
    "  --output        text (default), json (modelgate.io/check/v1), sarif (2.1.0)\n"
    "  --scanner-image the operator's scanner image, as the webhook's --scanner-image: pods of\n"
    "                  exactly the scan-Job shape running it skip the model rules\n"
    "Exit status: 0 every workload admitted, 1 a workload would be denied, 2 unreadable input or\n"
    "usage error. Documentation: docs/check.md.\n";

struct Input {
  std::string name;
  std::string text;
};

// Reads `path` ("-" = stdin; directories: their *.yaml/*.yml/*.json files, sorted).
bool ReadInputs(const std::string& path, std::vector<Input>& out, std::vector<std::string>& errors) {
  if (path == "-") {
    out.push_back({"<stdin>", std::string(std::istreambuf_iterator<char>(std::cin), {})});
    return true;
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      const auto ext = it->path().extension().string();
      if (it->is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) files.push_back(it->path());
    }
    if (ec) {
      errors.push_back(path + ": " + ec.message());
      return false;
    }
    std::sort(files.begin(), files.end());
    bool ok = true;
    for (const auto& f : files) ok = ReadInputs(f.string(), out, errors) && ok;
    return ok;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back(path + ": cannot open");
    return false;
  }
  out.push_back({path, std::string(std::istreambuf_iterator<char>(in), {})});
  return true;
}

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out += prefix + line + "\n";
  return out;
}

std::string FileOf(const std::string& origin) { return origin.substr(0, origin.rfind('#')); }

struct Judged {
  const Workload* w;
  std::string origin;
  Decision d;
};

void PrintText(const std::vector<Judged>& judged, const ManifestSet& set) {
  size_t denied = 0, warned = 0;
  for (const auto& j : judged) {
    const Decision& d = j.d;
    std::string head = j.w->kind + " \"" + j.w->name + "\" in namespace \"" + j.w->namespace_name + "\" (" +
                       j.origin + "): ";
    if (!d.evaluated) head += "not evaluated: " + d.skip_reason;
    else if (!d.allowed) head += "DENIED";
    else if (!d.warnings.empty()) head += "admitted with warnings";
    else head += "admitted";
    denied += !d.allowed;
    warned += d.allowed && !d.warnings.empty();
    std::printf("%s\n", head.c_str());
    for (const auto& v : d.violations) {
      const char* mode = v.enforcement == Enforcement::kEnforce ? "deny" : v.enforcement == Enforcement::kWarn ? "warn" : "audit";
      std::printf("  [%s] %s\n", mode, v.Line().c_str());
    }
    for (const auto& v : d.exempted)
      std::printf("  [exempt] %s (exemption: %s)\n", v.Line().c_str(), v.exemption_reason.c_str());
    for (const auto& n : d.notes) std::printf("  [note] %s\n", n.c_str());
    for (const auto& v : d.violations)
      if (!v.snippet.empty()) std::printf("  Register the model with (kubectl apply -f -):\n%s", Indent(v.snippet, "    ").c_str());
  }
  for (const auto& w : set.warnings) std::printf("warning: %s\n", w.c_str());
  std::printf("%zu workload(s): %zu denied, %zu admitted with warnings\n", judged.size(), denied, warned);
}

nlohmann::json ToJson(const std::vector<Judged>& judged, const ManifestSet& set) {
  nlohmann::json j = {{"apiVersion", "modelgate.io/check/v1"}, {"workloads", nlohmann::json::array()},
                      {"errors", set.errors}, {"warnings", set.warnings}};
  size_t denied = 0;
  for (const auto& x : judged) {
    denied += !x.d.allowed;
    j["workloads"].push_back({{"kind", x.w->kind}, {"name", x.w->name}, {"namespace", x.w->namespace_name},
                              {"origin", x.origin}, {"decision", DecisionToJson(x.d)}});
  }
  j["summary"] = {{"workloads", judged.size()}, {"denied", denied}};
  return j;
}

nlohmann::json ToSarif(const std::vector<Judged>& judged) {
  using modelgate::scanners::SarifLocation;
  using modelgate::scanners::SarifRule;
  nlohmann::json rules = nlohmann::json::array();
  for (auto id : kRuleIds) {
    const std::string rid(id), title(RuleTitle(id));
    rules.push_back(SarifRule(rid, title,
                              rid + ": " + title + ". What the rule checks and how to fix it: docs/rules.md (" +
                                  rid + ") in the modelgate source. Each result's message ends with the fix "
                                  "for that workload."));
  }
  nlohmann::json results = nlohmann::json::array();
  for (const auto& x : judged) {
    for (const auto& v : x.d.violations) {
      const char* level = v.enforcement == Enforcement::kEnforce ? "error"
                          : v.enforcement == Enforcement::kWarn  ? "warning"
                                                                 : "note";
      std::string text = v.Line();
      if (!v.snippet.empty()) text += "\n" + v.snippet;
      results.push_back({{"ruleId", v.rule},
                         {"level", level},
                         {"message", {{"text", text}}},
                         {"locations", nlohmann::json::array({SarifLocation(
                                           FileOf(x.origin), x.w->namespace_name + "/" + x.w->kind + "/" + x.w->name,
                                           "object")})}});
    }
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs",
           {{{"tool", {{"driver", {{"name", "modelgate"}, {"version", MODELGATE_VERSION}, {"rules", rules}}}}},
             {"results", results}}}}};
}

bool IsPolicy(const nlohmann::json& object) {
  auto kind = object.find("kind");
  return object.is_object() && kind != object.end() && *kind == "ModelAdmissionPolicy";
}

int RunCheck(int argc, char** argv) {
  std::vector<std::string> files, admissions, policies;
  std::string output = "text", default_ns = "default";
  EvaluateOptions options;
  // After -f, every argument up to the next flag is a manifest too, so a shell glob
  // (`-f k8s/*.yaml`) works; "-" (stdin) is such an argument, not a flag.
  bool in_files = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (in_files && (a == "-" || a.empty() || a[0] != '-')) {
      files.push_back(a);
      continue;
    }
    in_files = false;
    auto value = [&] { return ::modelgate::cli::FlagValue(argc, argv, &i, "check", kUsage); };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    const bool takes_value = a == "-f" || a == "--filename" || a == "--admissions" || a == "--policy" ||
                             a == "--output" || a == "-o" || a == "--namespace" || a == "-n" || a == "--disable" ||
                             a == "--own-namespace" || a == "--scanner-image";
    if (!takes_value) {
      std::fprintf(stderr, "modelgate check: unknown argument '%s'\n%s", a.c_str(), kUsage);
      return 2;
    }
    const char* v = value();
    if (!v) return 2;
    if (a == "-f" || a == "--filename") {
      files.push_back(v);
      in_files = true;
    }
    else if (a == "--admissions") admissions.push_back(v);
    else if (a == "--policy") policies.push_back(v);
    else if (a == "--namespace" || a == "-n") default_ns = v;
    else if (a == "--own-namespace") options.own_namespace = v;
    else if (a == "--scanner-image") {
      if (*v == '\0') {
        std::fprintf(stderr, "modelgate check: --scanner-image needs a non-empty image reference\n");
        return 2;
      }
      options.scanner_image = v;
    }
    else if (a == "--disable") {
      std::stringstream ss(v);
      for (std::string id; std::getline(ss, id, ',');) {
        if (!IsRuleId(id)) {
          std::fprintf(stderr, "modelgate check: --disable: unknown rule '%s'\n", id.c_str());
          return 2;
        }
        options.disabled_rules.insert(id);
      }
    } else {
      output = v;
      if (output != "text" && output != "json" && output != "sarif") {
        std::fprintf(stderr, "modelgate check: --output must be text, json or sarif, not '%s'\n", v);
        return 2;
      }
    }
  }
  if (files.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  ManifestSet set;
  std::vector<std::string> read_errors;
  // --policy replaces the policies of the inputs: a user trying a Warn policy against a
  // `kubectl get` dump must not have the dump's Enforce policy win as the stricter one.
  const bool policy_given = !policies.empty();
  size_t given_policies = 0;
  auto load = [&](const std::vector<std::string>& paths, bool judge, bool from_policy_flag) {
    for (const auto& p : paths) {
      std::vector<Input> inputs;
      ReadInputs(p, inputs, read_errors);
      for (const auto& in : inputs) {
        auto objs = LoadManifests(in.text, in.name);
        if (!objs.ok()) {
          read_errors.push_back(objs.status().message());
          continue;
        }
        for (const auto& o : *objs) {
          if (IsPolicy(o.object)) {
            if (from_policy_flag) {
              ++given_policies;
            } else if (policy_given) {
              set.warnings.push_back("the ModelAdmissionPolicy at " + o.origin + " is not used: --policy replaces it");
              continue;
            }
          }
          AddToManifestSet(o, default_ns, judge, set);
        }
      }
    }
  };
  load(policies, false, true);
  if (policy_given && given_policies == 0 && read_errors.empty())
    read_errors.push_back("--policy: no ModelAdmissionPolicy in the given file(s)");
  load(admissions, false, false);
  load(files, true, false);
  read_errors.insert(read_errors.end(), set.errors.begin(), set.errors.end());
  set.errors = read_errors;
  for (const auto& e : set.errors) std::fprintf(stderr, "modelgate check: %s\n", e.c_str());

  std::vector<Judged> judged;
  bool denied = false;
  for (const auto& [w, origin] : set.workloads) {
    judged.push_back({&w, origin, Evaluate(w, set.cluster, options)});
    denied = denied || !judged.back().d.allowed;
  }
  if (output == "json") std::puts(ToJson(judged, set).dump(2).c_str());
  else if (output == "sarif") std::puts(ToSarif(judged).dump(2).c_str());
  else PrintText(judged, set);
  if (!set.errors.empty()) return 2;
  return denied ? 1 : 0;
}

}  // namespace

MODELGATE_COMMAND("check", "judge manifests offline as the admission webhook would (exit 0 admitted, 1 denied)",
                  RunCheck);
