#include "scanners/scan.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <thread>

#include "scanners/dispatch.h"
#include "scanners/hashing.h"
#include "scanners/source.h"

namespace modelgate::scanners {
namespace fs = std::filesystem;
namespace {

std::string NowRfc3339() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// One file to scan: where its bytes are and how it is displayed.
struct Job {
  std::string display;   // path in the report
  std::string real;      // path to open (the symlink target when followed)
  uint64_t size = 0;
  std::vector<Finding> pre_findings;  // from the directory walk
};

bool IsInside(const fs::path& root, const fs::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

// Walks `dir`, appending one Job per file. Errors become report errors.
void WalkDirectory(const std::string& given, std::vector<Job>* jobs, ScanReport* report) {
  std::error_code ec;
  fs::path root = fs::weakly_canonical(given, ec);
  fs::recursive_directory_iterator it(given, fs::directory_options::none, ec), end;
  if (ec) {
    report->errors.push_back({given, "cannot read directory: " + ec.message()});
    return;
  }
  std::string prefix = given;
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  for (; it != end; it.increment(ec)) {
    if (ec) {
      report->errors.push_back({given, "directory walk failed: " + ec.message()});
      return;
    }
    const fs::directory_entry& e = *it;
    std::string rel = e.path().lexically_relative(given).generic_string();
    if (rel.rfind(".git/", 0) == 0 || rel == ".git") {  // VCS metadata is not model content
      if (e.is_directory()) it.disable_recursion_pending();
      continue;
    }
    Job job;
    job.display = prefix + "/" + rel;
    if (e.is_symlink()) {
      fs::path target = fs::weakly_canonical(e.path(), ec);
      if (ec || !fs::is_regular_file(target, ec)) {
        if (fs::is_directory(target, ec)) {
          report->errors.push_back({job.display, "symlink to a directory is not followed"});
        } else {
          report->errors.push_back({job.display, "broken or special symlink"});
        }
        continue;
      }
      if (!IsInside(root, target)) {
        job.pre_findings.push_back({"file/symlink-outside-root", Severity::kLow, job.display,
                                    "symlink resolves outside the scanned directory to " +
                                        target.string() +
                                        "; inside a container it may resolve elsewhere"});
      }
      job.real = target.string();
      job.size = fs::file_size(target, ec);
    } else if (e.is_regular_file()) {
      job.real = e.path().string();
      job.size = e.file_size(ec);
    } else if (e.is_directory()) {
      continue;
    } else {
      report->errors.push_back({job.display, "not a regular file (device, socket or fifo)"});
      continue;
    }
    // Hugging Face loads *.py next to the weights with trust_remote_code.
    if (rel.size() > 3 && rel.substr(rel.size() - 3) == ".py") {
      job.pre_findings.push_back({"hf/custom-code", Severity::kHigh, job.display,
                                  "Python code in a model directory runs when loaded with "
                                  "trust_remote_code=True; review it or remove it"});
    }
    jobs->push_back(std::move(job));
  }
}

FileReport ScanOne(const Job& job, const ScanLimits& limits,
                   const std::function<void(uint64_t)>& on_bytes) {
  FileReport fr;
  fr.path = job.display;
  fr.size = job.size;
  fr.findings = job.pre_findings;
  auto digest = Sha256File(job.real, on_bytes);
  if (digest.ok()) {
    fr.sha256 = digest.value();
  } else {
    fr.undecided.push_back({fr.path, "hashing failed: " + digest.status().message()});
  }
  auto src = FileSource::Open(job.real);
  if (!src.ok()) {
    fr.undecided.push_back({fr.path, src.status().message()});
    return fr;
  }
  fr.size = src.value()->size();
  ScanContext ctx(limits, &fr);
  std::string name = fs::path(job.display).filename().string();
  try {
    AnalyzeBlob(*src.value(), name, ctx);
  } catch (const std::exception& e) {  // a bug in an analyzer must not become "clean"
    ctx.Undecide(std::string("internal analyzer error: ") + e.what());
  }
  return fr;
}

}  // namespace

ScanReport ScanPaths(const std::vector<std::string>& paths, const ScanOptions& options) {
  ScanReport report;
  report.roots = paths;
  report.started = NowRfc3339();
  std::vector<Job> jobs;
  for (const std::string& p : paths) {
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
      report.errors.push_back({p, "no such file or directory"});
    } else if (fs::is_directory(st)) {
      WalkDirectory(p, &jobs, &report);
    } else if (fs::is_regular_file(st)) {
      jobs.push_back({p, p, fs::file_size(p, ec), {}});
    } else {
      report.errors.push_back({p, "not a regular file or directory"});
    }
  }
  for (const Job& j : jobs) report.total_bytes += j.size;

  std::atomic<uint64_t> done{0};
  std::function<void(uint64_t)> on_bytes;
  if (options.progress) {
    on_bytes = [&](uint64_t n) { options.progress(done += n, report.total_bytes); };
  }
  // Largest files first, so one big file does not start last and run alone.
  std::vector<size_t> order(jobs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return jobs[a].size > jobs[b].size; });
  std::vector<FileReport> results(jobs.size());
  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<unsigned>(threads, std::max<size_t>(1, jobs.size()));
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t k = next++; k < order.size(); k = next++) {
      size_t i = order[k];
      results[i] = ScanOne(jobs[i], options.limits, on_bytes);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  report.files = std::move(results);
  std::sort(report.files.begin(), report.files.end(),
            [](const FileReport& a, const FileReport& b) { return a.path < b.path; });
  report.completed = NowRfc3339();
  return report;
}

FileReport ScanBytes(std::string_view bytes, const std::string& name, const ScanLimits& limits) {
  FileReport fr;
  fr.path = name;
  fr.size = bytes.size();
  fr.sha256 = Sha256Hex(bytes);
  MemorySource src(bytes);
  ScanContext ctx(limits, &fr);
  try {
    AnalyzeBlob(src, fs::path(name).filename().string(), ctx);
  } catch (const std::exception& e) {
    ctx.Undecide(std::string("internal analyzer error: ") + e.what());
  }
  return fr;
}

std::optional<Severity> WorstSeverity(const ScanReport& report) {
  std::optional<Severity> worst;
  for (const auto& f : report.files) {
    for (const auto& x : f.findings) {
      if (!worst || x.severity > *worst) worst = x.severity;
    }
  }
  return worst;
}

Verdict Decide(const ScanReport& report, Severity fail_on) {
  auto worst = WorstSeverity(report);
  if (worst && *worst >= fail_on) return Verdict::kFindings;
  if (!report.errors.empty()) return Verdict::kUndecided;
  for (const auto& f : report.files) {
    if (!f.undecided.empty()) return Verdict::kUndecided;
  }
  return Verdict::kClean;
}

Verdict DecideFile(const FileReport& file, Severity fail_on) {
  for (const Finding& x : file.findings)
    if (x.severity >= fail_on) return Verdict::kFindings;
  return file.undecided.empty() ? Verdict::kClean : Verdict::kUndecided;
}

int ExitCode(Verdict v) {
  switch (v) {
    case Verdict::kClean: return 0;
    case Verdict::kFindings: return 1;
    case Verdict::kUndecided: return 2;
  }
  return 2;
}

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kClean: return "clean";
    case Verdict::kFindings: return "findings";
    case Verdict::kUndecided: return "undecided";
  }
  return "undecided";
}

std::string_view ScannerVersion() { return MODELGATE_VERSION; }

}  // namespace modelgate::scanners
