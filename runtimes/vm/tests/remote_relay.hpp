// The far end of `qemu+ssh://host/system`, on this machine only: for each connection
// to a unix socket in a private (0700, root's) dir, virt-ssh-helper qemu:///system runs
// with that connection as its stdin and stdout, as sshd runs it on a lab host for
// libvirt's remote driver. The client side is the remote driver's
// `qemu+unix:///system?socket=DIR/sock`. Nobody but root can reach the socket; the
// listener, its helpers and the dir are gone when the relay is destroyed.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "runtimes/common/error.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::vm::testing {

class RemoteRelay {
 public:
  static Result<std::unique_ptr<RemoteRelay>> start();
  RemoteRelay(const RemoteRelay&) = delete;
  RemoteRelay& operator=(const RemoteRelay&) = delete;
  ~RemoteRelay();

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path socket() const { return dir_ / "sock"; }
  std::string uri() const { return "qemu+unix:///system?socket=" + socket().string(); }
  int connections() const { return connections_; }

 private:
  RemoteRelay() = default;
  void serve();

  std::filesystem::path dir_;
  UniqueFd listener_;
  UniqueFd wake_;  // an eventfd: the destructor ends serve()
  std::thread thread_;
  std::mutex mutex_;
  std::vector<pid_t> helpers_;
  std::atomic<int> connections_{0};
};

}  // namespace isobench::vm::testing
