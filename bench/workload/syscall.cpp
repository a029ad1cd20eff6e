// syscall OP [SECONDS]: the cost of one kernel entry of a given kind, in ns per
// operation, timed inside the instance for about SECONDS (default 0.3) after a warm-up.
// OP `all` measures every kind in turn, so one instance (one guest boot) gives them all.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>
#include <vector>

#include "measure.hpp"
#include "runtimes/common/quote.hpp"
#include "workload.hpp"

namespace workload {
namespace {

constexpr double kDefaultSeconds = 0.3;

// One operation kind, set up before the timed window and released in its destructor.
class Operation {
 public:
  virtual ~Operation() = default;
  // Runs `n` operations and returns the nanoseconds they took.
  virtual std::optional<std::int64_t> batch(std::uint64_t n, std::string& error) = 0;
  virtual void describe(JsonObject&) const {}
};

// Runs `body` n times between two clock reads: for operations needing no set-up per op.
template <class Body>
std::optional<std::int64_t> timed_loop(std::uint64_t n, Body&& body) {
  std::int64_t start = monotonic_now_ns();
  for (std::uint64_t i = 0; i < n; ++i)
    if (!body()) return std::nullopt;
  return monotonic_now_ns() - start;
}

class Getpid final : public Operation {
 public:
  std::optional<std::int64_t> batch(std::uint64_t n, std::string&) override {
    // The raw system call: glibc's getpid() has cached the pid in some versions.
    return timed_loop(n, [] { return ::syscall(SYS_getpid) > 0; });
  }
};

std::string read_small_file(const char* path) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[128];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

class ClockGettime final : public Operation {
 public:
  std::optional<std::int64_t> batch(std::uint64_t n, std::string& error) override {
    timespec ts{};
    volatile std::int64_t sink = 0;
    auto ns = timed_loop(n, [&] {
      if (::clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return false;
      sink = sink + ts.tv_nsec;
      return true;
    });
    if (!ns) error = errno_message("clock_gettime");
    return ns;
  }
  // The vDSO answers without entering the kernel only for clock sources it can read
  // from user space (tsc, kvm-clock); others (hpet, acpi_pm) fall back to the syscall.
  void describe(JsonObject& out) const override {
    std::string source = read_small_file("/sys/devices/system/clocksource/clocksource0/current_clocksource");
    out.add("clocksource", source.empty() ? "unknown" : source);
  }
};

// A one-byte round trip between this process and a child over two pipes.
class PipePingPong final : public Operation {
 public:
  bool start(std::string& error) {
    if (::pipe2(to_child_.data(), O_CLOEXEC) != 0 || ::pipe2(to_parent_.data(), O_CLOEXEC) != 0) {
      error = errno_message("pipe2");
      return false;
    }
    child_ = ::fork();
    if (child_ < 0) {
      error = errno_message("fork");
      return false;
    }
    if (child_ == 0) {
      // The child's copies of the parent's ends would keep the pipes open forever.
      ::close(to_child_[1]);
      ::close(to_parent_[0]);
      char byte;
      while (::read(to_child_[0], &byte, 1) == 1)
        if (::write(to_parent_[1], &byte, 1) != 1) ::_exit(1);
      ::_exit(0);
    }
    close_fd(to_child_[0]);
    close_fd(to_parent_[1]);
    return true;
  }
  ~PipePingPong() override {
    close_fd(to_child_[1]);  // end of file: the child leaves its loop
    if (child_ > 0) {
      int status;
      while (::waitpid(child_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    for (int fd : to_child_) close_fd(fd);
    for (int fd : to_parent_) close_fd(fd);
  }
  std::optional<std::int64_t> batch(std::uint64_t n, std::string& error) override {
    char byte = 'x';
    auto ns = timed_loop(n, [&] {
      return ::write(to_child_[1], &byte, 1) == 1 && ::read(to_parent_[0], &byte, 1) == 1;
    });
    if (!ns) error = errno_message("pipe round trip");
    return ns;
  }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  std::array<int, 2> to_child_{-1, -1};
  std::array<int, 2> to_parent_{-1, -1};
  pid_t child_ = -1;
};

// The workload's own executable: a regular file that exists in every backend (the
// guest's /init, the path inside a container's rootfs).
std::string own_path() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0 || buf[0] != '/') return "/";
  return std::string(buf, static_cast<std::size_t>(n));
}

class OpenClose final : public Operation {
 public:
  std::optional<std::int64_t> batch(std::uint64_t n, std::string& error) override {
    auto ns = timed_loop(n, [&] {
      int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
      return fd >= 0 && ::close(fd) == 0;
    });
    if (!ns) error = errno_message("open+close " + path_);
    return ns;
  }
  void describe(JsonObject& out) const override { out.add("path", path_); }

 private:
  std::string path_ = own_path();
};

class Stat final : public Operation {
 public:
  std::optional<std::int64_t> batch(std::uint64_t n, std::string& error) override {
    struct stat st {};
    auto ns = timed_loop(n, [&] { return ::stat(path_.c_str(), &st) == 0; });
    if (!ns) error = errno_message("stat " + path_);
    return ns;
  }
  void describe(JsonObject& out) const override { out.add("path", path_); }

 private:
  std::string path_ = own_path();
};

class MmapTouchMunmap final : public Operation {
 public:
  std::optional<std::int64_t> batch(std::uint64_t n, std::string& error) override {
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    auto ns = timed_loop(n, [&] {
      void* p = ::mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) return false;
      *static_cast<volatile char*>(p) = 1;
      return ::munmap(p, page) == 0;
    });
    if (!ns) error = errno_message("mmap/munmap one page");
    return ns;
  }
};

class ForkWait final : public Operation {
 public:
  std::optional<std::int64_t> batch(std::uint64_t n, std::string& error) override {
    auto ns = timed_loop(n, [&] {
      pid_t pid = ::fork();
      if (pid < 0) return false;
      if (pid == 0) ::_exit(0);
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return false;
      return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    });
    if (!ns) error = errno_message("fork+wait");
    return ns;
  }
};

// First-touch faults of 4 KiB anonymous pages; only the touches are timed, the mmap and
// munmap of each region are not.
class PageFault final : public Operation {
 public:
  std::optional<std::int64_t> batch(std::uint64_t n, std::string& error) override {
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::int64_t total = 0;
    while (n > 0) {
      std::uint64_t pages = n < kRegionPages ? n : kRegionPages;
      std::size_t bytes = pages * page;
      void* region = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (region == MAP_FAILED) {
        error = errno_message("mmap fault region");
        return std::nullopt;
      }
      // Transparent huge pages would turn 512 faults into one.
      ::madvise(region, bytes, MADV_NOHUGEPAGE);
      auto* bytes_at = static_cast<volatile char*>(region);
      std::int64_t start = monotonic_now_ns();
      for (std::uint64_t i = 0; i < pages; ++i) bytes_at[i * page] = 1;
      total += monotonic_now_ns() - start;
      ::munmap(region, bytes);
      n -= pages;
    }
    return total;
  }

 private:
  static constexpr std::uint64_t kRegionPages = 4096;
};

struct OperationEntry {
  const char* name;
  std::unique_ptr<Operation> (*make)(std::string& error);
};

template <class Op>
std::unique_ptr<Operation> make_simple(std::string&) {
  return std::make_unique<Op>();
}

std::unique_ptr<Operation> make_pipe_ping_pong(std::string& error) {
  auto op = std::make_unique<PipePingPong>();
  if (!op->start(error)) return nullptr;
  return op;
}

constexpr OperationEntry kOperations[] = {
    {"getpid", make_simple<Getpid>},
    {"clock_gettime", make_simple<ClockGettime>},
    {"pipe", make_pipe_ping_pong},
    {"open_close", make_simple<OpenClose>},
    {"stat", make_simple<Stat>},
    {"mmap", make_simple<MmapTouchMunmap>},
    {"fork", make_simple<ForkWait>},
    {"pagefault", make_simple<PageFault>},
};

std::string operation_names() {
  std::string out;
  for (const auto& entry : kOperations) out += std::string(out.empty() ? "" : ", ") + entry.name;
  return out;
}

}  // namespace

std::span<const std::string_view> syscall_operations() {
  static const auto kNames = [] {
    std::array<std::string_view, std::size(kOperations)> names{};
    for (std::size_t i = 0; i < names.size(); ++i) names[i] = kOperations[i].name;
    return names;
  }();
  return kNames;
}

int run_syscall(std::span<const std::string> args, JsonObject& out, std::string& error) {
  if (args.empty() || args.size() > 2) {
    error = "syscall takes OP [SECONDS]; OP is all or one of: " + operation_names();
    return kUsage;
  }
  std::vector<const OperationEntry*> selected;
  for (const auto& candidate : kOperations)
    if (args[0] == "all" || args[0] == candidate.name) selected.push_back(&candidate);
  if (selected.empty()) {
    error = "unknown OP " + isobench::quote_input(args[0]) + " (all, or one of: " + operation_names() + ")";
    return kUsage;
  }
  std::optional<double> seconds = args.size() == 2 ? parse_seconds(args[1]) : kDefaultSeconds;
  if (!seconds || *seconds <= 0 || *seconds > 3600) {
    error = "bad SECONDS " + isobench::quote_input(args[1]);
    return kUsage;
  }
  auto budget = static_cast<std::int64_t>(*seconds * 1e9);
  // In `all`, an operation whose system call does not exist where the workload runs (a
  // guest with no OS and one process has no fork) is reported as unavailable, with the
  // reason, and the others are still measured; asked for alone, it fails the run.
  auto unavailable = [&](const OperationEntry* entry, int err) {
    if (args[0] != "all" || err != ENOSYS) return false;
    JsonObject figures;
    figures.add("unavailable", error);
    out.add_raw(entry->name, figures.str());
    error.clear();
    return true;
  };
  for (const OperationEntry* entry : selected) {
    std::unique_ptr<Operation> op = entry->make(error);
    if (!op) {
      if (unavailable(entry, errno)) continue;
      return kFailed;
    }
    auto batch = [&](std::uint64_t n) { return op->batch(n, error); };
    // Warm-up: caches, TLB, lazily bound paths, the pipe partner scheduled once.
    if (!run_for(budget / 10, batch)) {
      if (unavailable(entry, errno)) continue;
      return kFailed;
    }
    auto run = run_for(budget, batch);
    if (!run) return kFailed;
    JsonObject figures;
    figures.add("ops", run->ops).add("seconds", run->seconds()).add("ns_per_op", run->ns_per_op());
    op->describe(figures);
    out.add_raw(entry->name, figures.str());
  }
  return kDone;
}

}  // namespace workload
