#include "backend.hpp"

#include <cstdio>

#include "common/format.hpp"

namespace isobench {

std::string_view to_string(BackendFamily family) {
  switch (family) {
    case BackendFamily::kProcess: return "process";
    case BackendFamily::kContainer: return "container";
    case BackendFamily::kOci: return "oci";
    case BackendFamily::kVm: return "vm";
    case BackendFamily::kMicroVm: return "microvm";
    case BackendFamily::kSandbox: return "sandbox";
  }
  return "unknown";
}

nlohmann::json to_json(const BackendTraits& traits) {
  return {
      {"family", std::string(to_string(traits.family))},
      {"boots_guest_os", traits.boots_guest_os},
      {"enforces_limits", traits.enforces_limits},
      {"limits_need_root", traits.limits_need_root},
      {"reports_oom_kill", traits.reports_oom_kill},
      {"writable_dir", traits.writable_dir},
      {"runs_workloads", traits.runs_workloads},
      {"emulation_possible", traits.emulation_possible},
      {"container_engine", traits.container_engine},
      {"ready_timeout_s", traits.ready_timeout.count()},
      {"exit_timeout_s", traits.exit_timeout.count()},
  };
}

std::string Limits::describe() const {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (memory_bytes) add("memory " + format_bytes(*memory_bytes));
  if (cpus) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "cpus %g", *cpus);
    add(buf);
  }
  if (pids) add("pids " + std::to_string(*pids));
  return out.empty() ? "none" : out;
}

std::string format_bytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  if (value == static_cast<double>(static_cast<std::uint64_t>(value)))
    std::snprintf(buf, sizeof buf, "%.0f %s", value, kUnits[unit]);
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", value, kUnits[unit]);
  return buf;
}

std::vector<std::string> WorkloadCommand::argv(const std::string& binary) const {
  std::vector<std::string> out{binary, name};
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

}  // namespace isobench
