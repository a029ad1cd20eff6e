#include "microvm_backend.hpp"

#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "runtimes/common/process_instance.hpp"
#include "runtimes/common/spawn.hpp"
#include "runtimes/kvm/guest_kernels.hpp"
#include "runtimes/kvm/guest_vm.hpp"
#include "runtimes/kvm/hypervisor_facts.hpp"
#include "runtimes/kvm/kvm_system.hpp"

namespace isobench {
namespace {

// The directory the workload writes to, as for bare (the VMM gives it a directory of its
// own inside it and removes that at the end).
constexpr const char* kWritableDir = "/var/tmp";

// The VMM's phases line (vmm/microvm.hpp) becomes the instance's phases, between the
// harness's "created" (the VMM spawned) and "ready" (the workload's readiness line).
void mark_vmm_phases(PhaseLog& phases, const std::string& line) {
  if (line.find(R"({"isobench":"microvm")") == std::string::npos) return;
  auto parsed = nlohmann::json::parse(line, nullptr, false);
  if (!parsed.is_object()) return;
  for (const char* phase : {"vm_created", "memory", "vcpu", "elf_loaded"}) {
    auto at = parsed.find(std::string(phase) + "_ns");
    if (at != parsed.end() && at->is_number_integer()) phases.mark_at(phase, at->get<std::int64_t>());
  }
}

class MicrovmInstance final : public ProcessInstance {
 public:
  MicrovmInstance(ChildProcess child, LineReader output, std::map<std::string, std::string> attributes)
      : ProcessInstance(std::move(child), std::move(output)), attributes_(std::move(attributes)),
        vmm_pid_(this->child().pid()) {
    stream().on_console_line([this](const std::string& line) { mark_vmm_phases(phases_, line); });
  }
  ~MicrovmInstance() override { teardown_in_destructor(); }

  std::map<std::string, std::string> attributes() const override { return attributes_; }

 protected:
  // A VMM killed before its end (a timeout, the footprint suite's idle instance) could
  // not remove its directory; it is named after the VMM's pid (vmm/main.cpp).
  Result<void> release_resources() override {
    std::error_code error;
    std::filesystem::remove_all(std::filesystem::path(kWritableDir) / ("isobench-microvm-" + std::to_string(vmm_pid_)), error);
    if (error) return fail("remove the microvm's directory in " + std::string(kWritableDir) + ": " + error.message());
    return {};
  }

 private:
  std::map<std::string, std::string> attributes_;
  pid_t vmm_pid_;
};

class MicrovmBackend final : public Backend {
 public:
  explicit MicrovmBackend(const BackendConfig& config)
      : workload_(config.workload_binary),
        vmm_(config.workload_binary.parent_path() / "isobench-microvm"),
        facts_(kvm::read_hypervisor_facts()) {}

  std::string name() const override { return "microvm"; }
  std::string summary() const override {
    return "the workload binary as the only program in a KVM guest, no guest OS (isobench's VMM); hypervisor " +
           facts_.describe();
  }
  // No guest OS to boot and no limits to apply; the host's hypervisor may emulate the
  // guest, which the probe checks (a user-mode guest's hash kernel against the host's).
  BackendTraits traits() const override {
    return {.family = BackendFamily::kMicroVm, .writable_dir = kWritableDir, .emulation_possible = true};
  }

  Availability probe() override {
    if (probed_) return *probed_;
    probed_ = check();
    return *probed_;
  }

  Result<std::unique_ptr<Instance>> launch(const LaunchOptions& options) override {
    if (!options.limits.empty())
      return fail("microvm applies no limits (" + options.limits.describe() +
                  "): its guest has no kernel to enforce them; use --backend vm, qemu or container");
    if (options.network.kind != NetworkAttachment::Kind::kOwn)
      return fail("microvm has no network: the workload's sockets are not among the system calls its VMM performs");
    if (auto available = probe(); !available.available) return fail(available.reason);
    std::int64_t launch_ns = monotonic_ns();
    auto out = make_pipe();
    if (!out) return std::unexpected(out.error().with_context("microvm"));
    std::vector<std::string> argv = {vmm_.string(), "--dir", kWritableDir, "--"};
    for (const std::string& arg : options.workload.argv(workload_.string())) argv.push_back(arg);
    auto child = spawn_process(argv, {-1, out->write_end.get(), out->write_end.get()});
    if (!child) return std::unexpected(child.error().with_context("microvm"));
    out->write_end.reset();
    std::map<std::string, std::string> attributes = attributes_;
    if (options.workload.name == "syscall")
      // getpid and clock_gettime are the calls the supervisor answers itself (vmm/supervisor.S).
      attributes["system_call_path"] = "getpid, clock_gettime (realtime, monotonic: the guest's TSC): answered by "
                                       "the guest's supervisor, no exit to the VMM; every other call: one exit to the "
                                       "VMM, which performs it on the host";
    auto instance =
        std::make_unique<MicrovmInstance>(std::move(*child), LineReader(std::move(out->read_end)), std::move(attributes));
    instance->phases().mark_at("launch", launch_ns);
    instance->phases().mark("created");
    return instance;
  }

  std::vector<DoctorCheck> doctor() override {
    Availability available = probe();
    return {{"VMM", ::access(vmm_.c_str(), X_OK) == 0, vmm_.string(), "build isobench (scripts/build)"},
            {"guest", available.available, available.available ? summary() : available.reason,
             "a host with /dev/kvm (hardware KVM, or kvm_pvm)"}};
  }

  std::map<std::string, std::string> manifest() override {
    probe();
    std::map<std::string, std::string> out = attributes_;
    out["vmm"] = vmm_.string();
    return out;
  }

 private:
  Availability check() {
    if (::access(vmm_.c_str(), X_OK) != 0)
      return Availability::no("the microvm VMM " + in_quotes(vmm_.string()) + " is not executable: build isobench first");
    kvm::KvmProbe kvm = kvm::probe_kvm(kvm::kDefaultDevice, facts_);
    if (!kvm.availability.available) return kvm.availability;
    attributes_ = {{"hypervisor", facts_.hypervisor()},
                   {"nested", facts_.host_is_guest ? "yes" : "no"},
                   // Where the workload's `syscall` lands (vmm/supervisor.S).
                   {"supervisor", facts_.is_pvm() ? "user" : "ring0"}};
    // The workload runs in the guest's user mode: a user-mode guest's hash kernel against
    // the same kernel on the host says whether this hypervisor runs it natively.
    auto system = kvm::KvmSystem::open(kvm::kDefaultDevice);
    if (!system) return Availability::no(system.error().describe());
    kvm::BirthTimes times;
    auto vm = kvm::GuestVm::create(*system, {.heap_bytes = kvm::hash_heap_bytes(), .mode = kvm::GuestMode::kUser}, times);
    auto native = vm ? kvm::check_native(*vm) : Result<kvm::NativeCheck>(std::unexpected(vm.error()));
    if (!native) return Availability::no("the check that a user-mode guest runs natively failed: " + native.error().describe());
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.4f", native->ratio);
    attributes_["native_check_ratio"] = ratio;
    return Availability::yes();
  }

  std::filesystem::path workload_, vmm_;
  kvm::HypervisorFacts facts_;
  std::optional<Availability> probed_;
  std::map<std::string, std::string> attributes_;
};

}  // namespace

std::unique_ptr<Backend> make_microvm_backend(const BackendConfig& config) {
  return std::make_unique<MicrovmBackend>(config);
}

}  // namespace isobench
