#include "system_calls.hpp"

#include "cpu_state.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <algorithm>
#include <cstring>

namespace isobench::microvm {
namespace {

constexpr std::int64_t kArchGetFs = 0x1003;
constexpr std::size_t kPathMax = 4096;

using Args = std::array<std::uint64_t, 6>;

// -errno of the last host call when it failed, else its result.
std::int64_t host_result(long result) { return result < 0 ? -errno : result; }

template <class T>
T* guest_ptr(GuestProcess& p, std::uint64_t gpa, std::uint64_t count = 1) {
  return reinterpret_cast<T*>(p.space.host(gpa, count * sizeof(T)));
}

// A NUL-terminated path in guest memory; nullopt when it runs out of RAM or past PATH_MAX.
std::optional<std::string> guest_string(GuestProcess& p, std::uint64_t gpa) {
  for (std::size_t len = 0; len < kPathMax; ++len) {
    const char* c = guest_ptr<char>(p, gpa + len);
    if (c == nullptr) return std::nullopt;
    if (*c == '\0') return std::string(guest_ptr<char>(p, gpa, len + 1), len);
  }
  return std::nullopt;
}

bool writes(int flags) {
  return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) != 0;
}

std::int64_t sys_read_write(GuestProcess& p, const Args& a, bool write, bool positional) {
  int fd = p.files.host_fd(static_cast<std::int64_t>(a[0]));
  if (fd < 0) return -EBADF;
  void* buffer = p.space.host(a[1], a[2]);
  if (buffer == nullptr && a[2] != 0) return -EFAULT;
  if (positional)
    return host_result(write ? ::pwrite(fd, buffer, a[2], static_cast<off_t>(a[3]))
                             : ::pread(fd, buffer, a[2], static_cast<off_t>(a[3])));
  return host_result(write ? ::write(fd, buffer, a[2]) : ::read(fd, buffer, a[2]));
}

std::int64_t sys_writev(GuestProcess& p, const Args& a) {
  int fd = p.files.host_fd(static_cast<std::int64_t>(a[0]));
  if (fd < 0) return -EBADF;
  const auto* guest_iov = guest_ptr<iovec>(p, a[1], a[2]);
  if (guest_iov == nullptr || a[2] > IOV_MAX) return -EFAULT;
  std::vector<iovec> iov(a[2]);
  for (std::size_t i = 0; i < a[2]; ++i) {
    auto base = reinterpret_cast<std::uint64_t>(guest_iov[i].iov_base);
    iov[i].iov_base = p.space.host(base, guest_iov[i].iov_len);
    iov[i].iov_len = guest_iov[i].iov_len;
    if (iov[i].iov_base == nullptr && iov[i].iov_len != 0) return -EFAULT;
  }
  return host_result(::writev(fd, iov.data(), static_cast<int>(iov.size())));
}

std::int64_t sys_openat(GuestProcess& p, std::int64_t dirfd, std::uint64_t path_at, int flags, mode_t mode) {
  auto path = guest_string(p, path_at);
  if (!path) return -EFAULT;
  auto dir = p.files.host_dirfd(dirfd);
  if (!dir) return -EBADF;
  if (writes(flags) && (*dir != AT_FDCWD || !p.files.may_modify(*path))) return -EACCES;
  std::string host = p.files.host_path(*path);
  int fd = ::openat(*dir, host.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return -errno;
  return p.files.adopt(fd);
}

// unlink, mkdir: only in the writable directory, relative to the VMM's working directory.
std::int64_t sys_modify_path(GuestProcess& p, std::int64_t dirfd, std::uint64_t path_at, bool make, mode_t mode,
                             int flags) {
  auto path = guest_string(p, path_at);
  if (!path) return -EFAULT;
  if (static_cast<int>(dirfd) != AT_FDCWD || !p.files.may_modify(*path)) {
    // mkdir of a directory that exists answers EEXIST wherever it is, as the kernel does
    // before it checks permissions (the io workload makes its directory's parents).
    struct stat st;
    if (make && ::stat(p.files.host_path(*path).c_str(), &st) == 0) return -EEXIST;
    return -EACCES;
  }
  std::string host = p.files.host_path(*path);
  return host_result(make ? ::mkdir(host.c_str(), mode) : ::unlinkat(AT_FDCWD, host.c_str(), flags));
}

std::int64_t sys_fstatat(GuestProcess& p, std::int64_t dirfd, std::uint64_t path_at, std::uint64_t stat_at, int flags) {
  auto* out = guest_ptr<struct stat>(p, stat_at);
  if (out == nullptr) return -EFAULT;
  auto path = guest_string(p, path_at);
  if (!path) return -EFAULT;
  if (path->empty() && (flags & AT_EMPTY_PATH)) {
    int fd = p.files.host_fd(dirfd);
    return fd < 0 ? -EBADF : host_result(::fstat(fd, out));
  }
  auto dir = p.files.host_dirfd(dirfd);
  if (!dir) return -EBADF;
  return host_result(::fstatat(*dir, p.files.host_path(*path).c_str(), out, flags));
}

std::int64_t sys_readlinkat(GuestProcess& p, std::int64_t dirfd, std::uint64_t path_at, std::uint64_t buf, std::uint64_t size) {
  auto path = guest_string(p, path_at);
  if (!path) return -EFAULT;
  char* out = guest_ptr<char>(p, buf, size);
  if (out == nullptr) return -EFAULT;
  if (*path == "/proc/self/exe") {
    const std::string& target = p.files.workload_binary();
    std::size_t n = std::min<std::size_t>(size, target.size());
    std::memcpy(out, target.data(), n);
    return static_cast<std::int64_t>(n);
  }
  auto dir = p.files.host_dirfd(dirfd);
  if (!dir) return -EBADF;
  return host_result(::readlinkat(*dir, path->c_str(), out, size));
}

std::int64_t sys_mmap(GuestProcess& p, const Args& a) {
  const std::uint64_t hint = a[0], length = a[1];
  const int flags = static_cast<int>(a[3]);
  const int guest_fd = static_cast<int>(a[4]);
  if (length == 0) return -EINVAL;
  if ((flags & MAP_SHARED) && !(flags & MAP_ANONYMOUS)) return -ENODEV;  // no shared file mappings
  std::uint64_t at = p.space.map(hint, length, (flags & MAP_FIXED) != 0);
  if (at == 0) return -ENOMEM;
  if (!(flags & MAP_ANONYMOUS)) {
    // A private file mapping is a private copy: read the file's bytes in.
    int fd = p.files.host_fd(guest_fd);
    if (fd < 0) {
      p.space.unmap(at, length);
      return -EBADF;
    }
    ssize_t got = ::pread(fd, p.space.host(at, length), length, static_cast<off_t>(a[5]));
    if (got < 0) {
      std::int64_t error = -errno;
      p.space.unmap(at, length);
      return error;
    }
  }
  return static_cast<std::int64_t>(at);
}

std::int64_t sys_madvise(GuestProcess& p, const Args& a) {
  const int advice = static_cast<int>(a[2]);
  // What changes what the workload reads (DONTNEED: zeros) or how the host backs its
  // memory (huge pages, as the workload asks the kernel on bare) goes to the host pages.
  if (advice == MADV_DONTNEED || advice == MADV_HUGEPAGE || advice == MADV_NOHUGEPAGE)
    return p.space.advise(a[0], a[1], advice) == 0 ? 0 : -EINVAL;
  return 0;
}

std::int64_t sys_prlimit(GuestProcess& p, const Args& a) {
  if (a[3] != 0) {
    auto* old = guest_ptr<rlimit>(p, a[3]);
    if (old == nullptr) return -EFAULT;
    if (::getrlimit(static_cast<int>(a[1]), old) != 0) return -errno;
  }
  return 0;  // a new limit is accepted and ignored: the guest has no kernel to enforce it
}

std::int64_t sys_sched_getaffinity(GuestProcess& p, const Args& a) {
  if (a[1] < sizeof(std::uint64_t)) return -EINVAL;
  auto* mask = guest_ptr<unsigned char>(p, a[2], a[1]);
  if (mask == nullptr) return -EFAULT;
  std::memset(mask, 0, a[1]);
  mask[0] = 1;  // one vCPU
  return sizeof(std::uint64_t);
}

std::int64_t sys_signal_to_self(GuestProcess& p, std::int64_t target, int signal) {
  if (target != ::getpid() && target != 0) return -ESRCH;
  if (signal != 0) p.fatal_signal = signal;  // no handlers in the guest: every signal ends it
  return 0;
}

template <class T>
std::int64_t copy_out(GuestProcess& p, std::uint64_t gpa, const T& value) {
  auto* out = guest_ptr<T>(p, gpa);
  if (out == nullptr) return -EFAULT;
  *out = value;
  return 0;
}

std::int64_t zero_out(GuestProcess& p, std::uint64_t gpa, std::size_t bytes) {
  if (gpa == 0) return 0;
  void* out = p.space.host(gpa, bytes);
  if (out == nullptr) return -EFAULT;
  std::memset(out, 0, bytes);
  return 0;
}

}  // namespace

std::int64_t perform_system_call(GuestProcess& p, std::uint64_t number, const Args& a) {
  ++p.calls;
  const auto fd_arg = static_cast<std::int64_t>(static_cast<int>(a[0]));
  switch (number) {
    case SYS_read: return sys_read_write(p, a, false, false);
    case SYS_write: return sys_read_write(p, a, true, false);
    case SYS_pread64: return sys_read_write(p, a, false, true);
    case SYS_pwrite64: return sys_read_write(p, a, true, true);
    case SYS_writev: return sys_writev(p, a);
    case SYS_open: return sys_openat(p, AT_FDCWD, a[0], static_cast<int>(a[1]), static_cast<mode_t>(a[2]));
    case SYS_openat: return sys_openat(p, fd_arg, a[1], static_cast<int>(a[2]), static_cast<mode_t>(a[3]));
    case SYS_close: return p.files.close(fd_arg);
    case SYS_stat: return sys_fstatat(p, AT_FDCWD, a[0], a[1], 0);
    case SYS_lstat: return sys_fstatat(p, AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW);
    case SYS_newfstatat: return sys_fstatat(p, fd_arg, a[1], a[2], static_cast<int>(a[3]));
    case SYS_fstat: {
      int fd = p.files.host_fd(fd_arg);
      auto* out = guest_ptr<struct stat>(p, a[1]);
      if (fd < 0) return -EBADF;
      return out == nullptr ? -EFAULT : host_result(::fstat(fd, out));
    }
    case SYS_lseek: {
      int fd = p.files.host_fd(fd_arg);
      return fd < 0 ? -EBADF : host_result(::lseek(fd, static_cast<off_t>(a[1]), static_cast<int>(a[2])));
    }
    case SYS_fsync:
    case SYS_fdatasync: {
      int fd = p.files.host_fd(fd_arg);
      if (fd < 0) return -EBADF;
      return host_result(number == SYS_fsync ? ::fsync(fd) : ::fdatasync(fd));
    }
    case SYS_fcntl: {
      int fd = p.files.host_fd(fd_arg);
      if (fd < 0) return -EBADF;
      int cmd = static_cast<int>(a[1]);
      if (cmd == F_GETFD || cmd == F_GETFL) return host_result(::fcntl(fd, cmd));
      if (cmd == F_SETFD || cmd == F_SETFL) return host_result(::fcntl(fd, cmd, static_cast<int>(a[2])));
      return -EINVAL;
    }
    case SYS_ioctl: return -ENOTTY;
    case SYS_getdents64: {
      int fd = p.files.host_fd(fd_arg);
      void* out = p.space.host(a[1], a[2]);
      if (fd < 0) return -EBADF;
      return out == nullptr ? -EFAULT : host_result(::syscall(SYS_getdents64, fd, out, a[2]));
    }
    case SYS_unlink: return sys_modify_path(p, AT_FDCWD, a[0], false, 0, 0);
    case SYS_unlinkat: return sys_modify_path(p, fd_arg, a[1], false, 0, static_cast<int>(a[2]));
    case SYS_mkdir: return sys_modify_path(p, AT_FDCWD, a[0], true, static_cast<mode_t>(a[1]), 0);
    case SYS_mkdirat: return sys_modify_path(p, fd_arg, a[1], true, static_cast<mode_t>(a[2]), 0);
    case SYS_readlink: return sys_readlinkat(p, AT_FDCWD, a[0], a[1], a[2]);
    case SYS_readlinkat: return sys_readlinkat(p, fd_arg, a[1], a[2], a[3]);
    case SYS_access: {
      auto path = guest_string(p, a[0]);
      return path ? host_result(::access(p.files.host_path(*path).c_str(), static_cast<int>(a[1]))) : -EFAULT;
    }
    case SYS_statfs: {
      auto path = guest_string(p, a[0]);
      auto* out = guest_ptr<struct statfs>(p, a[1]);
      if (!path || out == nullptr) return -EFAULT;
      return host_result(::statfs(p.files.host_path(*path).c_str(), out));
    }
    case SYS_getcwd: {
      char* out = guest_ptr<char>(p, a[0], a[1]);
      if (out == nullptr) return -EFAULT;
      return ::getcwd(out, a[1]) == nullptr ? -errno : static_cast<std::int64_t>(std::strlen(out) + 1);
    }

    case SYS_brk: return static_cast<std::int64_t>(p.space.brk(a[0]));
    case SYS_mmap: return sys_mmap(p, a);
    case SYS_munmap: return p.space.unmap(a[0], a[1]) ? 0 : -EINVAL;
    case SYS_mprotect: return 0;  // guest pages are all read-write-execute
    case SYS_madvise: return sys_madvise(p, a);

    // ARCH_SET_FS, set_tid_address, set_robust_list and rseq never come here: the
    // supervisor answers them (supervisor.S).
    case SYS_arch_prctl:
      if (static_cast<std::int64_t>(a[0]) == kArchGetFs) {
        auto base = fs_base(p.vcpu);
        return base ? copy_out(p, a[1], *base) : -EINVAL;
      }
      return -EINVAL;
    case SYS_gettid:
    case SYS_getpid: return ::getpid();
    case SYS_getppid: return ::getppid();
    case SYS_getuid: return ::getuid();
    case SYS_geteuid: return ::geteuid();
    case SYS_getgid: return ::getgid();
    case SYS_getegid: return ::getegid();
    case SYS_prlimit64: return sys_prlimit(p, a);
    case SYS_sched_getaffinity: return sys_sched_getaffinity(p, a);
    case SYS_sched_yield: return 0;
    case SYS_getrandom: {
      void* out = p.space.host(a[0], a[1]);
      return out == nullptr ? -EFAULT : host_result(::getrandom(out, a[1], static_cast<unsigned>(a[2])));
    }
    case SYS_uname: {
      auto* out = guest_ptr<utsname>(p, a[0]);
      return out == nullptr ? -EFAULT : host_result(::uname(out));
    }
    case SYS_sysinfo: {
      auto* out = guest_ptr<struct sysinfo>(p, a[0]);
      return out == nullptr ? -EFAULT : host_result(::sysinfo(out));
    }

    case SYS_clock_gettime:
    case SYS_clock_getres: {
      auto* out = guest_ptr<timespec>(p, a[1]);
      if (out == nullptr && !(number == SYS_clock_getres && a[1] == 0)) return -EFAULT;
      const auto clock = static_cast<clockid_t>(a[0]);
      return host_result(number == SYS_clock_gettime ? ::clock_gettime(clock, out) : ::clock_getres(clock, out));
    }
    case SYS_gettimeofday: {
      auto* out = guest_ptr<timeval>(p, a[0]);
      return out == nullptr ? -EFAULT : host_result(::gettimeofday(out, nullptr));
    }
    case SYS_time: {
      std::int64_t now = ::time(nullptr);
      if (a[0] != 0 && copy_out(p, a[0], now) != 0) return -EFAULT;
      return now;
    }
    case SYS_nanosleep:
    case SYS_clock_nanosleep: {
      const bool clock = number == SYS_clock_nanosleep;
      const auto* request = guest_ptr<const timespec>(p, clock ? a[2] : a[0]);
      if (request == nullptr) return -EFAULT;
      timespec* remain = (clock ? a[3] : a[1]) ? guest_ptr<timespec>(p, clock ? a[3] : a[1]) : nullptr;
      if (clock) return -::clock_nanosleep(static_cast<clockid_t>(a[0]), static_cast<int>(a[1]), request, remain);
      return host_result(::nanosleep(request, remain));
    }
    case SYS_futex: {
      // One thread: nobody else can wake a waiter or be woken.
      int op = static_cast<int>(a[1]) & FUTEX_CMD_MASK;
      return op == FUTEX_WAKE ? 0 : -EAGAIN;
    }

    // The kernel's sigaction, not glibc's: handler, flags, restorer, then the mask.
    case SYS_rt_sigaction: return a[3] > 128 ? -EINVAL : zero_out(p, a[2], 3 * sizeof(std::uint64_t) + a[3]);
    case SYS_rt_sigprocmask: return a[3] > 128 ? -EINVAL : zero_out(p, a[2], a[3]);
    case SYS_sigaltstack: return 0;
    case SYS_kill: return sys_signal_to_self(p, static_cast<std::int64_t>(static_cast<pid_t>(a[0])), static_cast<int>(a[1]));
    case SYS_tkill: return sys_signal_to_self(p, static_cast<std::int64_t>(static_cast<pid_t>(a[0])), static_cast<int>(a[1]));
    case SYS_tgkill: return sys_signal_to_self(p, static_cast<std::int64_t>(static_cast<pid_t>(a[0])), static_cast<int>(a[2]));

    case SYS_exit:
    case SYS_exit_group: p.exit_code = static_cast<int>(a[0] & 0xff); return 0;
    default: break;
  }
  std::string name = system_call_name(number) + " (" + std::to_string(number) + ")";
  if (std::find(p.unsupported.begin(), p.unsupported.end(), name) == p.unsupported.end()) p.unsupported.push_back(name);
  return -ENOSYS;
}

std::string system_call_name(std::uint64_t number) {
  struct Named {
    std::uint64_t number;
    const char* name;
  };
  static constexpr Named kNames[] = {
      {SYS_clone, "clone"},     {SYS_clone3, "clone3"},     {SYS_fork, "fork"},       {SYS_vfork, "vfork"},
      {SYS_execve, "execve"},   {SYS_wait4, "wait4"},       {SYS_pipe, "pipe"},       {SYS_pipe2, "pipe2"},
      {SYS_socket, "socket"},   {SYS_connect, "connect"},   {SYS_bind, "bind"},       {SYS_listen, "listen"},
      {SYS_accept, "accept"},   {SYS_accept4, "accept4"},   {SYS_sendto, "sendto"},   {SYS_recvfrom, "recvfrom"},
      {SYS_poll, "poll"},       {SYS_ppoll, "ppoll"},       {SYS_epoll_create1, "epoll_create1"},
      {SYS_dup, "dup"},         {SYS_dup2, "dup2"},         {SYS_dup3, "dup3"},       {SYS_statx, "statx"},
      {SYS_mremap, "mremap"},   {SYS_setsid, "setsid"},     {SYS_unshare, "unshare"}, {SYS_mount, "mount"},
      {SYS_rt_sigreturn, "rt_sigreturn"}, {SYS_pause, "pause"}, {SYS_faccessat2, "faccessat2"},
  };
  for (const Named& named : kNames)
    if (named.number == number) return named.name;
  return "syscall " + std::to_string(number);
}

}  // namespace isobench::microvm
