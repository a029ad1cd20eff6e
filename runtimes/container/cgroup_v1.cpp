// cgroup v1: one directory per controller hierarchy (memory, pids, cpu), each joined
// through its own `tasks` file. Used on legacy and hybrid hosts, where those
// controllers are bound to v1 and a cgroup2 mount cannot use them.
#include <fcntl.h>

#include <cmath>

#include "cgroup.hpp"
#include "cgroup_files.hpp"

namespace isobench {
namespace {

namespace fs = std::filesystem;

// CFS bandwidth period for --cpus (the kernel's default period, as runc uses).
constexpr std::uint64_t kCpuPeriodUs = 100'000;

class CgroupV1 final : public Cgroup {
 public:
  CgroupV1(fs::path memory, fs::path pids, fs::path cpu)
      : memory_(std::move(memory)), pids_(std::move(pids)), cpu_(std::move(cpu)) {}
  ~CgroupV1() override { (void)remove(); }

  std::vector<int> procs_fds() const override {
    std::vector<int> fds;
    for (const auto& fd : procs_) fds.push_back(fd.get());
    return fds;
  }
  int directory_fd() const override { return -1; }

  Result<std::uint64_t> oom_kills() const override {
    auto text = cgroup_files::read(memory_, "memory.oom_control");
    if (!text) return std::unexpected(text.error());
    // "oom_kill" appeared in 4.13; before it only under_oom is there.
    return cgroup_files::keyed_value(*text, "oom_kill").value_or(0);
  }

  Result<void> remove() override {
    procs_.clear();
    Result<void> first;
    for (auto& dir : created_) {
      auto removed = cgroup_files::remove_directory(dir);
      if (!removed && first) first = removed;
    }
    created_.clear();
    return first;
  }

  CgroupVersion version() const override { return CgroupVersion::kV1; }
  std::vector<fs::path> directories() const override { return created_; }

  Result<void> create(const Limits& limits) {
    for (const fs::path* dir : {&memory_, &pids_, &cpu_}) {
      if (auto made = cgroup_files::make_directory(*dir); !made) return made;
      created_.push_back(*dir);
    }
    if (limits.memory_bytes) {
      if (auto done = cgroup_files::write(memory_, "memory.limit_in_bytes", std::to_string(*limits.memory_bytes)); !done)
        return done;
    }
    if (limits.pids) {
      if (auto done = cgroup_files::write(pids_, "pids.max", std::to_string(*limits.pids)); !done) return done;
    }
    if (limits.cpus) {
      auto quota = static_cast<std::uint64_t>(std::llround(*limits.cpus * kCpuPeriodUs));
      if (auto done = cgroup_files::write(cpu_, "cpu.cfs_period_us", std::to_string(kCpuPeriodUs)); !done) return done;
      if (auto done = cgroup_files::write(cpu_, "cpu.cfs_quota_us", std::to_string(quota)); !done) return done;
    }
    // The child joins through `tasks`, not cgroup.procs: it writes "0" while it is
    // single-threaded, and a thread moving itself is a write the kernel (6.18 here) lets
    // through without taking cgroup_threadgroup_rwsem for writing. cgroup.procs
    // takes it, and that waits for an RCU grace period unless another cgroup writer passed
    // within the last one: 9.6 ms per write on these machines against 0.03 ms through
    // `tasks`, paid by about half of the container starts, so their median flipped with
    // whatever ran before them.
    for (const auto& dir : created_) {
      fs::path path = dir / "tasks";
      UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
      if (!fd) return fail_errno("open " + in_quotes(path));
      procs_.push_back(std::move(fd));
    }
    return {};
  }

 private:
  fs::path memory_, pids_, cpu_;
  std::vector<fs::path> created_;
  std::vector<UniqueFd> procs_;
};

}  // namespace

Result<std::unique_ptr<Cgroup>> create_cgroup_v1(const fs::path& root, const std::string& name, const Limits& limits) {
  auto cgroup = std::make_unique<CgroupV1>(root / "memory" / name, root / "pids" / name, root / "cpu" / name);
  if (auto made = cgroup->create(limits); !made)
    return std::unexpected(made.error().with_context("cgroup v1"));  // the destructor removes what was made
  return cgroup;
}

}  // namespace isobench
