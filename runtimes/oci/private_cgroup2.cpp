#include "private_cgroup2.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

extern char** environ;

namespace isobench {
namespace {

[[noreturn]] void die(int fd, const char* what) {
  // The reason reaches the runtime's stderr, which the instance shows on failure.
  const char* why = std::strerror(errno);
  const char* parts[] = {"isobench: private cgroup2 namespace: ", what, ": ", why, "\n"};
  for (const char* part : parts) (void)!::write(fd, part, std::strlen(part));
  ::_exit(127);
}

}  // namespace

Result<ChildProcess> spawn_with_private_cgroup2(const std::vector<std::string>& argv, const SpawnIo& io) {
  if (argv.empty() || argv[0].empty() || argv[0][0] != '/') return fail("spawn: argv[0] must be an absolute path");
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  UniqueFd dev_null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!dev_null) return fail_errno("open `/dev/null`");
  int in = io.stdin_fd >= 0 ? io.stdin_fd : dev_null.get();
  int out = io.stdout_fd >= 0 ? io.stdout_fd : 1;
  int err = io.stderr_fd >= 0 ? io.stderr_fd : 2;

  int pidfd = -1;
  clone_args clone{};
  clone.flags = CLONE_NEWNS | CLONE_PIDFD;
  clone.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
  clone.exit_signal = SIGCHLD;
  long pid = ::syscall(SYS_clone3, &clone, sizeof clone);
  if (pid == 0) {
    // Only system calls from here to exec: the parent may have other threads.
    if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) die(2, "dup2");
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) die(2, "make `/` private");
    if (::mount("cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
      die(2, "mount cgroup2 on `/sys/fs/cgroup`");
    ::execve(args[0], args.data(), environ);
    die(2, args[0]);
  }
  if (pid < 0) return fail_errno("clone3 with a mount namespace for " + in_quotes(argv[0]));
  return ChildProcess(static_cast<pid_t>(pid), UniqueFd(pidfd));
}

}  // namespace isobench
