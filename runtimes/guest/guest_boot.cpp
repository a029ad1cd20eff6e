#include "guest_boot.hpp"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cctype>
#include <cstdlib>
#include <fstream>

#include <nlohmann/json.hpp>

#include "runtimes/common/format.hpp"
#include "runtimes/common/spawn.hpp"

namespace isobench::guest {
namespace {

constexpr std::uint64_t kMinimumMemoryMib = 64;  // the cloud kernel and a 4 MB initramfs

std::filesystem::path kernel_path(const BackendConfig& config) {
  return config.guest_kernel ? *config.guest_kernel : cached_kernel_path(config.state_dir);
}

// "QEMU emulator version 7.2.22 (Debian ...)" -> "7.2.22"
std::string qemu_version(const std::filesystem::path& qemu) {
  auto text = capture_output({qemu.string(), "--version"}, Deadline::after(std::chrono::seconds(10)));
  if (!text) return "unknown";
  constexpr std::string_view kMarker = "version ";
  auto at = text->find(kMarker);
  if (at == std::string::npos) return "unknown";
  auto start = at + kMarker.size();
  return text->substr(start, text->find_first_of(" \n", start) - start);
}

// The host's TSC frequency in kHz: /proc/cpuinfo's "cpu MHz" of the first CPU (on x86
// the kernel reports the calibrated TSC frequency there on hosts with a constant TSC).
Result<long> host_tsc_khz() {
  std::ifstream in("/proc/cpuinfo");
  if (!in) return fail_errno("open `/proc/cpuinfo`");
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("cpu MHz")) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos) break;
    double mhz = std::strtod(line.c_str() + colon + 1, nullptr);
    if (mhz > 0) return std::lround(mhz * 1000);
    break;
  }
  return fail("no \"cpu MHz\" in `/proc/cpuinfo`: cannot tell the guest its TSC frequency");
}

bool fits_cmdline(const std::string& word) {
  if (word.empty()) return false;
  for (char c : word)
    if (c == ',' || c == '"' || c == '\'' || c == '\\' || std::isspace(static_cast<unsigned char>(c)) || c < 0x20)
      return false;
  return true;
}

}  // namespace

Result<GuestBoot> prepare_guest_boot(const BackendConfig& config) {
  GuestBoot boot;
  auto kernel = validate_kernel(kernel_path(config));
  if (!kernel) return std::unexpected(kernel.error());
  boot.kernel = std::move(*kernel);

  if (::access(config.workload_binary.c_str(), R_OK) != 0)
    return fail_errno("workload binary " + in_quotes(config.workload_binary.string()) + " (build isobench first)");
  auto initramfs = build_initramfs(config.workload_binary, config.state_dir / "guest");
  if (!initramfs) return std::unexpected(initramfs.error().with_context("build the initramfs"));
  boot.initramfs = std::move(*initramfs);

  auto accel = choose_accel(config.vm_accel, read_host_virt());
  if (!accel) return std::unexpected(accel.error());
  boot.accel = std::move(*accel);

  auto qemu = find_in_path("qemu-system-x86_64");
  if (!qemu) return fail("qemu-system-x86_64 not found on PATH: install qemu-system-x86 (scripts/setup)");
  boot.qemu_binary = *qemu;
  boot.qemu_version = qemu_version(*qemu);

  boot.machine = config.vm_machine;
  if (boot.machine != "q35" && boot.machine != "microvm")
    return fail("--vm-machine " + in_quotes(boot.machine) + ": expected q35 or microvm");
  if (boot.machine == "microvm" && boot.accel.accel == "tcg") {
    // microvm with ACPI has no PIT or HPET for the kernel to calibrate the TSC against
    // under TCG ("tsc: Unable to calibrate against PIT", then the boot hangs; with
    // acpi=off it boots but cannot power off). TCG's guest TSC is the host's, so the
    // host's frequency is the right one. (Under KVM, kvmclock says it.)
    auto khz = host_tsc_khz();
    if (!khz) return std::unexpected(khz.error().with_context("--vm-machine microvm under TCG"));
    boot.machine_cmdline = "tsc_early_khz=" + std::to_string(*khz);
  }
  return boot;
}

std::vector<DoctorCheck> guest_doctor_checks(const BackendConfig& config) {
  std::vector<DoctorCheck> checks;
  auto kernel = validate_kernel(kernel_path(config));
  checks.push_back({"guest kernel", kernel.has_value(),
                    kernel ? kernel->path.string() + " (" + kernel->release + ")" : kernel.error().describe(),
                    "scripts/fetch-guest-kernel (Debian's cloud kernel into the state dir), or --guest-kernel PATH"});
  HostVirt host = read_host_virt();
  auto accel = choose_accel(config.vm_accel, host);
  checks.push_back({"accelerator", accel.has_value(), accel ? accel->accel + ": " + accel->reason : accel.error().describe(),
                    "use --vm-accel auto or tcg"});
  auto qemu = find_in_path("qemu-system-x86_64");
  checks.push_back({"qemu", qemu.has_value(),
                    qemu ? qemu->string() + " " + qemu_version(*qemu) : "qemu-system-x86_64 not found on PATH",
                    "install qemu-system-x86 (scripts/setup)"});
  return checks;
}

std::map<std::string, std::string> guest_manifest(const GuestBoot& boot) {
  return {{"accel", boot.accel.accel},
          {"accel_reason", boot.accel.reason},
          {"guest_kernel", boot.kernel.path.string()},
          {"guest_kernel_release", boot.kernel.release},
          {"initramfs_bytes", std::to_string(boot.initramfs.bytes)},
          {"qemu_version", boot.qemu_version},
          {"machine", boot.machine}};
}

BackendTraits guest_traits() {
  return {.family = BackendFamily::kVm,
          .boots_guest_os = true,
          .writable_dir = "/var/tmp",
          .emulation_possible = true,
          .ready_timeout = std::chrono::seconds(60),
          .exit_timeout = std::chrono::seconds(120)};
}

Result<GuestSize> guest_size(const Limits& limits) {
  GuestSize size;
  if (limits.pids)
    return fail("a guest has no process-count limit (--pids " + std::to_string(*limits.pids) +
                "): its processes live in the guest kernel; drop --pids");
  if (limits.memory_bytes) {
    size.memory_mib = (*limits.memory_bytes + (1 << 20) - 1) >> 20;
    if (size.memory_mib < kMinimumMemoryMib)
      return fail("--memory " + format_bytes(*limits.memory_bytes) + " is below the " +
                  std::to_string(kMinimumMemoryMib) + " MiB a guest kernel needs to boot");
  }
  if (limits.cpus) size.vcpus = static_cast<unsigned>(std::ceil(*limits.cpus));
  return size;
}

Result<std::string> kernel_cmdline(const WorkloadCommand& workload, const GuestTweaks& tweaks,
                                   std::string_view machine_args) {
  // quiet: every console character is an emulated UART write, slow under TCG.
  // panic=-1: a failing /init reboots at once, which ends the guest (no reboot loop:
  // QEMU runs with -no-reboot, libvirt with on_reboot=destroy).
  std::string line = "console=ttyS0 quiet panic=-1";
  if (!fits_cmdline(workload.name)) return fail("workload name `" + workload.name + "` cannot go on a kernel command line");
  line += " isobench.workload=" + workload.name;
  std::string args;
  for (const auto& arg : workload.args) {
    if (!fits_cmdline(arg))
      return fail("argument `" + arg + "`: a guest takes its arguments from the kernel command line, which cannot "
                  "carry an empty argument, spaces, commas or quotes");
    args += (args.empty() ? "" : ",") + arg;
  }
  if (!args.empty()) line += " isobench.args=" + args;
  if (!machine_args.empty()) line += " " + std::string(machine_args);
  if (!tweaks.extra_cmdline.empty()) line += " " + tweaks.extra_cmdline;
  return line;
}

std::string next_guest_name(const std::string& backend) {
  static std::atomic<unsigned> counter{0};
  return "isobench-" + backend + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

}  // namespace isobench::guest

namespace isobench::guest {

std::string guest_failure(const std::string& result_line, const std::string& last_console_line) {
  if (result_line.empty())
    return "the guest ended without a result line" + (last_console_line.empty() ? "" : ": " + last_console_line);
  auto result = nlohmann::json::parse(result_line, nullptr, false);
  if (result.is_discarded() || !result.is_object()) return "malformed result line: " + result_line;
  if (result.value("ok", false)) return {};
  return "workload failed: " + result.value("error", std::string("no error given"));
}

std::map<std::string, std::string> guest_attributes(const GuestBoot& boot) {
  return {{"accel", boot.accel.accel}, {"guest_kernel", boot.kernel.release}, {"machine", boot.machine}};
}

}  // namespace isobench::guest
