// cgroup v2: one directory in the unified hierarchy. The child can be born in it
// (clone3 CLONE_INTO_CGROUP, Linux 5.7) instead of joining it after the clone.
#include <fcntl.h>
#include <unistd.h>

#include <cmath>

#include "cgroup.hpp"
#include "cgroup_files.hpp"

namespace isobench {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kCpuPeriodUs = 100'000;

bool has_word(const std::string& text, const std::string& word) {
  std::size_t pos = 0;
  while ((pos = text.find(word, pos)) != std::string::npos) {
    bool starts = pos == 0 || text[pos - 1] == ' ' || text[pos - 1] == '\n';
    std::size_t end = pos + word.size();
    bool ends = end == text.size() || text[end] == ' ' || text[end] == '\n';
    if (starts && ends) return true;
    pos = end;
  }
  return false;
}

class CgroupV2 final : public Cgroup {
 public:
  explicit CgroupV2(fs::path dir) : dir_(std::move(dir)) {}
  ~CgroupV2() override { (void)remove(); }

  std::vector<int> procs_fds() const override {
    if (!procs_) return {};
    return {procs_.get()};
  }
  int directory_fd() const override { return directory_.get(); }

  Result<std::uint64_t> oom_kills() const override {
    auto text = cgroup_files::read(dir_, "memory.events");
    if (!text) return std::unexpected(text.error());
    return cgroup_files::keyed_value(*text, "oom_kill").value_or(0);
  }

  Result<void> remove() override {
    if (!created_) return {};
    procs_.reset();
    directory_.reset();
    // cgroup.kill (5.14) kills whatever is left, so rmdir does not fail with EBUSY on a
    // process that escaped the container's PID 1 (none can, with a PID namespace).
    if (::access((dir_ / "cgroup.kill").c_str(), W_OK) == 0) {
      auto events = cgroup_files::read(dir_, "cgroup.events");
      if (events && cgroup_files::keyed_value(*events, "populated").value_or(0) != 0)
        (void)cgroup_files::write(dir_, "cgroup.kill", "1");
    }
    created_ = false;
    return cgroup_files::remove_directory(dir_);
  }

  CgroupVersion version() const override { return CgroupVersion::kV2; }
  std::vector<fs::path> directories() const override {
    if (!created_) return {};
    return {dir_};
  }

  Result<void> create(const Limits& limits, bool for_clone_into) {
    fs::path parent = dir_.parent_path();
    if (auto enabled = enable_controllers(parent, limits); !enabled) return enabled;
    if (auto made = cgroup_files::make_directory(dir_); !made) return made;
    created_ = true;
    if (limits.memory_bytes) {
      if (auto done = cgroup_files::write(dir_, "memory.max", std::to_string(*limits.memory_bytes)); !done) return done;
      // Without this the limit only pushes pages to swap, and an OOM never comes.
      if (::access((dir_ / "memory.swap.max").c_str(), F_OK) == 0)
        if (auto done = cgroup_files::write(dir_, "memory.swap.max", "0"); !done) return done;
    }
    if (limits.pids) {
      if (auto done = cgroup_files::write(dir_, "pids.max", std::to_string(*limits.pids)); !done) return done;
    }
    if (limits.cpus) {
      auto quota = static_cast<std::uint64_t>(std::llround(*limits.cpus * kCpuPeriodUs));
      if (auto done = cgroup_files::write(dir_, "cpu.max", std::to_string(quota) + " " + std::to_string(kCpuPeriodUs));
          !done)
        return done;
    }
    if (for_clone_into) {
      directory_.reset(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!directory_) return fail_errno("open " + in_quotes(dir_));
    } else {
      fs::path procs = dir_ / "cgroup.procs";
      procs_.reset(::open(procs.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
      if (!procs_) return fail_errno("open " + in_quotes(procs));
    }
    return {};
  }

 private:
  // A controller's files appear in a child only once the parent lists it in
  // cgroup.subtree_control; it must first be in the parent's cgroup.controllers.
  static Result<void> enable_controllers(const fs::path& parent, const Limits& limits) {
    std::vector<std::string> wanted;
    if (limits.memory_bytes) wanted.push_back("memory");
    if (limits.pids) wanted.push_back("pids");
    if (limits.cpus) wanted.push_back("cpu");
    if (wanted.empty()) return {};
    auto available = cgroup_files::read(parent, "cgroup.controllers");
    if (!available) return std::unexpected(available.error());
    auto enabled = cgroup_files::read(parent, "cgroup.subtree_control");
    if (!enabled) return std::unexpected(enabled.error());
    std::string change;
    for (const auto& controller : wanted) {
      if (!has_word(*available, controller))
        return fail("controller `" + controller + "` is not available in " + in_quotes(parent / "cgroup.controllers") +
                    " (on a hybrid host it is bound to cgroup v1)");
      if (!has_word(*enabled, controller)) change += (change.empty() ? "+" : " +") + controller;
    }
    if (change.empty()) return {};
    return cgroup_files::write(parent, "cgroup.subtree_control", change);
  }

  fs::path dir_;
  bool created_ = false;
  UniqueFd procs_;
  UniqueFd directory_;
};

}  // namespace

Result<std::unique_ptr<Cgroup>> create_cgroup_v2(const fs::path& root, const std::string& name, const Limits& limits,
                                                 bool for_clone_into) {
  auto cgroup = std::make_unique<CgroupV2>(root / name);
  if (auto made = cgroup->create(limits, for_clone_into); !made)
    return std::unexpected(made.error().with_context("cgroup v2"));
  return cgroup;
}

}  // namespace isobench
