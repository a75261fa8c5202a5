// FakeKubelet: a TEST NODE AGENT that stands in for the kubelet on the local control
// plane (e2e/cluster.sh runs etcd, kube-apiserver and kube-controller-manager, but no
// scheduler and no kubelet). The API server is never mocked: the Job controller, the
// garbage collector, pods/binding, pods/status and the API server's pods/log proxy are
// all the real ones. Only the node is played by this class, and only as much of it as
// a scan Job needs:
//
//  - registers a Node whose status names 127.0.0.1 (InternalIP) and the port of an
//    HTTPS server this agent runs on 127.0.0.1 with a throwaway self-signed
//    certificate (the 1.20 API server does not verify kubelet serving certificates
//    unless --kubelet-certificate-authority is set, and sends no client certificate
//    unless --kubelet-client-certificate is set: e2e/cluster.sh needs neither);
//  - polls the pods of one namespace that match a label selector, binds unscheduled
//    ones to its Node (pods/binding: there is no scheduler), and "runs" each bound pod:
//    its single container is the real `modelgate` binary (standing in for the image's
//    entrypoint) run with the container's args in a private mount and network
//    namespace, chrooted into a minimal root (the host's /usr and /etc read-only, the
//    binary at /modelgate, /dev, /proc) where every volumeMount is a bind mount of its
//    volume's host directory (hostPath -> path; persistentVolumeClaim -> a directory
//    the test maps), read-only when the mount or the volume says so; the process runs
//    as the pod's runAsUser/runAsGroup (+ fsGroup), with no_new_privs when
//    allowPrivilegeEscalation is false and a read-only root when readOnlyRootFilesystem;
//  - captures stdout and stderr (merged, as a container runtime's log is) as the
//    container log, writes phase Running, then Succeeded/Failed with
//    containerStatuses[].state.terminated.exitCode through pods/status, and serves the
//    log on GET /containerLogs/<ns>/<pod>/<container>;
//  - honours deletion: a pod with a deletionTimestamp is killed and then removed with
//    grace period 0, as the kubelet does.
// What a real kubelet would do and this agent refuses (the pod stays Pending with the
// reason in containerStatuses[].state.waiting and in Observed::error): more than one
// container, init containers, `command` (only the entrypoint is known), volume types
// other than hostPath and persistentVolumeClaim (so a service-account token volume is
// refused), runAsNonRoot with uid 0. Images are not pulled; the image name is recorded.
// Needs root (CAP_SYS_ADMIN) for the namespaces; Start() fails otherwise.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kube/client.h"
#include "scanners/status.h"

namespace modelgate::controller::testing {

struct FakeKubeletOptions {
  std::string node_name;        // required; the Node is created by Start(), deleted by Stop()
  std::string namespace_name;   // required: only pods of this namespace are run
  std::string label_selector;   // e.g. "modelgate.io/scan-job=true"
  std::string binary;           // the executable every container runs (the image's entrypoint)
  std::filesystem::path work_dir;  // required, existing: certificate and container roots go here
  // "<claimName>" -> host directory holding that PVC's contents (the test's stand-in
  // for a PersistentVolume).
  std::map<std::string, std::string> pvc_dirs;
  std::chrono::milliseconds poll{200};
};

// One pod as the agent saw and ran it.
struct ObservedPod {
  nlohmann::json pod;             // the Pod object when the agent started it (bound)
  std::vector<std::string> argv;  // as executed inside the container root
  std::map<std::string, std::string> mounts;  // container path -> host directory
  int uid = -1, gid = -1;         // what the process ran as
  int exit_code = -1;             // -1 when it did not run
  std::string log;                // stdout + stderr
  std::string error;              // why it was not run ("" when it ran)
};

class FakeKubelet {
 public:
  // Creates the certificate, starts the HTTPS log server, registers the Node and starts
  // the pod loop. Errors: not root, a Node of that name already exists, server failure.
  static Result<std::unique_ptr<FakeKubelet>> Start(std::shared_ptr<kube::Client> client,
                                                     FakeKubeletOptions options);
  ~FakeKubelet();  // Stop()s
  // Stops the loop (killing running containers), the server, and deletes the Node.
  // Idempotent.
  void Stop();

  int port() const;
  // Every pod started so far, in start order. Thread-safe.
  std::vector<ObservedPod> Observed() const;
  // Number of GET /containerLogs/... requests answered with a log. Thread-safe.
  int log_requests() const;

  struct Impl;

 private:
  explicit FakeKubelet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace modelgate::controller::testing
