#include "manifest.hpp"

#include <cpuid.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include "runtimes/common/cgroup_mode.hpp"
#include <build_info.hpp>

namespace isobench {
namespace {

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return {};
  return line;
}

// "always [madvise] never" -> "madvise"
std::string bracketed_choice(const std::string& text) {
  auto open = text.find('['), close = text.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return text;
  return text.substr(open + 1, close - open - 1);
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("model name")) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

}  // namespace

HostFacts read_host_facts() {
  HostFacts facts;
  utsname uts{};
  ::uname(&uts);
  facts.kernel_release = uts.release;
  facts.cpu_model = cpu_model();
  facts.cpu_count = static_cast<unsigned>(::sysconf(_SC_NPROCESSORS_ONLN));
  struct sysinfo info{};
  ::sysinfo(&info);
  facts.memory_bytes = static_cast<std::uint64_t>(info.totalram) * info.mem_unit;

  unsigned a = 0, b = 0, c = 0, d = 0;
  facts.virtualized = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31)) != 0;
  if (facts.virtualized) {
    __cpuid(0x40000000, a, b, c, d);
    char vendor[13] = {};
    std::memcpy(vendor, &b, 4);
    std::memcpy(vendor + 4, &c, 4);
    std::memcpy(vendor + 8, &d, 4);
    facts.hypervisor_vendor = vendor;
  }
  facts.governor = read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  if (facts.governor.empty()) facts.governor = "none";
  std::string smt = read_first_line("/sys/devices/system/cpu/smt/active");
  facts.smt = smt == "1" ? "on" : smt == "0" ? "off" : "unknown";
  facts.transparent_hugepages = bracketed_choice(read_first_line("/sys/kernel/mm/transparent_hugepage/enabled"));
  std::string ksm = read_first_line("/sys/kernel/mm/ksm/run");
  facts.ksm = ksm.empty() ? "unavailable" : ksm == "0" ? "off" : "on";
  facts.cgroup_mode = to_string(detect_cgroup_mode());
  double loads[1] = {0};
  if (::getloadavg(loads, 1) == 1) facts.load_average_1m = loads[0];
  facts.root = ::geteuid() == 0;
  return facts;
}

nlohmann::json environment_manifest(BackendSet& backends, const std::function<bool(std::string_view)>& selected) {
  HostFacts facts = read_host_facts();
  nlohmann::json manifest = {
      {"isobench_version", kIsobenchVersion},
      {"git_revision", kGitRevision},
      {"compiler", std::string("g++ ") + __VERSION__},
      {"host_kernel", facts.kernel_release},
      {"cpu_model", facts.cpu_model},
      {"cpu_count", facts.cpu_count},
      {"memory_bytes", facts.memory_bytes},
      {"host_virtualized", facts.virtualized},
      {"hypervisor_vendor", facts.hypervisor_vendor},
      {"cpu_governor", facts.governor},
      {"smt", facts.smt},
      {"transparent_hugepages", facts.transparent_hugepages},
      {"ksm", facts.ksm},
      {"cgroup_mode", facts.cgroup_mode},
      {"load_average_1m", facts.load_average_1m},
      {"run_as_root", facts.root},
  };
  nlohmann::json per_backend = nlohmann::json::object();
  for (const auto& name : backends.names()) {
    Backend* backend = backends.find(name);
    if (selected && !selected(name)) {
      per_backend[name] = {{"probed", false}, {"traits", to_json(backend->traits())}};
      continue;
    }
    const Availability& availability = backends.availability(name);
    nlohmann::json entry = {{"available", availability.available}};
    if (!availability.available) entry["reason"] = availability.reason;
    for (const auto& [key, value] : backend->manifest()) entry[key] = value;
    entry["traits"] = to_json(backend->traits());
    per_backend[name] = entry;
  }
  manifest["backends"] = per_backend;
  return manifest;
}

}  // namespace isobench
