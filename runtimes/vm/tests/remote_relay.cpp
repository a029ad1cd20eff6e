#include "remote_relay.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace isobench::vm::testing {

Result<std::unique_ptr<RemoteRelay>> RemoteRelay::start() {
  std::unique_ptr<RemoteRelay> relay(new RemoteRelay());
  std::string dir_template = (std::filesystem::temp_directory_path() / "isobench-remote.XXXXXX").string();
  if (::mkdtemp(dir_template.data()) == nullptr) return fail_errno("mkdtemp " + in_quotes(dir_template));
  relay->dir_ = dir_template;  // mkdtemp makes it 0700
  relay->listener_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!relay->listener_) return fail_errno("socket");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::string path = relay->socket().string();
  if (path.size() >= sizeof(address.sun_path)) return fail("socket path too long: " + path);
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  if (::bind(relay->listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0)
    return fail_errno("bind " + in_quotes(path));
  if (::listen(relay->listener_.get(), 8) != 0) return fail_errno("listen " + in_quotes(path));
  relay->wake_.reset(::eventfd(0, EFD_CLOEXEC));
  if (!relay->wake_) return fail_errno("eventfd");
  relay->thread_ = std::thread([r = relay.get()] { r->serve(); });
  return relay;
}

void RemoteRelay::serve() {
  for (;;) {
    pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    UniqueFd connection(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!connection) continue;
    char helper[] = "virt-ssh-helper";
    char uri[] = "qemu:///system";
    char* argv[] = {helper, uri, nullptr};
    pid_t pid = ::fork();
    if (pid == 0) {  // only async-signal-safe calls until exec; dup2 clears CLOEXEC
      ::dup2(connection.get(), STDIN_FILENO);
      ::dup2(connection.get(), STDOUT_FILENO);
      ::execvp(helper, argv);
      ::_exit(127);
    }
    if (pid > 0) {
      std::lock_guard lock(mutex_);
      helpers_.push_back(pid);
      ++connections_;
    }
  }
}

RemoteRelay::~RemoteRelay() {
  if (thread_.joinable()) {
    std::uint64_t one = 1;
    (void)::write(wake_.get(), &one, sizeof(one));
    thread_.join();
  }
  listener_.reset();
  // A helper ends when its client hangs up; one still connected is ended here.
  std::lock_guard lock(mutex_);
  for (pid_t pid : helpers_) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == 0) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, &status, 0);
    }
  }
  helpers_.clear();
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

}  // namespace isobench::vm::testing
