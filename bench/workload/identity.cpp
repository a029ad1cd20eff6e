// identity: what the workload can see of the world it runs in. Compared across backends
// it shows what each one isolates (namespace ids, PID 1, hostname, root, kernel).
#include <cpuid.h>
#include <dirent.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <vector>

#include "workload.hpp"

namespace workload {
namespace {

std::string read_small_file(const char* path) {
  std::ifstream in(path);
  if (!in) return {};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string namespaces_json() {
  JsonObject ns;
  DIR* dir = ::opendir("/proc/self/ns");
  if (dir == nullptr) return "null";
  std::vector<std::string> names;
  while (dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') names.emplace_back(entry->d_name);
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    struct stat st{};
    if (::stat(("/proc/self/ns/" + name).c_str(), &st) == 0) ns.add(name, static_cast<std::uint64_t>(st.st_ino));
  }
  return ns.str();
}

std::string lines_json(const std::string& text) {
  std::string out = "[";
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (out.size() > 1) out += ',';
    out += json_string(text.substr(start, end - start));
    start = end + 1;
  }
  return out + "]";
}

// The cgroup memory limit this process sees: cgroup v2 memory.max or v1
// memory.limit_in_bytes of its own cgroup, as mounted in its namespace.
std::string memory_limit_json() {
  for (const char* path : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::string value = read_small_file(path);
    if (!value.empty()) return json_string(value);
  }
  return "null";
}

// CPUID leaf 1, ECX bit 31: set by every mainstream hypervisor for its guests.
JsonObject hypervisor_json() {
  JsonObject out;
  unsigned a = 0, b = 0, c = 0, d = 0;
  bool present = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31)) != 0;
  out.add("present", present);
  if (present) {
    __cpuid(0x40000000, a, b, c, d);
    char vendor[13] = {};
    std::memcpy(vendor + 0, &b, 4);
    std::memcpy(vendor + 4, &c, 4);
    std::memcpy(vendor + 8, &d, 4);
    out.add("vendor", std::string(vendor));
  }
  return out;
}

// NoNewPrivs and CapEff from /proc/self/status: what the process may still gain or do.
JsonObject privileges_json() {
  JsonObject out;
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("NoNewPrivs:")) out.add("no_new_privs", line.find('1') != std::string::npos);
    if (line.starts_with("CapEff:")) out.add("cap_effective", line.substr(line.find_first_not_of(" \t", 7)));
  }
  return out;
}

}  // namespace

int run_identity(std::span<const std::string> args, JsonObject& out, std::string& error) {
  if (!args.empty()) {
    error = "identity takes no arguments";
    return kUsage;
  }
  utsname uts{};
  ::uname(&uts);
  struct stat root{};
  ::stat("/", &root);
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  int cpus_allowed = ::sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : -1;
  struct sysinfo info{};
  ::sysinfo(&info);

  out.add("pid", ::getpid())
      .add("ppid", ::getppid())
      .add("uid", ::getuid())
      .add("gid", ::getgid())
      .add("hostname", uts.nodename)
      .add("kernel_release", uts.release)
      .add_raw("namespaces", namespaces_json())
      .add_raw("cgroup", lines_json(read_small_file("/proc/self/cgroup")))
      .add_raw("root", JsonObject()
                           .add("dev", static_cast<std::uint64_t>(root.st_dev))
                           .add("ino", static_cast<std::uint64_t>(root.st_ino))
                           .str())
      .add("cpus_allowed", cpus_allowed)
      .add("cpus_online", ::sysconf(_SC_NPROCESSORS_ONLN))
      .add("memory_total_bytes", static_cast<std::uint64_t>(info.totalram) * info.mem_unit)
      .add_raw("memory_limit", memory_limit_json())
      .add_raw("hypervisor", hypervisor_json().str())
      .add_raw("privileges", privileges_json().str());
  return kDone;
}

}  // namespace workload
