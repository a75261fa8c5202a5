// The test node agent (see fake_kubelet.h). Three parts: the HTTPS log server, the pod
// loop (bind, start, honour deletion, write status), and the container run (fork, then
// only system calls in the child: the test process is multi-threaded).
#include "tests/controller/integration/fake_kubelet.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/ssl.hpp>
#include <cpprest/http_listener.h>

#include "tests/webhook/test_certs.h"

namespace modelgate::controller::testing {

using nlohmann::json;
namespace fs = std::filesystem;
namespace http = web::http;

namespace {

const kube::Resource kNodes{"", "v1", "nodes", false};

std::string Now() {
  char buf[32];
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<int> FreePort() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return Status::Error("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool ok = bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  close(s);
  if (!ok) return Status::Error("cannot bind 127.0.0.1:0");
  return static_cast<int>(ntohs(a.sin_port));
}

// Everything the child needs, prepared before fork() so that the child only makes
// system calls (no allocation, no locks).
struct ContainerPlan {
  struct Mount {
    std::string source, target;  // target is under root
    bool recursive = false, read_only = false, file = false;
  };
  std::string root;                   // empty directory; a tmpfs is mounted on it
  std::vector<std::string> dirs;      // to create under root, parents first
  std::vector<std::pair<std::string, std::string>> symlinks;  // (link target, link path)
  std::vector<Mount> mounts;
  bool read_only_root = false, no_new_privs = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::vector<std::string> argv, env;  // argv[0] is the path inside root
};

// In the child: builds the container's root and execs. Reports a failure on fd 2 (the
// log pipe) and exits 127, like a runtime that cannot start the container.
[[noreturn]] void RunChild(const ContainerPlan& p, char* const* argv, char* const* envp, int log_fd) {
  auto fail = [log_fd](const char* what) {
    const char* prefix = "fake-kubelet: container setup failed: ";
    (void)!write(log_fd, prefix, strlen(prefix));
    (void)!write(log_fd, what, strlen(what));
    (void)!write(log_fd, "\n", 1);
    _exit(127);
  };
  if (dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0) fail("dup2");
  if (unshare(CLONE_NEWNS | CLONE_NEWNET) != 0) fail("unshare(CLONE_NEWNS|CLONE_NEWNET)");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail("making / private");
  if (mount("tmpfs", p.root.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) fail("tmpfs root");
  for (const auto& d : p.dirs)
    if (mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) fail(d.c_str());
  for (const auto& [target, link] : p.symlinks)
    if (symlink(target.c_str(), link.c_str()) != 0) fail(link.c_str());
  for (const auto& m : p.mounts) {
    if (m.file) {
      const int fd = open(m.target.c_str(), O_CREAT | O_WRONLY, 0755);
      if (fd < 0) fail(m.target.c_str());
      close(fd);
    }
    if (mount(m.source.c_str(), m.target.c_str(), nullptr, MS_BIND | (m.recursive ? MS_REC : 0), nullptr) != 0)
      fail(m.target.c_str());
    if (m.read_only &&
        mount(nullptr, m.target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0)
      fail(m.target.c_str());
  }
  if (p.read_only_root && mount(nullptr, p.root.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
                                "mode=0755") != 0)
    fail("read-only root");
  if (chroot(p.root.c_str()) != 0 || chdir("/") != 0) fail("chroot");
  const int null_fd = open("/dev/null", O_RDONLY);
  if (null_fd < 0 || dup2(null_fd, 0) < 0) fail("/dev/null");
  if (setgroups(p.groups.size(), p.groups.data()) != 0) fail("setgroups");
  if (setgid(p.gid) != 0) fail("setgid");
  if (setuid(p.uid) != 0) fail("setuid");
  if (p.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
  execve(argv[0], argv, envp);
  fail("execve");
  _exit(127);  // not reached: fail() exits
}

// A security-context field: the container's value, else the pod's, else `fallback`.
template <typename T>
T SecurityField(const json& pod_spec, const json& container, const char* key, T fallback) {
  for (const json* sc : {&container, &pod_spec}) {
    if (sc->contains("securityContext") && (*sc)["securityContext"].contains(key))
      return (*sc)["securityContext"][key].get<T>();
  }
  return fallback;
}

}  // namespace

struct FakeKubelet::Impl {
  std::shared_ptr<kube::Client> client;
  FakeKubeletOptions opts;
  int port = 0;
  std::unique_ptr<http::experimental::listener::http_listener> listener;
  std::thread loop;
  std::atomic<bool> stop{false};
  bool stopped = false;

  mutable std::mutex mu;
  std::condition_variable wake;
  std::map<std::string, std::string> logs;  // "<ns>/<pod>/<container>" -> log
  std::vector<ObservedPod> observed;
  std::set<std::string> started;            // pod uids
  std::map<std::string, pid_t> running;     // pod uid -> container process
  std::vector<std::thread> runners;
  int log_requests = 0;

  Status StartServer() {
    const fs::path cert = opts.work_dir / "kubelet.crt", key = opts.work_dir / "kubelet.key";
    if (!modelgate::testing::WriteSelfSignedCert(cert.string(), key.string(), opts.node_name))
      return Status::Error("cannot write the throwaway kubelet certificate");
    Result<int> p = FreePort();
    if (!p.ok()) return p.status();
    port = p.value();
    http::experimental::listener::http_listener_config cfg;
    cfg.set_ssl_context_callback([cert, key](boost::asio::ssl::context& ctx) {
      ctx.use_certificate_chain_file(cert.string());
      ctx.use_private_key_file(key.string(), boost::asio::ssl::context::pem);
    });
    try {
      listener = std::make_unique<http::experimental::listener::http_listener>(
          "https://127.0.0.1:" + std::to_string(port) + "/", cfg);
      listener->support([this](http::http_request req) { Serve(req); });
      listener->open().wait();
    } catch (const std::exception& e) {
      return Status::Error(std::string("fake kubelet HTTPS server: ") + e.what());
    }
    return Status::Ok();
  }

  // GET /containerLogs/<ns>/<pod>/<container>: the captured log, 404 before the
  // container has finished (the scan executor reads the log only after that).
  void Serve(http::http_request req) {
    const std::string path = req.relative_uri().path();
    const std::string prefix = "/containerLogs/";
    std::string body;
    bool found = false;
    if (req.method() == http::methods::GET && path.rfind(prefix, 0) == 0) {
      std::lock_guard<std::mutex> l(mu);
      auto it = logs.find(path.substr(prefix.size()));
      if (it != logs.end()) {
        body = it->second;
        found = true;
        ++log_requests;
      }
    }
    http::http_response resp(found ? http::status_codes::OK : http::status_codes::NotFound);
    resp.set_body(found ? body : "fake kubelet: no log for " + path, "text/plain; charset=utf-8");
    req.reply(resp).then([](pplx::task<void> t) {
      try {
        t.get();
      } catch (...) {
      }
    });
  }

  Status RegisterNode() {
    json node = {{"apiVersion", "v1"},
                 {"kind", "Node"},
                 {"metadata",
                  {{"name", opts.node_name},
                   {"labels", {{"kubernetes.io/hostname", opts.node_name}, {"modelgate.io/fake-kubelet", "true"}}}}}};
    Result<json> r = client->Create(kNodes, "", node);
    if (!r.ok()) return Status::Error("registering Node " + opts.node_name + ": " + r.status().message());
    const json status = {
        {"status",
         {{"addresses", {{{"type", "InternalIP"}, {"address", "127.0.0.1"}}, {{"type", "Hostname"},
                                                                             {"address", "127.0.0.1"}}}},
          {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", port}}}}},
          {"nodeInfo", {{"kubeletVersion", "fake-kubelet (modelgate tests)"}, {"operatingSystem", "linux"},
                        {"architecture", "amd64"}}},
          {"conditions",
           {{{"type", "Ready"}, {"status", "True"}, {"reason", "FakeKubeletReady"},
             {"message", "modelgate test node agent"}, {"lastHeartbeatTime", Now()},
             {"lastTransitionTime", Now()}}}}}}};
    kube::PatchOptions po;
    po.subresource = "status";
    r = client->Patch(kNodes, "", opts.node_name, kube::PatchType::kMerge, status, po);
    if (!r.ok()) return Status::Error("writing Node status: " + r.status().message());
    return Status::Ok();
  }

  void Loop() {
    while (!stop.load()) {
      kube::ListOptions lo;
      lo.label_selector = opts.label_selector;
      Result<json> pods = client->List(kube::Pods(), opts.namespace_name, lo);
      if (pods.ok() && pods.value()["items"].is_array()) {
        for (const json& pod : pods.value()["items"]) Handle(pod);
      }
      std::unique_lock<std::mutex> l(mu);
      wake.wait_for(l, opts.poll, [this] { return stop.load(); });
    }
  }

  void Handle(const json& pod) {
    const json& meta = pod["metadata"];
    const std::string name = meta.value("name", ""), uid = meta.value("uid", "");
    const std::string node = pod["spec"].value("nodeName", "");
    if (node.empty()) {
      // No scheduler: bind it here. A conflict means someone else bound it first.
      json binding = {{"apiVersion", "v1"},
                      {"kind", "Binding"},
                      {"metadata", {{"name", name}, {"namespace", opts.namespace_name}}},
                      {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", opts.node_name}}}};
      client->Raw("POST", kube::Pods().Path(opts.namespace_name, name, "binding"), binding.dump(),
                  "application/json");
      return;
    }
    if (node != opts.node_name) return;
    std::lock_guard<std::mutex> l(mu);
    if (meta.contains("deletionTimestamp")) {
      auto it = running.find(uid);
      if (it != running.end()) {
        kill(it->second, SIGKILL);  // the runner writes status and the final delete
        return;
      }
      FinalDelete(name, uid);
      return;
    }
    if (!started.insert(uid).second) return;
    runners.emplace_back([this, pod] { RunPod(pod); });
  }

  // What the kubelet does once a pod's containers are gone: delete with grace 0.
  void FinalDelete(const std::string& name, const std::string& uid) {
    kube::DeleteOptions d;
    d.grace_period_seconds = 0;
    d.precondition_uid = uid;
    client->Delete(kube::Pods(), opts.namespace_name, name, d);
  }

  void WriteStatus(const std::string& name, const json& status) {
    kube::PatchOptions po;
    po.subresource = "status";
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (client->Patch(kube::Pods(), opts.namespace_name, name, kube::PatchType::kMerge, {{"status", status}}, po)
              .ok())
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // Turns the pod spec into a plan; the error says what this agent does not support.
  Status Plan(const json& pod, ObservedPod& obs, ContainerPlan& plan, const fs::path& root) {
    const json& spec = pod["spec"];
    if (spec.contains("initContainers") && !spec["initContainers"].empty())
      return Status::Error("init containers are not supported by the fake kubelet");
    if (!spec["containers"].is_array() || spec["containers"].size() != 1)
      return Status::Error("the fake kubelet runs exactly one container per pod");
    const json& c = spec["containers"][0];
    if (c.contains("command")) return Status::Error("`command` is not supported: the fake image has only its entrypoint");

    plan.root = root.string();
    const std::string r = plan.root;
    // The "image": the host's /usr and /etc read-only, its top-level symlinks (merged
    // /usr), /dev and /proc, and the binary as the entrypoint.
    for (const char* top : {"usr", "etc", "bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
      const fs::path host = fs::path("/") / top;
      std::error_code ec;
      if (fs::is_symlink(host, ec)) {
        plan.symlinks.emplace_back(fs::read_symlink(host, ec).string(), r + "/" + top);
      } else if (fs::is_directory(host, ec)) {
        plan.dirs.push_back(r + "/" + top);
        plan.mounts.push_back({host.string(), r + "/" + top, true, true, false});
      }
    }
    for (const char* top : {"dev", "proc"}) {
      plan.dirs.push_back(r + "/" + top);
      plan.mounts.push_back({std::string("/") + top, r + "/" + top, true, false, false});
    }
    plan.mounts.push_back({opts.binary, r + "/modelgate", false, true, true});

    std::map<std::string, std::pair<std::string, bool>> volumes;  // name -> (host dir, read-only)
    for (const json& v : spec.value("volumes", json::array())) {
      const std::string vname = v.value("name", "");
      if (v.contains("hostPath")) {
        volumes[vname] = {v["hostPath"].value("path", ""), false};
      } else if (v.contains("persistentVolumeClaim")) {
        const std::string claim = v["persistentVolumeClaim"].value("claimName", "");
        auto it = opts.pvc_dirs.find(claim);
        if (it == opts.pvc_dirs.end()) return Status::Error("PVC " + claim + " is not mapped to a directory");
        volumes[vname] = {it->second, v["persistentVolumeClaim"].value("readOnly", false)};
      } else {
        return Status::Error("volume " + vname + ": only hostPath and persistentVolumeClaim are supported");
      }
    }
    for (const json& m : c.value("volumeMounts", json::array())) {
      auto it = volumes.find(m.value("name", ""));
      if (it == volumes.end()) return Status::Error("volumeMount of unknown volume " + m.value("name", ""));
      std::string source = it->second.first;
      if (m.contains("subPath") && !m["subPath"].get<std::string>().empty())
        source += "/" + m["subPath"].get<std::string>();
      const std::string target = m.value("mountPath", "");
      if (target.size() < 2 || target[0] != '/' || target.find("..") != std::string::npos)
        return Status::Error("mountPath " + target + " is not a plain absolute path");
      std::error_code ec;
      if (!fs::exists(source, ec)) return Status::Error("volume source " + source + " does not exist");
      // Parents of the mount point live on the tmpfs root; the host's /usr and /etc are
      // not mount targets (that would need an overlay).
      const std::string first = target.substr(1, target.find('/', 1) - 1);
      if (first == "usr" || first == "etc" || first == "dev" || first == "proc")
        return Status::Error("mountPath " + target + " is inside the fake image's host-backed directories");
      fs::path acc = r;
      for (const auto& part : fs::path(target).relative_path()) {
        acc /= part;
        plan.dirs.push_back(acc.string());
      }
      const bool is_file = !fs::is_directory(source, ec);
      if (is_file) plan.dirs.pop_back();
      plan.mounts.push_back({source, r + target, false, m.value("readOnly", false) || it->second.second, is_file});
      obs.mounts[target] = source;
    }

    const bool non_root = SecurityField<bool>(spec, c, "runAsNonRoot", false);
    const int64_t uid = SecurityField<int64_t>(spec, c, "runAsUser", 0);
    const int64_t gid = SecurityField<int64_t>(spec, c, "runAsGroup", uid == 0 ? 0 : uid);
    if (non_root && uid == 0) return Status::Error("container has runAsNonRoot and would run as root (uid 0)");
    plan.uid = static_cast<uid_t>(uid);
    plan.gid = static_cast<gid_t>(gid);
    plan.groups = {plan.gid};
    if (spec.contains("securityContext") && spec["securityContext"].contains("fsGroup"))
      plan.groups.push_back(static_cast<gid_t>(spec["securityContext"]["fsGroup"].get<int64_t>()));
    plan.no_new_privs = !SecurityField<bool>(json::object(), c, "allowPrivilegeEscalation", true);
    plan.read_only_root = SecurityField<bool>(json::object(), c, "readOnlyRootFilesystem", false);
    obs.uid = static_cast<int>(uid);
    obs.gid = static_cast<int>(gid);

    plan.argv = {"/modelgate"};
    for (const json& a : c.value("args", json::array())) plan.argv.push_back(a.get<std::string>());
    obs.argv = plan.argv;
    plan.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/",
                "HOSTNAME=" + pod["metadata"].value("name", "")};
    for (const json& e : c.value("env", json::array()))
      if (e.contains("value")) plan.env.push_back(e.value("name", "") + "=" + e.value("value", ""));
    return Status::Ok();
  }

  // Runs the plan; returns the exit code (128+signal when killed) and fills `log`.
  int Execute(const std::string& uid, const ContainerPlan& plan, std::string* log) {
    std::vector<char*> argv, envp;
    for (const auto& a : plan.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : plan.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return 127;
    pid_t pid;
    {
      std::lock_guard<std::mutex> l(mu);  // registered before a deletion can look for it
      pid = fork();
      if (pid == 0) {
        close(fds[0]);
        RunChild(plan, argv.data(), envp.data(), fds[1]);
      }
      if (pid > 0) running[uid] = pid;
    }
    close(fds[1]);
    if (pid < 0) {
      close(fds[0]);
      return 127;
    }
    char buf[65536];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
      if (n > 0) log->append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    {
      std::lock_guard<std::mutex> l(mu);
      running.erase(uid);
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 127;
  }

  void RunPod(json pod) {
    const std::string name = pod["metadata"].value("name", ""), uid = pod["metadata"].value("uid", "");
    const json& c = pod["spec"]["containers"].empty() ? json::object() : pod["spec"]["containers"][0];
    const std::string cname = c.value("name", "");
    const std::string image = c.value("image", "");
    ObservedPod obs;
    obs.pod = pod;
    const fs::path root = opts.work_dir / "containers" / uid;
    std::error_code ec;
    fs::create_directories(root, ec);
    ContainerPlan plan;
    Status planned = Plan(pod, obs, plan, root);
    if (!planned.ok()) {
      obs.error = planned.message();
      WriteStatus(name, {{"phase", "Pending"},
                         {"containerStatuses",
                          {{{"name", cname}, {"image", image}, {"imageID", ""}, {"ready", false}, {"restartCount", 0},
                            {"state", {{"waiting", {{"reason", "CreateContainerConfigError"},
                                                    {"message", "fake kubelet: " + obs.error}}}}}}}}});
      std::lock_guard<std::mutex> l(mu);
      observed.push_back(std::move(obs));
      return;
    }
    const std::string started_at = Now();
    const std::string container_id = "fake://" + uid;
    WriteStatus(name, {{"phase", "Running"},
                       {"hostIP", "127.0.0.1"},
                       {"startTime", started_at},
                       {"containerStatuses",
                        {{{"name", cname}, {"image", image}, {"imageID", image}, {"containerID", container_id},
                          {"ready", true}, {"restartCount", 0}, {"started", true},
                          {"state", {{"running", {{"startedAt", started_at}}}}}}}}});
    std::string log;
    const int code = Execute(uid, plan, &log);
    obs.exit_code = code;
    obs.log = log;
    {
      // The log is served before the terminal status is written: the operator reads it
      // as soon as the Job controller reports the Job finished.
      std::lock_guard<std::mutex> l(mu);
      logs[opts.namespace_name + "/" + name + "/" + cname] = log;
      observed.push_back(obs);
    }
    WriteStatus(name, {{"phase", code == 0 ? "Succeeded" : "Failed"},
                       {"containerStatuses",
                        {{{"name", cname}, {"image", image}, {"imageID", image}, {"containerID", container_id},
                          {"ready", false}, {"restartCount", 0}, {"started", false},
                          {"state", {{"terminated", {{"exitCode", code}, {"reason", code == 0 ? "Completed" : "Error"},
                                                     {"startedAt", started_at}, {"finishedAt", Now()},
                                                     {"containerID", container_id}}}}}}}}});
    Result<json> now = client->Get(kube::Pods(), opts.namespace_name, name);
    if (now.ok() && now.value()["metadata"].contains("deletionTimestamp")) FinalDelete(name, uid);
  }
};

FakeKubelet::FakeKubelet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<FakeKubelet>> FakeKubelet::Start(std::shared_ptr<kube::Client> client,
                                                       FakeKubeletOptions options) {
  if (geteuid() != 0)
    return Status::Error("the fake kubelet needs root (CAP_SYS_ADMIN) for its containers' mount namespaces");
  if (options.node_name.empty() || options.namespace_name.empty() || options.work_dir.empty())
    return Status::Error("node_name, namespace_name and work_dir are required");
  std::error_code ec;
  if (!fs::is_regular_file(options.binary, ec)) return Status::Error("no binary at " + options.binary);
  auto impl = std::make_unique<Impl>();
  impl->client = std::move(client);
  impl->opts = std::move(options);
  Status s = impl->StartServer();
  if (!s.ok()) return s;
  s = impl->RegisterNode();
  if (!s.ok()) {
    impl->listener->close().wait();
    return s;
  }
  Impl* raw = impl.get();
  impl->loop = std::thread([raw] { raw->Loop(); });
  return std::unique_ptr<FakeKubelet>(new FakeKubelet(std::move(impl)));
}

FakeKubelet::~FakeKubelet() { Stop(); }

void FakeKubelet::Stop() {
  Impl& i = *impl_;
  if (i.stopped) return;
  i.stopped = true;
  {
    std::lock_guard<std::mutex> l(i.mu);
    i.stop = true;
    for (const auto& [uid, pid] : i.running) kill(pid, SIGKILL);
  }
  i.wake.notify_all();
  if (i.loop.joinable()) i.loop.join();
  for (auto& t : i.runners)
    if (t.joinable()) t.join();
  try {
    i.listener->close().wait();
  } catch (...) {
  }
  i.client->Delete(kNodes, "", i.opts.node_name);
}

int FakeKubelet::port() const { return impl_->port; }

std::vector<ObservedPod> FakeKubelet::Observed() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->observed;
}

int FakeKubelet::log_requests() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->log_requests;
}

}  // namespace modelgate::controller::testing
