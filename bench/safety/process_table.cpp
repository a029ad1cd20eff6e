#include "process_table.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>
#include <sstream>

#include "runtimes/common/proc_file.hpp"

namespace isobench::safety {
namespace fs = std::filesystem;
namespace {

std::optional<pid_t> as_pid(const std::string& name) {
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
  if (ec != std::errc() || end != name.data() + name.size() || pid <= 0) return std::nullopt;
  return pid;
}

// The ppid is the 2nd field after the `(comm)`, whose text may hold spaces and parens.
pid_t parent_of(const fs::path& stat_path) {
  std::string text = read_proc_file(stat_path);
  auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 1));
  std::string state;
  pid_t ppid = 0;
  rest >> state >> ppid;
  return ppid;
}

std::string read_cmdline(const fs::path& path) {
  std::string text = read_proc_file(path);
  while (!text.empty() && text.back() == '\0') text.pop_back();
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

std::string link_target(const fs::path& link) {
  char buffer[4096];
  ssize_t n = ::readlink(link.c_str(), buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

ProcessTable::ProcessTable(const fs::path& proc) : proc_(proc) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(proc, ec)) {
    auto pid = as_pid(entry.path().filename().string());
    if (!pid) continue;
    ProcessInfo info{*pid, parent_of(entry.path() / "stat"), read_cmdline(entry.path() / "cmdline")};
    processes_.emplace(*pid, std::move(info));
  }
}

std::vector<pid_t> ProcessTable::descendants_of(pid_t root) const {
  std::multimap<pid_t, pid_t> children;
  for (const auto& [pid, info] : processes_) children.emplace(info.ppid, pid);
  std::vector<pid_t> out;
  std::vector<pid_t> frontier{root};
  while (!frontier.empty()) {
    pid_t parent = frontier.back();
    frontier.pop_back();
    auto [first, last] = children.equal_range(parent);
    for (auto it = first; it != last; ++it) {
      if (it->second == root) continue;
      out.push_back(it->second);
      frontier.push_back(it->second);
    }
  }
  return out;
}

bool ProcessTable::path_in_use(const fs::path& path) const {
  if (!held_read_) {
    held_read_ = true;
    for (const auto& [pid, info] : processes_) {
      fs::path dir = proc_ / std::to_string(pid);
      for (const char* link : {"cwd", "root"}) held_paths_.push_back(link_target(dir / link));
      std::error_code ec;
      for (const auto& fd : fs::directory_iterator(dir / "fd", ec)) held_paths_.push_back(link_target(fd.path()));
    }
  }
  const std::string prefix = path.string();
  return std::ranges::any_of(held_paths_, [&](const std::string& held) {
    return held == prefix || (held.starts_with(prefix) && held.size() > prefix.size() && held[prefix.size()] == '/');
  });
}

}  // namespace isobench::safety
