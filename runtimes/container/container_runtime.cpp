#include "container_runtime.hpp"
#include "privileges.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "runtimes/common/format.hpp"
#include "runtimes/common/process_instance.hpp"
#include "runtimes/common/spawn.hpp"
#include "child_failure.hpp"
#include "loopback.hpp"
#include "namespaces.hpp"

namespace isobench {
namespace {

// Everything the child needs, prepared before the clone: after it the child only makes
// system calls (the parent may have other threads, e.g. libvirt's event loop, so the
// child must not allocate).
struct ChildPlan {
  int stdin_fd = -1;
  int stdout_fd = -1;
  int failure_fd = -1;
  int sync_fd = -1;  // with a user namespace: EOF once the parent wrote the id maps
  int sync_write_fd = -1;  // the parent's end, closed in the child so that EOF can come
  std::vector<int> cgroup_procs_fds;
  bool unshare_cgroup_namespace = false;  // after joining the cgroup, so it becomes the root
  const char* hostname = nullptr;
  bool loopback = false;
  int netns_fd = -1;  // join this network namespace (the net suite's veth set-up)
  RootfsPlan rootfs;
  const char* exec_path = nullptr;
  std::vector<char*> argv;
  std::vector<char*> envp;
};

[[noreturn]] void run_child(const ChildPlan& plan) {
  if (plan.sync_fd >= 0) {
    ::close(plan.sync_write_fd);
    char byte;
    while (::read(plan.sync_fd, &byte, 1) > 0) {
    }
  }
  for (int fd : plan.cgroup_procs_fds)
    if (::write(fd, "0", 1) != 1) report_child_failure(plan.failure_fd, "join cgroup", "", errno);
  if (plan.netns_fd >= 0 && ::setns(plan.netns_fd, CLONE_NEWNET) != 0)
    report_child_failure(plan.failure_fd, "join network namespace", "", errno);
  if (plan.unshare_cgroup_namespace && ::unshare(CLONE_NEWCGROUP) != 0)
    report_child_failure(plan.failure_fd, "unshare cgroup namespace", "", errno);
  if (plan.hostname != nullptr && ::sethostname(plan.hostname, std::strlen(plan.hostname)) != 0)
    report_child_failure(plan.failure_fd, "sethostname", plan.hostname, errno);
  if (plan.loopback)
    if (int err = bring_up_loopback(); err != 0) report_child_failure(plan.failure_fd, "bring up loopback", "lo", err);
  enter_rootfs(plan.rootfs, plan.failure_fd);
  if (::dup2(plan.stdin_fd, 0) < 0 || ::dup2(plan.stdout_fd, 1) < 0 || ::dup2(plan.stdout_fd, 2) < 0)
    report_child_failure(plan.failure_fd, "dup2 stdio", "", errno);
  const char* failed_step = nullptr;
  if (int err = drop_privileges(&failed_step); err != 0) report_child_failure(plan.failure_fd, failed_step, "", err);
  ::execve(plan.exec_path, plan.argv.data(), plan.envp.data());
  report_child_failure(plan.failure_fd, "execve", plan.exec_path, errno);
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

Result<void> write_id_maps(pid_t pid) {
  std::string proc = "/proc/" + std::to_string(pid);
  auto write_file = [](const std::string& path, const std::string& text) -> Result<void> {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return fail_errno("open " + in_quotes(path));
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      return fail_errno("write " + in_quotes(path));
    return {};
  };
  // As root the whole id range maps onto itself; otherwise only our own ids can map, and
  // setgroups must be denied before gid_map may be written (Linux 3.19).
  if (::geteuid() == 0) {
    if (auto done = write_file(proc + "/uid_map", "0 0 4294967295"); !done) return done;
    return write_file(proc + "/gid_map", "0 0 4294967295");
  }
  if (auto done = write_file(proc + "/uid_map", "0 " + std::to_string(::geteuid()) + " 1"); !done) return done;
  if (auto done = write_file(proc + "/setgroups", "deny"); !done) return done;
  return write_file(proc + "/gid_map", "0 " + std::to_string(::getegid()) + " 1");
}

class ContainerInstance final : public ProcessInstance {
 public:
  ContainerInstance(ChildProcess child, LineReader output, UniqueFd failures, std::unique_ptr<Cgroup> cgroup,
                    Limits limits, std::map<std::string, std::string> attributes)
      : ProcessInstance(std::move(child), std::move(output)),
        failures_(std::move(failures)),
        cgroup_(std::move(cgroup)),
        limits_(limits),
        attributes_(std::move(attributes)) {}
  ~ContainerInstance() override { teardown_in_destructor(); }

  std::map<std::string, std::string> attributes() const override { return attributes_; }

 protected:
  std::string explain_failure(const ExitStatus& status, bool has_result) override {
    if (status.success()) return ProcessInstance::explain_failure(status, has_result);
    if (cgroup_ && limits_.memory_bytes) {
      auto kills = cgroup_->oom_kills();
      if (kills && *kills > 0) return "killed: out of memory (limit " + format_bytes(*limits_.memory_bytes) + ")";
    }
    // Read once: readiness and exit both ask when the child failed before exec.
    if (failures_) {
      ChildFailure failure{};
      if (::read(failures_.get(), &failure, sizeof failure) == static_cast<ssize_t>(sizeof failure))
        setup_failure_ = "container setup: " + describe(failure);
      failures_.reset();
    }
    if (!setup_failure_.empty()) return setup_failure_;
    return ProcessInstance::explain_failure(status, has_result);
  }

  Result<void> release_resources() override {
    failures_.reset();
    Result<void> released;
    if (cgroup_) {
      auto removed = cgroup_->remove();
      cgroup_.reset();
      if (!removed) released = std::unexpected(removed.error().with_context("container"));
    }
    plant_slowdown();
    return released;
  }

 private:
  // Test-only regression (CMake option; never in a normal build): the whole life so far,
  // made ISOBENCH_PLANTED_CONTAINER_SLOWDOWN_PCT percent longer just before "torn_down"
  // is marked. Busy work rather than a sleep, whose timer slack would blur the size.
  void plant_slowdown() {
#ifdef ISOBENCH_PLANTED_CONTAINER_SLOWDOWN_PCT
    auto launched = phases().at("launch");
    if (!launched) return;
    const std::int64_t now = monotonic_ns();
    const std::int64_t until = now + (now - *launched) * ISOBENCH_PLANTED_CONTAINER_SLOWDOWN_PCT / 100;
    while (monotonic_ns() < until) {
    }
#endif
  }

  UniqueFd failures_;
  std::string setup_failure_;
  std::unique_ptr<Cgroup> cgroup_;
  Limits limits_;
  std::map<std::string, std::string> attributes_;
};

}  // namespace

ContainerSpec default_container_spec(RootfsMode rootfs) {
  ContainerSpec spec;
  for (const char* name : kDefaultNamespaces) spec.namespaces |= *namespace_flag(name);
  // Without root a user namespace gives the capabilities the other namespaces need, but
  // no cgroup can be created (no delegation is assumed).
  if (::geteuid() != 0) {
    spec.namespaces |= CLONE_NEWUSER;
  } else {
    spec.cgroup = host_cgroup_placement();
  }
  spec.rootfs = rootfs;
  return spec;
}

Result<std::unique_ptr<Instance>> launch_container(const ContainerSpec& spec, const ContainerImage& image,
                                                   const LaunchOptions& options) {
  std::int64_t launch_ns = monotonic_ns();
  const bool user_ns = spec.namespaces & CLONE_NEWUSER;
  if (options.network.kind == NetworkAttachment::Kind::kTap) return fail("container: a tap device is for guests");
  const bool in_image = spec.rootfs != RootfsMode::kHost;
  if (spec.rootfs == RootfsMode::kPivotRoot && !(spec.namespaces & CLONE_NEWNS))
    return fail("container: pivot_root needs a mount namespace");
  if (!options.limits.empty() && spec.cgroup.version == CgroupVersion::kNone)
    return fail("container: limits (" + options.limits.describe() + ") need a cgroup, and " +
                (::geteuid() != 0 ? std::string("creating one needs root") : "this host has no cgroup hierarchy"));

  std::unique_ptr<Cgroup> cgroup;
  if (spec.cgroup.version != CgroupVersion::kNone) {
    auto created = create_cgroup(spec.cgroup, unique_cgroup_name("container"), options.limits);
    if (!created) return std::unexpected(created.error().with_context("container"));
    cgroup = std::move(*created);
  }

  auto output = make_pipe();
  if (!output) return std::unexpected(output.error().with_context("container"));
  auto failures = make_pipe();
  if (!failures) return std::unexpected(failures.error().with_context("container"));
  std::optional<Pipe> sync;
  if (user_ns) {
    auto made = make_pipe();
    if (!made) return std::unexpected(made.error().with_context("container"));
    sync = std::move(*made);
  }
  UniqueFd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!dev_null) return fail_errno("container: open `/dev/null`");

  // The net suite's modes: the host's network (as `--net host`), or a prepared namespace
  // joined instead of a new empty one.
  ContainerSpec effective = spec;
  UniqueFd netns;
  using NetKind = NetworkAttachment::Kind;
  if (options.network.kind != NetKind::kOwn) {
    effective.namespaces &= ~static_cast<std::uint64_t>(CLONE_NEWNET);
    effective.loopback = false;
  }
  if (options.network.kind == NetKind::kJoin) {
    netns = UniqueFd(::open(options.network.netns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!netns) return fail_errno("container: open network namespace " + in_quotes(options.network.netns_path));
  }
  const ContainerSpec& spec_in_use = effective;

  std::vector<std::string> argv = options.workload.argv(in_image ? image.binary_in_image : image.host_binary.string());
  std::vector<std::string> env = {"PATH=/", "HOME=/", "container=isobench"};
  std::string exec_path = argv[0];
  std::string hostname = spec_in_use.hostname;

  ChildPlan plan;
  plan.stdin_fd = dev_null.get();
  plan.stdout_fd = output->write_end.get();
  plan.failure_fd = failures->write_end.get();
  plan.sync_fd = sync ? sync->read_end.get() : -1;
  plan.sync_write_fd = sync ? sync->write_end.get() : -1;
  const bool clone_into = cgroup && cgroup->directory_fd() >= 0;
  if (cgroup && !clone_into) plan.cgroup_procs_fds = cgroup->procs_fds();
  std::uint64_t clone_flags = spec_in_use.namespaces;
  // With CLONE_INTO_CGROUP the new cgroup namespace is rooted at the target cgroup; when
  // the child joins its cgroup itself, it unshares the namespace after joining.
  if (cgroup && !clone_into && (clone_flags & CLONE_NEWCGROUP)) {
    clone_flags &= ~static_cast<std::uint64_t>(CLONE_NEWCGROUP);
    plan.unshare_cgroup_namespace = true;
  }
  if ((spec_in_use.namespaces & CLONE_NEWUTS) && !hostname.empty()) plan.hostname = hostname.c_str();
  plan.loopback = spec_in_use.loopback && (spec_in_use.namespaces & CLONE_NEWNET);
  plan.rootfs = make_rootfs_plan(image.rootfs, spec_in_use.rootfs, spec_in_use.namespaces & CLONE_NEWNS,
                                 spec_in_use.namespaces & CLONE_NEWPID, user_ns);
  plan.netns_fd = netns.get();
  plan.exec_path = exec_path.c_str();
  plan.argv = c_strings(argv);
  plan.envp = c_strings(env);

  int pidfd = -1;
  clone_args args{};
  args.flags = clone_flags | CLONE_PIDFD | (clone_into ? CLONE_INTO_CGROUP : 0);
  args.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  if (clone_into) args.cgroup = static_cast<std::uint64_t>(cgroup->directory_fd());
  std::int64_t cloning_ns = monotonic_ns();
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) run_child(plan);
  if (pid < 0)
    return fail_errno("container: clone3 with " + describe_namespaces(clone_flags) +
                      (clone_into ? " into cgroup " + in_quotes(cgroup->directories().front()) : ""));
  ChildProcess child(static_cast<pid_t>(pid), UniqueFd(pidfd));
  output->write_end.reset();  // so end of stream means the container's PID 1 is gone
  failures->write_end.reset();
  if (sync) {
    sync->read_end.reset();
    if (auto mapped = write_id_maps(child.pid()); !mapped)
      return std::unexpected(mapped.error().with_context("container: user namespace"));
    sync->write_end.reset();
  }

  std::map<std::string, std::string> attributes = {
      {"namespaces", describe_namespaces(spec_in_use.namespaces)},
      {"cgroup", to_string(cgroup ? cgroup->version() : CgroupVersion::kNone) +
                     (cgroup ? (clone_into ? "+clone_into" : "+attach") : "")},
      {"rootfs", to_string(spec_in_use.rootfs)},
  };
  if (options.network.kind == NetKind::kHost) attributes["network"] = "host";
  if (options.network.kind == NetKind::kJoin) attributes["network"] = "joined netns";
  auto instance = std::make_unique<ContainerInstance>(std::move(child), LineReader(std::move(output->read_end)),
                                                      std::move(failures->read_end), std::move(cgroup),
                                                      options.limits, std::move(attributes));
  instance->phases().mark_at("launch", launch_ns);
  instance->phases().mark_at("clone_start", cloning_ns);
  instance->phases().mark("created");
  return instance;
}

}  // namespace isobench
