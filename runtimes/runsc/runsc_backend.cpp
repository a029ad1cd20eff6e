#include "runsc_backend.hpp"

#include "runtimes/oci/oci_runtime.hpp"
#include "runsc_platform.hpp"

namespace isobench {
namespace {

// A backend that refuses every launch with the reason: for a --runsc-platform value
// that the command line did not check (a config built in code).
class RefusedRunsc final : public Backend {
 public:
  explicit RefusedRunsc(std::string why) : why_(std::move(why)) {}
  std::string name() const override { return "runsc"; }
  std::string summary() const override { return "gVisor's runsc"; }
  Availability probe() override { return Availability::no(why_); }
  Result<std::unique_ptr<Instance>> launch(const LaunchOptions&) override { return fail("runsc: " + why_); }
  BackendTraits traits() const override { return {.family = BackendFamily::kSandbox, .enforces_limits = true, .writable_dir = "/tmp"}; }

 private:
  std::string why_;
};

OciRuntimeKind runsc_kind(RunscPlatform platform) {
  OciRuntimeKind kind{.name = "runsc", .family = BackendFamily::kSandbox};
  kind.summary = "the shared image as an OCI bundle, run by gVisor's runsc (a user-space kernel; platform " +
                 to_string(platform) + ")";
  // runsc applies the bundle's cgroup on v1, v2 and hybrid hosts alike as far as this
  // project has seen; where a host refuses it, --ignore-cgroups runs it without one.
  kind.no_cgroups_flag = "--ignore-cgroups";
  kind.retry_without_cgroups = true;
  kind.launch_flags = [platform](const NetworkAttachment& network) { return runsc_launch_flags(platform, network); };
  if (platform == RunscPlatform::kKvm) {
    kind.precheck = [](const std::filesystem::path&) { return kvm_device_usable(); };
    // A sandbox starts in well under a second on either platform (HOST-NOTES.md: 99 ms
    // with ptrace); the kvm platform under PVM never starts, and this bounds the wait.
    kind.probe_timeout = std::chrono::seconds(15);
    kind.explain_failed_probe = [](const std::string& reason) {
      std::string why = "the kvm platform did not run a test sandbox (" + reason + ")";
      if (host_kvm_is_pvm()) why += "; this host's KVM is PVM's (kvm_pvm), under which gVisor's kvm platform hangs";
      return why + ": use --runsc-platform ptrace";
    };
  }
  kind.row_attributes = {{"platform", to_string(platform)}};
  kind.manifest = [platform] {
    return std::map<std::string, std::string>{
        {"platform", to_string(platform)},
        {"network", "--network=none (gVisor's netstack, loopback only); the net suite's paths: sandbox or host"}};
  };
  kind.doctor = [platform] {
    std::vector<DoctorCheck> checks;
    checks.push_back({"platform", true, to_string(platform) + " (--runsc-platform ptrace|kvm)", ""});
    if (platform == RunscPlatform::kPtrace && host_kvm_is_pvm())
      checks.push_back({"kvm platform", true,
                        "not tried: this host's KVM is PVM's (kvm_pvm), under which gVisor's kvm platform hangs; "
                        "--runsc-platform kvm probes it with a 15 s limit",
                        ""});
    return checks;
  };
  return kind;
}

}  // namespace

std::unique_ptr<Backend> make_runsc_backend(const BackendConfig& config) {
  auto platform = parse_runsc_platform(config.runsc_platform);
  if (!platform) return std::make_unique<RefusedRunsc>(platform.error().describe());
  return make_oci_backend(config, runsc_kind(*platform));
}

}  // namespace isobench
