// isobench's own container runtime: one clone3(2) makes the container's first process
// in its namespaces (and, on cgroup v2, in its cgroup); that process sets up its
// filesystem, hostname and loopback, then execs the workload as the container's PID 1.
//
// The spec is a set of independent primitives, so the ladder suite can start a
// container with any subset of them and show what each one costs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "runtimes/backend.hpp"
#include "cgroup.hpp"
#include "rootfs.hpp"

namespace isobench {

struct ContainerSpec {
  std::uint64_t namespaces = 0;  // CLONE_NEW* flags
  CgroupPlacement cgroup;        // version kNone: no cgroup
  RootfsMode rootfs = RootfsMode::kPivotRoot;
  bool loopback = true;          // bring `lo` up (with a network namespace)
  std::string hostname = "isobench";  // set with a UTS namespace
};

// The container backend's spec: the namespaces crun and runc create by default (plus a
// user namespace when not root), this host's cgroup placement, the rootfs mode.
ContainerSpec default_container_spec(RootfsMode rootfs);

struct ContainerImage {
  std::filesystem::path rootfs;       // the image root, for chroot/pivot_root
  std::filesystem::path host_binary;  // the workload on the host, for RootfsMode::kHost
  std::string binary_in_image = "/isobench-workload";
};

// Starts the workload in a new container. The instance owns the container's PID 1 and
// its cgroup; teardown kills and reaps PID 1 (the kernel then kills the rest of the PID
// namespace) and removes the cgroup. Every mount lives in the container's own mount
// namespace, so none is left on the host.
Result<std::unique_ptr<Instance>> launch_container(const ContainerSpec& spec, const ContainerImage& image,
                                                   const LaunchOptions& options);

}  // namespace isobench
