// The few QMP exchanges the qemu backend needs with a QEMU started with -S: the
// greeting, qmp_capabilities (answered once the machine is built and the main loop
// runs) and cont (vCPUs released) — what libvirt does with every QEMU it starts.
#pragma once

#include <string>

#include "runtimes/common/line_reader.hpp"

namespace isobench::qemu {

class QmpClient {
 public:
  QmpClient() = default;
  explicit QmpClient(UniqueFd socket) : reader_(std::move(socket)) {}

  Result<void> await_greeting(Deadline deadline);
  // Sends {"execute":COMMAND} and waits for its {"return":...}; events in between are
  // skipped. An {"error":...} answer is an error carrying QMP's description.
  Result<void> execute(const std::string& command, Deadline deadline);

 private:
  LineReader reader_;
};

}  // namespace isobench::qemu
