#include "namespaces.hpp"

#include <sched.h>

namespace isobench {

std::span<const NamespaceKind> namespace_kinds() {
  static constexpr NamespaceKind kKinds[] = {
      {"mnt", "mount", CLONE_NEWNS},      {"pid", "pid", CLONE_NEWPID},
      {"uts", "uts", CLONE_NEWUTS},       {"ipc", "ipc", CLONE_NEWIPC},
      {"net", "network", CLONE_NEWNET},   {"cgroup", "cgroup", CLONE_NEWCGROUP},
      {"user", "user", CLONE_NEWUSER},
  };
  return kKinds;
}

std::string describe_namespaces(std::uint64_t clone_flags) {
  std::string out;
  for (const auto& kind : namespace_kinds())
    if (clone_flags & kind.clone_flag) out += (out.empty() ? "" : ",") + std::string(kind.proc_name);
  return out.empty() ? "none" : out;
}

Result<std::uint64_t> namespace_flag(std::string_view name) {
  for (const auto& kind : namespace_kinds())
    if (name == kind.proc_name || name == kind.oci_name) return kind.clone_flag;
  return fail("unknown namespace kind `" + std::string(name) + "`");
}

}  // namespace isobench
