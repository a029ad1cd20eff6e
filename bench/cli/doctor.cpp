#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "runtimes/common/cgroup_mode.hpp"
#include "bench/harness/backend_set.hpp"
#include "commands.hpp"

namespace isobench::cli {
namespace {

std::string read_first_line(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::vector<DoctorCheck> host_checks() {
  std::vector<DoctorCheck> checks;
  bool root = ::geteuid() == 0;
  std::string max_userns = read_first_line("/proc/sys/user/max_user_namespaces");
  bool userns = !max_userns.empty() && max_userns != "0";
  checks.push_back({"privileges", root || userns,
                    root ? "running as root" : userns ? "not root; user namespaces allowed (max " + max_userns + ")"
                                                      : "not root and user namespaces are disabled",
                    "run as root (sudo), or allow user namespaces: sysctl user.max_user_namespaces=15000"});
  CgroupMode mode = detect_cgroup_mode();
  checks.push_back({"cgroups", mode != CgroupMode::kNone, "cgroup mode " + to_string(mode),
                    "mount cgroup2 at /sys/fs/cgroup (systemd does this at boot)"});
  return checks;
}

void print_check(const DoctorCheck& check) {
  std::printf("%-5s %-22s %s\n", check.ok ? "ok" : "FAIL", check.name.c_str(), check.detail.c_str());
  if (!check.ok && !check.fix.empty()) std::printf("      %-22s fix: %s\n", "", check.fix.c_str());
}

}  // namespace

int run_doctor(const Command& command) {
  BackendSet backends(backend_config_from(command.backend_flags));
  int failed = 0;
  for (const auto& check : host_checks()) {
    print_check(check);
    failed += check.ok ? 0 : 1;
  }
  for (const auto& name : backends.names()) {
    const Availability& availability = backends.availability(name);
    print_check({"backend " + name, availability.available,
                 availability.available ? backends.find(name)->summary() : availability.reason, ""});
    for (const auto& check : backends.find(name)->doctor()) {
      print_check({name + ": " + check.name, check.ok, check.detail, check.fix});
      failed += check.ok ? 0 : 1;
    }
  }
  std::printf("\n%s\n", failed == 0 ? "all checks passed" : (std::to_string(failed) + " check(s) need attention").c_str());
  return 0;
}

}  // namespace isobench::cli
