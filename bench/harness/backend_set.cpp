#include "backend_set.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace isobench {

BackendSet::BackendSet(const BackendConfig& config) : config_(config) {
  for (const auto& entry : backend_table()) entries_.push_back({entry.make(config_), std::nullopt});
}

Backend* BackendSet::find(std::string_view name) {
  for (auto& entry : entries_)
    if (entry.backend->name() == name) return entry.backend.get();
  return nullptr;
}

const Availability& BackendSet::availability(std::string_view name) {
  static const Availability kUnknown = Availability::no("unknown backend");
  for (auto& entry : entries_) {
    if (entry.backend->name() != name) continue;
    if (!entry.availability) entry.availability = entry.backend->probe();
    return *entry.availability;
  }
  return kUnknown;
}

std::vector<std::string> BackendSet::shut_down() {
  std::vector<std::string> failures;
  for (auto& entry : entries_) {
    if (!entry.availability) continue;
    if (auto done = entry.backend->shut_down(); !done) {
      failures.push_back(entry.backend->name() + ": " + done.error().describe());
      std::fprintf(stderr, "bench: warning: shutting down %s\n", failures.back().c_str());
    }
  }
  return failures;
}

std::vector<std::string> BackendSet::names() const {
  std::vector<std::string> out;
  for (const auto& entry : entries_) out.push_back(entry.backend->name());
  return out;
}

std::filesystem::path default_workload_binary() {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "isobench-workload";
  return self.parent_path() / "isobench-workload";
}

std::filesystem::path default_state_dir() {
  if (const char* dir = std::getenv("ISOBENCH_STATE_DIR"); dir && *dir) return dir;
  if (::geteuid() == 0) return "/var/lib/isobench";
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "isobench";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".local/state/isobench";
  return std::filesystem::temp_directory_path() / ("isobench-state-" + std::to_string(::getuid()));
}

}  // namespace isobench
