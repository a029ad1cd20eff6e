// `bench clean`: removes what interrupted or killed runs left and lists it (SPEC.md).
#include <unistd.h>

#include <cstdio>

#include "bench/harness/backend_set.hpp"
#include "bench/safety/run_audit.hpp"
#include "commands.hpp"

namespace isobench::cli {

int run_clean(const Command& command) {
  (void)command;
  auto removals = safety::clean_host(safety::host_roots(default_state_dir()));
  int failed = 0;
  for (const auto& removal : removals) {
    if (removal.error) {
      ++failed;
      std::printf("not removed: %s: %s\n", removal.artifact.describe().c_str(), removal.error->describe().c_str());
    } else {
      std::printf("removed %s\n", removal.artifact.describe().c_str());
    }
  }
  if (removals.empty()) std::printf("nothing to clean: no isobench leftovers from a finished run\n");
  if (failed > 0 && ::geteuid() != 0)
    return usage_error(std::to_string(failed) +
                       " leftover(s) need root to remove (cgroups, mounts, QEMU run as root): run `sudo bench clean`");
  return failed > 0 ? 1 : 0;
}

}  // namespace isobench::cli
