#include "proc_memory.hpp"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace isobench {
namespace fs = std::filesystem;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::optional<std::uint64_t> to_u64(std::string_view s, int base = 10) {
  s = trim(s);
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  return value;
}

// "Rss:                 123 kB" -> {"Rss", 123*1024}; nullopt for a line of another shape.
std::optional<std::pair<std::string_view, std::uint64_t>> kb_field(std::string_view line) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view value = trim(line.substr(colon + 1));
  if (!value.ends_with(" kB")) return std::nullopt;
  auto number = to_u64(value.substr(0, value.size() - 3));
  if (!number) return std::nullopt;
  return std::pair{line.substr(0, colon), *number * 1024};
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

Result<std::string> read_text(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return fail_errno("open " + in_quotes(path.string()));
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return fail_errno("read " + in_quotes(path.string()));
  return out.str();
}

// A header line of smaps: "7f12-7f34 rw-p 00000000 00:00 0      [heap]".
std::optional<MappingMemory> mapping_header(std::string_view line) {
  auto dash = line.find('-');
  auto space = line.find(' ');
  if (dash == std::string_view::npos || space == std::string_view::npos || dash > space) return std::nullopt;
  auto start = to_u64(line.substr(0, dash), 16);
  auto end = to_u64(line.substr(dash + 1, space - dash - 1), 16);
  if (!start || !end) return std::nullopt;
  MappingMemory mapping{*start, *end, {}, 0, 0, 0};
  // Fields: range perms offset dev inode [name]; the name may hold spaces.
  std::string_view rest = line.substr(space);
  for (int field = 0; field < 4; ++field) {
    rest = trim(rest);
    auto next = rest.find(' ');
    rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next);
  }
  mapping.name = std::string(trim(rest));
  return mapping;
}

}  // namespace

Result<ProcessMemory> parse_smaps_rollup(std::string_view text) {
  ProcessMemory memory;
  bool saw_rss = false, saw_pss = false;
  for (auto line : lines_of(text)) {
    auto field = kb_field(line);
    if (!field) continue;
    auto [name, bytes] = *field;
    if (name == "Rss") memory.rss = bytes, saw_rss = true;
    else if (name == "Pss") memory.pss = bytes, saw_pss = true;
    else if (name == "Private_Clean" || name == "Private_Dirty" || name == "Private_Hugetlb") memory.uss += bytes;
    else if (name == "Anonymous") memory.anonymous = bytes;
  }
  if (!saw_rss || !saw_pss) return fail("smaps_rollup: no Rss/Pss lines");
  return memory;
}

Result<std::vector<MappingMemory>> parse_smaps(std::string_view text) {
  std::vector<MappingMemory> mappings;
  for (auto line : lines_of(text)) {
    if (line.empty()) continue;
    if (auto field = kb_field(line)) {
      if (mappings.empty()) return fail("smaps: a field before the first mapping");
      auto [name, bytes] = *field;
      if (name == "Rss") mappings.back().rss = bytes;
      else if (name == "Pss") mappings.back().pss = bytes;
      else if (name == "Anonymous") mappings.back().anonymous = bytes;
    } else if (auto header = mapping_header(line)) {
      mappings.push_back(std::move(*header));
    }
    // Other lines (VmFlags, THPeligible) carry nothing footprint needs.
  }
  return mappings;
}

Result<MemInfo> parse_meminfo(std::string_view text) {
  MemInfo info;
  bool total = false, available = false;
  for (auto line : lines_of(text)) {
    auto field = kb_field(line);
    if (!field) continue;
    if (field->first == "MemTotal") info.total = field->second, total = true;
    if (field->first == "MemAvailable") info.available = field->second, available = true;
  }
  if (!total || !available) return fail("meminfo: no MemTotal/MemAvailable (kernel before 3.14?)");
  return info;
}

std::optional<CgroupPath> parse_memory_cgroup(std::string_view proc_pid_cgroup) {
  std::optional<CgroupPath> unified;
  for (auto line : lines_of(proc_pid_cgroup)) {
    // "4:memory:/path" (v1) or "0::/path" (v2)
    auto first = line.find(':');
    auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    std::string_view controllers = line.substr(first + 1, second - first - 1);
    std::string_view path = line.substr(second + 1);
    if (controllers.empty() && line.substr(0, first) == "0") {
      unified = CgroupPath{std::string(path), true};
      continue;
    }
    std::string_view rest = controllers;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      if (rest.substr(0, comma) == "memory") return CgroupPath{std::string(path), false};
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return unified;
}

Result<ProcessMemory> read_process_memory(pid_t pid) {
  fs::path path = fs::path("/proc") / std::to_string(pid) / "smaps_rollup";
  auto text = read_text(path);
  if (!text) return std::unexpected(text.error());
  auto memory = parse_smaps_rollup(*text);
  if (!memory) return std::unexpected(memory.error().with_context(path.string()));
  return memory;
}

Result<std::vector<MappingMemory>> read_mappings(pid_t pid) {
  fs::path path = fs::path("/proc") / std::to_string(pid) / "smaps";
  auto text = read_text(path);
  if (!text) return std::unexpected(text.error());
  auto mappings = parse_smaps(*text);
  if (!mappings) return std::unexpected(mappings.error().with_context(path.string()));
  return mappings;
}

Result<MemInfo> read_meminfo(const fs::path& path) {
  auto text = read_text(path);
  if (!text) return std::unexpected(text.error());
  auto info = parse_meminfo(*text);
  if (!info) return std::unexpected(info.error().with_context(path.string()));
  return info;
}

std::vector<pid_t> with_descendants(const std::vector<pid_t>& roots) {
  // One pass over /proc builds parent -> children; /proc/PID/task/TID/children would
  // need CONFIG_PROC_CHILDREN and one read per thread.
  std::multimap<pid_t, pid_t> children;
  if (DIR* dir = ::opendir("/proc")) {
    while (dirent* entry = ::readdir(dir)) {
      auto pid = to_u64(entry->d_name);
      if (!pid) continue;
      std::ifstream stat(fs::path("/proc") / entry->d_name / "stat");
      std::string text;
      if (!std::getline(stat, text)) continue;
      // "PID (comm) S PPID ...": comm may hold spaces and parentheses; the last ')' ends it.
      auto close = text.rfind(')');
      if (close == std::string::npos || close + 4 > text.size()) continue;
      std::istringstream rest(text.substr(close + 2));
      char state = 0;
      pid_t ppid = 0;
      if (rest >> state >> ppid) children.emplace(ppid, static_cast<pid_t>(*pid));
    }
    ::closedir(dir);
  }
  std::set<pid_t> seen;
  std::vector<pid_t> out, queue(roots.begin(), roots.end());
  while (!queue.empty()) {
    pid_t pid = queue.back();
    queue.pop_back();
    if (pid <= 0 || !seen.insert(pid).second) continue;
    out.push_back(pid);
    auto [first, last] = children.equal_range(pid);
    for (auto it = first; it != last; ++it) queue.push_back(it->second);
  }
  return out;
}

std::optional<fs::path> memory_cgroup_dir(pid_t pid) {
  auto text = read_text(fs::path("/proc") / std::to_string(pid) / "cgroup");
  if (!text) return std::nullopt;
  auto path = parse_memory_cgroup(*text);
  if (!path) return std::nullopt;
  std::string relative = path->path.starts_with('/') ? path->path.substr(1) : path->path;
  if (!path->unified) {
    fs::path dir = fs::path("/sys/fs/cgroup/memory") / relative;
    if (fs::exists(dir)) return dir;
    return std::nullopt;
  }
  // Unified: the memory controller lives in the cgroup2 tree only where that tree is
  // /sys/fs/cgroup itself; on a hybrid host's /sys/fs/cgroup/unified it has no memory.
  fs::path dir = fs::path("/sys/fs/cgroup") / relative;
  if (fs::exists(dir / "memory.stat")) return dir;
  return std::nullopt;
}

Result<std::vector<pid_t>> cgroup_pids(const fs::path& dir) {
  auto text = read_text(dir / "cgroup.procs");
  if (!text) return std::unexpected(text.error());
  std::vector<pid_t> pids;
  for (auto line : lines_of(*text))
    if (auto pid = to_u64(line)) pids.push_back(static_cast<pid_t>(*pid));
  return pids;
}

Result<std::uint64_t> cgroup_kernel_bytes(const fs::path& dir) {
  fs::path v1 = dir / "memory.kmem.usage_in_bytes";
  if (fs::exists(v1)) {
    auto text = read_text(v1);
    if (!text) return std::unexpected(text.error());
    auto bytes = to_u64(lines_of(*text).empty() ? "" : lines_of(*text).front());
    if (!bytes) return fail(in_quotes(v1.string()) + ": not a number");
    return *bytes;
  }
  auto text = read_text(dir / "memory.stat");
  if (!text) return std::unexpected(text.error());
  std::map<std::string, std::uint64_t, std::less<>> stat;
  for (auto line : lines_of(*text)) {
    auto space = line.find(' ');
    if (space == std::string_view::npos) continue;
    if (auto value = to_u64(line.substr(space + 1))) stat.emplace(std::string(line.substr(0, space)), *value);
  }
  if (auto kernel = stat.find("kernel"); kernel != stat.end()) return kernel->second;
  std::uint64_t sum = 0;
  for (const char* part : {"kernel_stack", "pagetables", "percpu", "sock", "slab"})
    if (auto it = stat.find(part); it != stat.end()) sum += it->second;
  return sum;
}

Result<std::uint64_t> process_kernel_bytes(pid_t pid) {
  fs::path path = fs::path("/proc") / std::to_string(pid) / "status";
  auto text = read_text(path);
  if (!text) return std::unexpected(text.error());
  constexpr std::uint64_t kThreadSize = 16 * 1024;
  std::uint64_t page_tables = 0, threads = 0;
  for (auto line : lines_of(*text)) {
    if (auto field = kb_field(line); field && field->first == "VmPTE") page_tables = field->second;
    if (line.starts_with("Threads:")) threads = to_u64(line.substr(8)).value_or(0);
  }
  return page_tables + threads * kThreadSize;
}

std::string process_name(pid_t pid) {
  std::ifstream in(fs::path("/proc") / std::to_string(pid) / "comm");
  std::string name;
  std::getline(in, name);
  return name;
}

}  // namespace isobench
