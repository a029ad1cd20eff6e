#include "vm_backend.hpp"

#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "domain_xml.hpp"
#include "runtimes/common/orphan_reaper.hpp"
#include "runtimes/common/unique_fd.hpp"
#include "runtimes/guest/net_initramfs.hpp"
#include "daemon_qemu_user.hpp"
#include "embed_root.hpp"
#include "libvirt_connection.hpp"
#include "vm_instance.hpp"

namespace isobench {
namespace {

using namespace guest;
using vm::LibvirtConnection;

constexpr const char* kStartDaemonHint =
    " (is its libvirtd running? start one with `systemctl start libvirtd`, or without systemd "
    "`virtlogd -d && libvirtd -d`; Debian package libvirt-daemon-system)";

// Whether a system libvirtd answers on this host: its socket accepts a connection. Not
// through libvirt: once a process has loaded the embedded driver, libvirt declines
// remote connections in it ("no connection driver available").
DoctorCheck system_daemon_check() {
  constexpr const char* kSocket = "/run/libvirt/libvirt-sock";
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, kSocket, sizeof(address.sun_path) - 1);
  if (fd && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0)
    return {"system libvirtd", true,
            std::string("a libvirtd answers on ") + kSocket + ": --libvirt-uri qemu:///system runs guests through it", ""};
  return {"system libvirtd", true,
          std::string("none answers on ") + kSocket + " (" + std::strerror(errno) +
              "; optional: only --libvirt-uri qemu:///system needs one)" + kStartDaemonHint,
          ""};
}

class VmBackend final : public Backend {
 public:
  VmBackend(const BackendConfig& config, GuestTweaks tweaks) : config_(config), tweaks_(std::move(tweaks)) {
    if (config_.libvirt_uri.empty()) {
      root_ = vm::embed_root(config_.state_dir);
      uri_ = vm::embed_uri(root_);
    } else {
      uri_ = config_.libvirt_uri;
      vm::parse_embed_uri(uri_, root_);
    }
  }

  std::string name() const override { return "vm"; }
  BackendTraits traits() const override { return guest_traits(); }
  std::string summary() const override {
    std::string accel = boot_ ? boot_->accel.accel : "accelerator unknown";
    return "a transient guest through libvirt (" + uri_ + "), " + accel;
  }

  static std::map<std::string, std::string> with_nic(std::map<std::string, std::string> attributes) {
    attributes["network"] = "virtio-net";
    return attributes;
  }

  Availability probe() override {
    if (availability_) return *availability_;
    availability_ = check();
    return *availability_;
  }

  Result<std::unique_ptr<Instance>> launch(const LaunchOptions& options) override {
    std::int64_t launch_ns = monotonic_ns();
    if (Availability a = probe(); !a.available) return fail("vm: " + a.reason);
    auto size = guest_size(options.limits);
    if (!size) return std::unexpected(size.error().with_context("vm"));
    auto cmdline = kernel_cmdline(options.workload, tweaks_, boot_->machine_cmdline);
    if (!cmdline) return std::unexpected(cmdline.error().with_context("vm"));
    // The net suite: virtio-net on a prepared tap; the guest configures its own address.
    using NetKind = NetworkAttachment::Kind;
    if (options.network.kind == NetKind::kHost || options.network.kind == NetKind::kJoin)
      return fail("vm: a guest has its own kernel and network stack; it attaches to a tap device");
    std::string initrd = boot_->initramfs.path.string();
    const bool nic = options.network.kind == NetKind::kTap;
    if (nic) {
      auto net_initrd = guest::network_initramfs(boot_->initramfs, boot_->kernel.path, config_.state_dir / "guest");
      if (!net_initrd) return std::unexpected(net_initrd.error().with_context("vm"));
      initrd = net_initrd->string();
      *cmdline += " isobench.ip=" + options.network.guest_cidr + " isobench.gw=" + options.network.guest_gateway;
    }

    std::string name = next_guest_name("vm");
    // A system daemon's QEMU (another user) opens the console, kernel and initramfs
    // from this guest's own dir, granted to its group (daemon_qemu_user.hpp).
    std::optional<gid_t> qemu_group;
    if (qemu_user_ && qemu_user_->uid != 0) qemu_group = qemu_user_->gid;
    auto console = vm::ConsoleFifo::create(name, qemu_group);
    if (!console) return std::unexpected(console.error().with_context("vm: console"));
    auto kernel = console->share(boot_->kernel.path, "vmlinuz");
    if (!kernel) return std::unexpected(kernel.error().with_context("vm: kernel for the daemon's QEMU"));
    auto shared_initrd = console->share(initrd, "initrd");
    if (!shared_initrd) return std::unexpected(shared_initrd.error().with_context("vm: initramfs for the daemon's QEMU"));
    auto xml = vm::fill_template(vm::domain_template(),
                                 {{"domain_type", boot_->accel.libvirt_domain_type()},
                                  {"name", name},
                                  {"machine", boot_->machine},
                                  {"memory_mib", std::to_string(size->memory_mib)},
                                  {"vcpus", std::to_string(size->vcpus)},
                                  {"kernel", kernel->string()},
                                  {"initrd", shared_initrd->string()},
                                  {"cmdline", *cmdline},
                                  {"emulator", boot_->qemu_binary.string()},
                                  {"console", console->path().string()}});
    if (!xml) return std::unexpected(xml.error().with_context("vm"));
    if (nic) {
      // An unmanaged tap: libvirt opens the one the harness made and leaves it in place.
      std::string interface = "    <interface type='ethernet'>\n      <target dev='" + vm::xml_escape(options.network.tap) +
                              "' managed='no'/>\n      <model type='virtio'/>\n    </interface>\n  </devices>";
      auto at = xml->rfind("  </devices>");
      if (at == std::string::npos) return fail("vm: the domain template has no </devices>");
      xml->replace(at, std::string("  </devices>").size(), interface);
    }

    if (qemu_group) {
      // The access is granted above; libvirt is to change no owner of bench's files.
      auto at = xml->rfind("</domain>");
      if (at == std::string::npos) return fail("vm: the domain template has no </domain>");
      xml->insert(at, "  <seclabel type='none' model='dac'/>\n");
    }

    auto attributes = nic ? with_nic(guest_attributes(*boot_)) : guest_attributes(*boot_);
    auto instance = std::make_unique<vm::VmInstance>(connection_, name, std::move(*console), root_, uri_, std::move(attributes));
    instance->phases().mark_at("launch", launch_ns);
    // On failure the instance's destructor destroys whatever was created.
    if (auto started = instance->start(*xml); !started) return std::unexpected(started.error().with_context("vm"));
    return instance;
  }

  std::vector<DoctorCheck> doctor() override {
    std::vector<DoctorCheck> checks = guest_doctor_checks(config_);
    if (!root_.empty() && ::getpwnam("libvirt-qemu") == nullptr)
      checks.push_back({"libvirt-qemu user", false, "no user libvirt-qemu: the embedded QEMU driver refuses to start",
                        "scripts/setup (creates the libvirt-qemu user and the kvm and libvirt-qemu groups)"});
    auto connection = open_connection();
    checks.push_back({"libvirt driver", connection.has_value(),
                      connection ? uri_ + " opened (libvirt " + (*connection)->library_version() + ")"
                                 : connection.error().describe(),
                      root_.empty() ? std::string("check --libvirt-uri") + kStartDaemonHint
                                    : "scripts/setup (libvirt-daemon-driver-qemu, the libvirt-qemu user)"});
    if (uri_ != "qemu:///system") checks.push_back(system_daemon_check());
    if (qemu_user_ && vm::is_local_uri(uri_) && std::filesystem::exists("/dev/kvm")) {
      bool usable = vm::user_may_read_write("/dev/kvm", *qemu_user_);
      checks.push_back({"daemon's QEMU and /dev/kvm", usable,
                        usable ? "the daemon's QEMU user (uid " + std::to_string(qemu_user_->uid) + ") may open /dev/kvm"
                               : "the daemon's QEMU user (uid " + std::to_string(qemu_user_->uid) +
                                     ") cannot open /dev/kvm: libvirt 9.0 then probes QEMU's capabilities again on "
                                     "every domain start (tens of seconds each under TCG)",
                        "chgrp kvm /dev/kvm && chmod 0660 /dev/kvm (what Debian's udev rule does; a host without "
                        "udev leaves it root-only)"});
    }
    return checks;
  }

  std::map<std::string, std::string> manifest() override {
    std::map<std::string, std::string> facts{{"libvirt_uri", uri_}};
    if (probe().available) {
      facts.merge(guest_manifest(*boot_));
      facts["libvirt_version"] = connection_->library_version();
    }
    return facts;
  }

 private:
  Result<std::shared_ptr<LibvirtConnection>> open_connection() {
    if (root_.empty()) return LibvirtConnection::open(uri_);
    if (auto prepared = vm::prepare_embed_root(root_); !prepared)
      return std::unexpected(prepared.error().with_context("libvirt embedded driver"));
    // The embedded driver's QEMU processes (its capability probe's too) are orphans this
    // process adopts and reaps (orphan_reaper.hpp): set before the driver starts any.
    if (auto adopted = become_child_subreaper(); !adopted)
      return std::unexpected(adopted.error().with_context("libvirt embedded driver"));
    ReapScope reaping;
    return LibvirtConnection::open(uri_);
  }

  Availability check() {
    auto boot = prepare_guest_boot(config_);
    if (!boot) return Availability::no(boot.error().describe());
    boot_ = std::move(*boot);
    auto connection = open_connection();
    if (!connection) {
      // A URI the user named and that cannot be opened is bad input, not a host gap.
      if (root_.empty()) return Availability::refused("--libvirt-uri: " + connection.error().describe() + kStartDaemonHint);
      std::string hint = " (run bench doctor)";
      // The embedded driver locks its root: a second bench on the same state dir fails so.
      if (!root_.empty() && connection.error().describe().find("Failed to acquire pid file") != std::string::npos)
        hint = " (another bench process is using the embedded libvirt root " + root_.string() +
               "; one run at a time per state dir, or use --libvirt-uri)";
      return Availability::no(connection.error().describe() + hint);
    }
    connection_ = std::move(*connection);
    if (root_.empty()) {
      auto user = vm::daemon_qemu_user(connection_->get(), boot_->accel.libvirt_domain_type());
      if (!user) return Availability::no(user.error().describe());
      qemu_user_ = *user;
    }
    return Availability::yes();
  }

  BackendConfig config_;
  GuestTweaks tweaks_;
  std::filesystem::path root_;  // the embed root, empty for another URI
  std::string uri_;
  std::optional<Availability> availability_;
  std::optional<GuestBoot> boot_;
  std::shared_ptr<LibvirtConnection> connection_;
  std::optional<vm::QemuUser> qemu_user_;  // a daemon's QEMU user; none under the embedded driver
};

}  // namespace

std::unique_ptr<Backend> make_vm_backend(const BackendConfig& config) { return make_vm_backend(config, {}); }

std::unique_ptr<Backend> make_vm_backend(const BackendConfig& config, const guest::GuestTweaks& tweaks) {
  return std::make_unique<VmBackend>(config, tweaks);
}

}  // namespace isobench
