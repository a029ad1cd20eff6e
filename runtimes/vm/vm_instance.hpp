// One transient libvirt domain running the workload: owns the domain (destroyed on
// every path), its console FIFO dir and QEMU's log file under the embed root.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "runtimes/backend.hpp"
#include "runtimes/common/orphan_reaper.hpp"
#include "runtimes/common/protocol.hpp"
#include "console_fifo.hpp"
#include "libvirt_connection.hpp"

namespace isobench::vm {

class VmInstance final : public Instance {
 public:
  // `embed_root` is empty when the connection is not the embedded driver; `uri` is
  // the connection's.
  VmInstance(std::shared_ptr<LibvirtConnection> connection, std::string name, ConsoleFifo console,
             std::filesystem::path embed_root, const std::string& uri, std::map<std::string, std::string> attributes);
  ~VmInstance() override;

  // Starts the domain from `xml`: created paused ("created"), then resumed ("qemu_up").
  Result<void> start(const std::string& xml);

  Result<std::string> wait_ready(Deadline deadline) override;
  Result<Outcome> wait_exit(Deadline deadline) override;
  Result<void> teardown() override;
  std::vector<pid_t> host_pids() const override;
  std::map<std::string, std::string> attributes() const override { return attributes_; }

 private:
  // Under the embedded driver, this domain's QEMU is adopted and reaped by this process
  // (orphan_reaper.hpp) from before it is created until the domain is gone.
  std::optional<ReapScope> reaping_;
  std::shared_ptr<LibvirtConnection> connection_;
  std::string name_;
  ConsoleFifo console_;
  ProtocolStream stream_;
  std::filesystem::path embed_root_;
  // QEMU's log as the daemon writes it, when it is on this machine (removed at teardown)
  // and QEMU's pid file; empty for a daemon on another host.
  std::filesystem::path qemu_log_;
  std::filesystem::path qemu_pid_file_;
  bool daemon_ = false;  // a daemon (not the embedded driver) runs the domain
  std::map<std::string, std::string> attributes_;
  DomainHandle domain_;
  bool torn_down_ = false;
};

}  // namespace isobench::vm
