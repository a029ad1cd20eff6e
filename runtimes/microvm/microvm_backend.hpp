// `microvm`: the unchanged static workload binary as the only program in a KVM guest with
// no guest OS. isobench's VMM (vmm/, the static isobench-microvm program beside the
// workload binary) loads the ELF and performs the system calls a few hundred bytes of
// guest supervisor hand it. Against vm and qemu (a guest OS) and the containers, on the
// same binary, it separates what the hypervisor costs from what the guest OS costs (C4).
#pragma once

#include <memory>

#include "runtimes/backend.hpp"

namespace isobench {

std::unique_ptr<Backend> make_microvm_backend(const BackendConfig& config);

}  // namespace isobench
