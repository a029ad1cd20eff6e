#include "qemu_backend.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtimes/common/process_instance.hpp"
#include "runtimes/common/spawn.hpp"
#include "runtimes/guest/net_initramfs.hpp"
#include "qemu_command.hpp"
#include "qmp.hpp"

extern char** environ;

namespace isobench {
namespace {

using namespace guest;
using qemu::QemuGuest;
using qemu::QmpClient;
using qemu::qemu_argv;

constexpr int kQmpFd = 3;

struct QemuIo {
  int stdout_fd;
  int stderr_fd;
  int qmp_fd;  // becomes fd 3 in QEMU
};

// spawn_process() with one more inherited fd: QEMU's end of the QMP socketpair.
Result<ChildProcess> spawn_qemu(const std::vector<std::string>& argv, const QemuIo& io) {
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, io.stdout_fd, 1);
  ::posix_spawn_file_actions_adddup2(&actions, io.stderr_fd, 2);
  ::posix_spawn_file_actions_adddup2(&actions, io.qmp_fd, kQmpFd);  // dup2 clears O_CLOEXEC
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return fail_errno("posix_spawn " + in_quotes(argv[0]), rc);
  return ChildProcess(pid, UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))));
}

class QemuInstance final : public ProcessInstance {
 public:
  QemuInstance(ChildProcess child, LineReader console, UniqueFd stderr_fd, QmpClient qmp,
               std::map<std::string, std::string> attributes)
      : ProcessInstance(std::move(child), std::move(console)),
        stderr_(std::move(stderr_fd)),
        qmp_(std::move(qmp)),
        attributes_(std::move(attributes)) {
    stream().on_console_line([this](const std::string&) {
      if (!phases_.at("ready") && !phases_.at("kernel_started")) phases_.mark("kernel_started");
    });
  }
  ~QemuInstance() override { teardown_in_destructor(); }

  // QEMU was started with -S: wait until its machine is built, then release the vCPUs.
  Result<void> start(Deadline deadline) {
    if (auto greeting = qmp_.await_greeting(deadline); !greeting) return with_qemu_error(greeting.error());
    if (auto caps = qmp_.execute("qmp_capabilities", deadline); !caps) return with_qemu_error(caps.error());
    phases_.mark("created");
    if (auto cont = qmp_.execute("cont", deadline); !cont) return with_qemu_error(cont.error());
    phases_.mark("qemu_up");
    return {};
  }

  Result<Outcome> wait_exit(Deadline deadline) override {
    auto outcome = ProcessInstance::wait_exit(deadline);
    if (outcome && outcome->failure.empty())
      outcome->failure = guest_failure(outcome->result_line, stream().last_console_line());
    return outcome;
  }

  std::map<std::string, std::string> attributes() const override { return attributes_; }

 protected:
  std::string explain_failure(const ExitStatus& status, bool has_result) override {
    if (!status.success()) {
      std::string why = "QEMU " + status.describe();
      std::string errors = qemu_stderr();
      return errors.empty() ? why : why + ": " + errors;
    }
    return has_result ? "" : guest_failure("", stream().last_console_line());
  }

 private:
  // QEMU's last stderr line, once it has exited (its end of the pipe is closed).
  std::string qemu_stderr() {
    if (!stderr_) return {};
    LineReader reader(std::move(stderr_));
    auto text = reader.drain(Deadline::after(std::chrono::milliseconds(200)));
    if (!text) return {};
    while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
    auto nl = text->rfind('\n');
    return nl == std::string::npos ? *text : text->substr(nl + 1);
  }

  // A failed start, with what QEMU said on stderr when it has exited.
  std::unexpected<Error> with_qemu_error(Error error) {
    (void)child().wait(Deadline::after(std::chrono::milliseconds(500)));
    if (!child().running())
      if (std::string errors = qemu_stderr(); !errors.empty()) error.message += " (QEMU: " + errors + ")";
    return std::unexpected(std::move(error));
  }

  UniqueFd stderr_;
  QmpClient qmp_;
  std::map<std::string, std::string> attributes_;
};

class QemuBackend final : public Backend {
 public:
  QemuBackend(const BackendConfig& config, GuestTweaks tweaks) : config_(config), tweaks_(std::move(tweaks)) {}

  std::string name() const override { return "qemu"; }
  BackendTraits traits() const override { return guest_traits(); }
  std::string summary() const override {
    return "the vm guest started by running QEMU directly, no libvirt (" +
           (boot_ ? boot_->accel.accel : std::string("accelerator unknown")) + ")";
  }

  Availability probe() override {
    if (availability_) return *availability_;
    auto boot = prepare_guest_boot(config_);
    if (boot) boot_ = std::move(*boot);
    availability_ = boot ? Availability::yes() : Availability::no(boot.error().describe());
    return *availability_;
  }

  static std::map<std::string, std::string> with_nic(std::map<std::string, std::string> attributes) {
    attributes["network"] = "virtio-net";
    return attributes;
  }

  Result<std::unique_ptr<Instance>> launch(const LaunchOptions& options) override {
    std::int64_t launch_ns = monotonic_ns();
    if (Availability a = probe(); !a.available) return fail("qemu: " + a.reason);
    auto size = guest_size(options.limits);
    if (!size) return std::unexpected(size.error().with_context("qemu"));
    auto cmdline = kernel_cmdline(options.workload, tweaks_, boot_->machine_cmdline);
    if (!cmdline) return std::unexpected(cmdline.error().with_context("qemu"));

    auto console = make_pipe();
    if (!console) return std::unexpected(console.error().with_context("qemu"));
    auto errors = make_pipe();
    if (!errors) return std::unexpected(errors.error().with_context("qemu"));
    int qmp_pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qmp_pair) != 0)
      return fail_errno("qemu: socketpair for QMP");
    UniqueFd qmp_ours(qmp_pair[0]), qmp_theirs(qmp_pair[1]);

    QemuGuest guest{next_guest_name("qemu"), *cmdline, *size, kQmpFd, {}, {}};
    // The net suite: virtio-net on a prepared tap; the guest configures its own address.
    using NetKind = NetworkAttachment::Kind;
    if (options.network.kind == NetKind::kHost || options.network.kind == NetKind::kJoin)
      return fail("qemu: a guest has its own kernel and network stack; it attaches to a tap device");
    const bool nic = options.network.kind == NetKind::kTap;
    if (nic && boot_->machine != "q35")
      return fail("qemu: the " + boot_->machine + " machine has no PCI bus for virtio-net-pci; the net suite needs --vm-machine q35");
    if (nic) {
      auto net_initrd = guest::network_initramfs(boot_->initramfs, boot_->kernel.path,
                                                 config_.state_dir / "guest");
      if (!net_initrd) return std::unexpected(net_initrd.error().with_context("qemu"));
      guest.initrd = net_initrd->string();
      guest.tap = options.network.tap;
      guest.cmdline += " isobench.ip=" + options.network.guest_cidr + " isobench.gw=" + options.network.guest_gateway;
    }
    auto child = spawn_qemu(qemu_argv(*boot_, guest),
                            {console->write_end.get(), errors->write_end.get(), qmp_theirs.get()});
    if (!child) return std::unexpected(child.error().with_context("qemu"));
    console->write_end.reset();  // end of stream then means QEMU is gone
    errors->write_end.reset();
    qmp_theirs.reset();

    auto instance = std::make_unique<QemuInstance>(std::move(*child), LineReader(std::move(console->read_end)),
                                                   std::move(errors->read_end), QmpClient(std::move(qmp_ours)),
                                                   nic ? with_nic(guest_attributes(*boot_)) : guest_attributes(*boot_));
    instance->phases().mark_at("launch", launch_ns);
    // On failure the instance's destructor kills and reaps QEMU.
    if (auto started = instance->start(Deadline::after(options.ready_timeout)); !started)
      return std::unexpected(started.error().with_context("qemu: start"));
    return instance;
  }

  std::vector<DoctorCheck> doctor() override { return guest_doctor_checks(config_); }

  std::map<std::string, std::string> manifest() override {
    if (!probe().available) return {};
    return guest_manifest(*boot_);
  }

 private:
  BackendConfig config_;
  GuestTweaks tweaks_;
  std::optional<Availability> availability_;
  std::optional<GuestBoot> boot_;
};

}  // namespace

std::unique_ptr<Backend> make_qemu_backend(const BackendConfig& config) { return make_qemu_backend(config, {}); }

std::unique_ptr<Backend> make_qemu_backend(const BackendConfig& config, const guest::GuestTweaks& tweaks) {
  return std::make_unique<QemuBackend>(config, tweaks);
}

}  // namespace isobench
