// The workload as a guest kernel's /init: PID 1 in an initramfs that holds nothing else.
// The kernel runs /init with no arguments, so the workload and its arguments come from
// the kernel command line, which init reads itself: the kernel hands parameters with a
// dot in their name to no one.
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "workload.hpp"

namespace workload {
namespace {

constexpr std::string_view kWorkloadParam = "isobench.workload=";
constexpr std::string_view kArgsParam = "isobench.args=";

void split_commas(std::string_view text, std::vector<std::string>& out) {
  while (!text.empty()) {
    auto comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
}

}  // namespace

bool is_guest_init(int argc) { return ::getpid() == 1 && argc < 2; }

void prepare_guest_init(std::vector<std::string>& args) {
  ::mkdir("/proc", 0555);
  ::mkdir("/sys", 0555);
  ::mkdir("/dev", 0755);
  ::mkdir("/tmp", 01777);
  ::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
  ::mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
  ::mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, nullptr);
  ::mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, nullptr);

  std::ifstream cmdline("/proc/cmdline");
  std::string word;
  while (cmdline >> word) {
    std::string_view w(word);
    if (w.starts_with(kWorkloadParam)) {
      args.insert(args.begin(), std::string(w.substr(kWorkloadParam.size())));
    } else if (w.starts_with(kArgsParam)) {
      split_commas(w.substr(kArgsParam.size()), args);
    }
  }
  prepare_guest_network();
}

void power_off_guest() {
  ::sync();
  ::reboot(RB_POWER_OFF);
  // Only reached if the kernel refused; with panic=-1 on the command line a PID 1 exit
  // reboots the guest, which the harness treats as the end of the run too.
  for (;;) ::pause();
}

}  // namespace workload
