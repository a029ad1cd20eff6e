// The backend table, in SPEC.md's order. A backend that cannot run on this host is still
// listed: its probe says why.
#include "backend.hpp"
#include "bare/bare_backend.hpp"
#include "container/container_backend.hpp"
#include "docker/docker_backend.hpp"
#include "kvm/kvm_backend.hpp"
#include "microvm/microvm_backend.hpp"
#include "podman/podman_backend.hpp"
#include "oci/oci_backend.hpp"
#include "qemu/qemu_backend.hpp"
#include "runsc/runsc_backend.hpp"
#include "vm/vm_backend.hpp"

namespace isobench {

std::span<const BackendEntry> backend_table() {
  static constexpr BackendEntry kTable[] = {
      {"bare", make_bare_backend},
      {"container", make_container_backend},
      {"crun", make_crun_backend},
      {"runc", make_runc_backend},
      {"vm", make_vm_backend},
      {"qemu", make_qemu_backend},
      {"kvm", make_kvm_backend},
      {"microvm", make_microvm_backend},
      {"docker", make_docker_backend},
      {"podman", make_podman_backend},
      {"runsc", make_runsc_backend},
  };
  return kTable;
}

}  // namespace isobench
