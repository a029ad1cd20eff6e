// The namespace kinds a container can get, as a table (crun's style): the name
// /proc/PID/ns uses, the name users and OCI configs use, and the clone flag.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "runtimes/common/error.hpp"

namespace isobench {

struct NamespaceKind {
  const char* proc_name;  // /proc/self/ns/<proc_name>
  const char* oci_name;   // "type" in an OCI config's linux.namespaces
  std::uint64_t clone_flag;
};

std::span<const NamespaceKind> namespace_kinds();

// The namespaces crun and runc create by default, and isobench's container with them.
inline constexpr const char* kDefaultNamespaces[] = {"mnt", "pid", "uts", "ipc", "net", "cgroup"};

// "mnt,pid,net" for a set of clone flags, in table order.
std::string describe_namespaces(std::uint64_t clone_flags);
// The clone flag of a /proc name ("net") or OCI name ("network").
Result<std::uint64_t> namespace_flag(std::string_view name);

}  // namespace isobench
